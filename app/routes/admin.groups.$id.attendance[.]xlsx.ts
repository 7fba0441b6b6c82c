import type { LoaderFunctionArgs } from "@remix-run/node";
import {
  attendanceXlsx,
  getAttendanceMatrix,
  getManagedGroup,
  requireGroupManager,
} from "../domain/working-groups.server";

/** The attendance matrix as an Excel workbook. */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = await requireGroupManager(request, context);
  const group = await getManagedGroup(context.db, { user, groupId: Number(params.id) });
  if (!group) throw new Response("Not Found", { status: 404 });
  const matrix = await getAttendanceMatrix(context.db, { groupId: group.id });
  const xlsx = await attendanceXlsx(matrix, { sheetName: `${group.name} 出席状況` });
  const name = `${group.term}_${group.name}_出席状況.xlsx`;
  return new Response(new Uint8Array(xlsx), {
    headers: {
      "Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
      "Content-Disposition": `attachment; filename="attendance-${group.id}.xlsx"; filename*=UTF-8''${encodeURIComponent(name)}`,
      "Cache-Control": "private, no-store",
    },
  });
}
