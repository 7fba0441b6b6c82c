import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireManagedGroup } from "../domain/working-groups/access.server";
import { attendanceFileResponse } from "../domain/working-groups/attendance.server";

/** The attendance matrix as an Excel workbook. */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const group = await requireManagedGroup(request, context, params.id);
  return attendanceFileResponse(context.db, group, "xlsx");
}
