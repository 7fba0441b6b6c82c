import type { LoaderFunctionArgs } from "@remix-run/node";
import { checkinApi, getCheckinRoster } from "../domain/checkin.server";

/** GET the roster a desk keeps for scanning offline (hashed tickets, never secrets). */
export function loader({ request, params, context }: LoaderFunctionArgs) {
  return checkinApi(request, context, params.eventSlug, (access) =>
    getCheckinRoster(context.db, { eventId: access.eventId, unionId: access.unionId }),
  );
}
