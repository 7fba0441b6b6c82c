import type { ActionFunctionArgs } from "@remix-run/node";
import {
  checkinApi,
  parseCheckinBody,
  syncCheckins,
  syncInputSchema,
} from "../domain/checkin.server";

/** POST the scans a desk queued offline; sending the same batch twice changes nothing. */
export function action({ request, params, context }: ActionFunctionArgs) {
  return checkinApi(request, context, params.eventSlug, async (access) => {
    const input = await parseCheckinBody(request, syncInputSchema);
    const results = await syncCheckins(context.db, {
      eventId: access.eventId,
      unionId: access.unionId,
      staffId: access.user.id,
      desk: input.desk,
      scans: input.scans,
    });
    return { results };
  });
}
