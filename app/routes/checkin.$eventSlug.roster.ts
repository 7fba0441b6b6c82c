import type { LoaderFunctionArgs } from "@remix-run/node";
import { getSessionKey } from "../domain/auth.server";
import {
  checkinApi,
  deskName,
  getCheckinRoster,
  recordRosterDownload,
} from "../domain/checkin.server";

/**
 * GET the roster a desk keeps for scanning offline (hashed tickets, never
 * secrets). `?desk=` names the desk: the session's offline scans are recorded
 * under it, and dated no earlier than the session's first roster.
 */
export function loader({ request, params, context }: LoaderFunctionArgs) {
  return checkinApi(request, context, params.eventSlug, async (access) => {
    await recordRosterDownload(context.db, {
      sessionKey: await getSessionKey(request),
      eventId: access.eventId,
      desk: deskName(new URL(request.url).searchParams.get("desk")),
    });
    return getCheckinRoster(context.db, { eventId: access.eventId, unionId: access.unionId });
  });
}
