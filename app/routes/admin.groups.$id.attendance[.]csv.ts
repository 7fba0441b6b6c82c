import type { LoaderFunctionArgs } from "@remix-run/node";
import { attendanceFileResponse, requireManagedGroup } from "../domain/working-groups.server";

/** The attendance matrix as CSV for Excel: UTF-8 with a BOM, formula cells neutralised. */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const group = await requireManagedGroup(request, context, params.id);
  return attendanceFileResponse(context.db, group, "csv");
}
