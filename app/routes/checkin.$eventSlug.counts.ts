import type { LoaderFunctionArgs } from "@remix-run/node";
import { checkinApi, getCheckinCounts } from "../domain/checkin.server";

/** GET checked-in / expected for every list of the event, polled by the desks. */
export function loader({ request, params, context }: LoaderFunctionArgs) {
  return checkinApi(request, context, params.eventSlug, (access) =>
    getCheckinCounts(context.db, { eventId: access.eventId, unionId: access.unionId }),
  );
}
