import type { LoaderFunctionArgs } from "@remix-run/node";
import { apiListEvents, requireApiUser } from "../domain/api.server";

/** GET /api/v1/events: the events the token's owner may see. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireApiUser(request, context);
  return Response.json({ events: await apiListEvents(context.db, user) });
}
