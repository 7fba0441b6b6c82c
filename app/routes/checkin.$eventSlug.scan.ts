import type { ActionFunctionArgs } from "@remix-run/node";
import { deskScan } from "../domain/checkin.server";

/** POST one scan (QR secret, typed ticket code, or a person picked from the search). */
export function action({ request, params, context }: ActionFunctionArgs) {
  return deskScan(request, context, params.eventSlug);
}
