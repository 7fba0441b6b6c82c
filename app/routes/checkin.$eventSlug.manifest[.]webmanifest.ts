import type { LoaderFunctionArgs } from "@remix-run/node";
import { getCheckinManifest } from "../domain/checkin.server";

/** The desk's own web app manifest (linked from /checkin/:slug through its `handle`). */
export async function loader({ params, context }: LoaderFunctionArgs) {
  const manifest = await getCheckinManifest(context.db, params.eventSlug ?? "");
  if (!manifest) throw new Response("Not Found", { status: 404 });
  return new Response(JSON.stringify(manifest), {
    headers: {
      "Content-Type": "application/manifest+json; charset=utf-8",
      "Cache-Control": "public, max-age=3600",
    },
  });
}
