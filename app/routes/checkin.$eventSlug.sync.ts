import type { ActionFunctionArgs } from "@remix-run/node";
import { getSessionKey } from "../domain/auth.server";
import {
  checkinApi,
  parseCheckinBody,
  syncCheckins,
  syncInputSchema,
} from "../domain/checkin.server";

/**
 * POST the scans a desk queued offline; sending the same batch twice changes
 * nothing, and no scan changes a check-in that exists.
 */
export function action({ request, params, context }: ActionFunctionArgs) {
  return checkinApi(request, context, params.eventSlug, async (access) => {
    const input = await parseCheckinBody(request, syncInputSchema);
    const results = await syncCheckins(context.db, {
      eventId: access.eventId,
      unionId: access.unionId,
      staffId: access.user.id,
      // The desk name and the earliest time come from the signed-in session, not the body.
      sessionKey: await getSessionKey(request),
      scans: input.scans,
    });
    return { results };
  });
}
