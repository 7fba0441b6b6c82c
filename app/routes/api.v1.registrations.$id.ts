import type { LoaderFunctionArgs } from "@remix-run/node";
import {
  apiError,
  apiGetRegistration,
  requireApiEventAccess,
  requireApiUser,
} from "../domain/api.server";

/** GET /api/v1/registrations/:id: one registration, if its event and union are the caller's to see. */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = await requireApiUser(request, context);
  const registration = await apiGetRegistration(context.db, params.id ?? "");
  if (!registration) return apiError("not_found", 404);
  const access = await requireApiEventAccess(context, {
    user,
    eventId: registration.eventId,
    permission: "attendees",
  });
  const { unionId, ...rest } = registration;
  if (access.unionId !== null && unionId !== access.unionId) return apiError("not_found", 404);
  return Response.json({ registration: rest });
}
