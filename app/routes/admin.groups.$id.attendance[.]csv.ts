import type { LoaderFunctionArgs } from "@remix-run/node";
import {
  attendanceCsv,
  getAttendanceMatrix,
  getManagedGroup,
  requireGroupManager,
} from "../domain/working-groups.server";

/** The attendance matrix as CSV for Excel: UTF-8 with a BOM, formula cells neutralised. */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = await requireGroupManager(request, context);
  const group = await getManagedGroup(context.db, { user, groupId: Number(params.id) });
  if (!group) throw new Response("Not Found", { status: 404 });
  const csv = attendanceCsv(await getAttendanceMatrix(context.db, { groupId: group.id }));
  const name = `${group.term}_${group.name}_出席状況.csv`;
  return new Response(csv, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="attendance-${group.id}.csv"; filename*=UTF-8''${encodeURIComponent(name)}`,
      "Cache-Control": "private, no-store",
    },
  });
}
