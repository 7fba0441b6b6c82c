import type { LoaderFunctionArgs } from "@remix-run/node";
import { getUser } from "../domain/auth.server";
import { fileResponse } from "../domain/materials.server";
import { getReportFile } from "../domain/reports.server";
import { parseRowId } from "../utils/forms";

/**
 * A report's file, checked on the server: members once accepted, everyone if
 * the author agreed, its submitter and the event's organisers always.
 */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = await getUser(context.db, request);
  const id = /^\d{1,9}$/.test(params.id ?? "") ? (parseRowId(params.id) ?? 0) : 0;
  const file = await getReportFile(context.db, { user, reportId: id });
  if (!file) {
    throw new Response(
      user
        ? "お探しのレポートが見つからないか、閲覧する権限がありません。"
        : "このレポートは組合員限定です。ログインしてから、もう一度開いてください。",
      { status: user ? 404 : 403, headers: { "Content-Type": "text/plain; charset=utf-8" } },
    );
  }
  return fileResponse(file.bytes, file);
}
