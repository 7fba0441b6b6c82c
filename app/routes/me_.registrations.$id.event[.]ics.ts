import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireMember } from "../domain/auth.server";
import { registrationIcs } from "../domain/registrations.server";
import { notFound } from "../utils/action.server";

/** The event of one of the member's own registrations, for their calendar. */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = await requireMember(request, context);
  const ics = await registrationIcs(context.db, {
    personId: user.id,
    registrationId: params.id ?? "",
    appUrl: context.appUrl,
  });
  if (!ics) notFound();
  return new Response(ics, {
    headers: {
      "Content-Type": "text/calendar; charset=utf-8",
      "Content-Disposition": 'attachment; filename="event.ics"',
    },
  });
}
