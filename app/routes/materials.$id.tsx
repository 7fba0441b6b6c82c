import type { LoaderFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { getUser } from "../domain/auth.server";
import { fileResponse, getMaterialFile } from "../domain/materials.server";
import { parseRowId } from "../utils/forms";

/**
 * Opens a material: a file's bytes as a download, or a redirect to a link.
 * Visibility is checked here on the server for every request; someone not
 * signed in gets a 403 and a signed-in person without the right a 404 —
 * neither gets any bytes, nor the link.
 */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = await getUser(context.db, request);
  const id = /^\d{1,9}$/.test(params.id ?? "") ? (parseRowId(params.id) ?? 0) : 0;
  const material = await getMaterialFile(context.db, { user, materialId: id });
  if (!material) {
    if (!user) {
      throw new Response(
        "この資料は組合員・参加者限定です。ログインしてから、もう一度開いてください。",
        { status: 403, headers: { "Content-Type": "text/plain; charset=utf-8" } },
      );
    }
    throw new Response("お探しの資料が見つからないか、閲覧する権限がありません。", {
      status: 404,
      headers: { "Content-Type": "text/plain; charset=utf-8" },
    });
  }
  if (material.kind === "link") return redirect(material.url);
  return fileResponse(material.bytes, material);
}
