import type { LoaderFunctionArgs } from "@remix-run/node";
import { apiListRegistrations, requireApiEventAccess, requireApiUser } from "../domain/api.server";

/** GET /api/v1/events/:id/registrations?status=&page=: 100 a page, in フリガナ order. */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = await requireApiUser(request, context);
  const access = await requireApiEventAccess(context, {
    user,
    eventId: params.id,
    permission: "attendees",
  });
  const url = new URL(request.url);
  const page = Math.min(
    10_000,
    Math.max(1, Number.parseInt(url.searchParams.get("page") ?? "1", 10) || 1),
  );
  const registrations = await apiListRegistrations(context.db, {
    eventId: access.eventId,
    unionId: access.unionId,
    status: url.searchParams.get("status") ?? undefined,
    page,
    actorId: user.id,
  });
  return Response.json({ page, registrations });
}
