import type { LoaderFunctionArgs } from "@remix-run/node";
import { exportFileResponse } from "../domain/exports.server";
import { requireEventAccess } from "../domain/permissions.server";

/** The attendee export as PDF, streamed while the rows come from the database. */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const access = await requireEventAccess(request, context, {
    eventId: params.id,
    permission: "attendees",
  });
  return exportFileResponse(context.db, {
    access,
    file: "pdf",
    params: new URL(request.url).searchParams,
    signal: request.signal,
    method: request.method,
  });
}
