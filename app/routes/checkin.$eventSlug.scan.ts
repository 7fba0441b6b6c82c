import type { ActionFunctionArgs } from "@remix-run/node";
import { checkIn, checkinApi, parseCheckinBody, scanInputSchema } from "../domain/checkin.server";

/** POST one scan (QR secret, typed ticket code, or a person picked from the search). */
export function action({ request, params, context }: ActionFunctionArgs) {
  return checkinApi(request, context, params.eventSlug, async (access) => {
    const input = await parseCheckinBody(request, scanInputSchema);
    const result = await checkIn(context.db, {
      eventId: access.eventId,
      unionId: access.unionId,
      listId: input.list,
      ticket: input.ticket,
      registrationId: input.registration,
      staffId: access.user.id,
      desk: input.desk,
      nonce: input.nonce,
    });
    return { result };
  });
}
