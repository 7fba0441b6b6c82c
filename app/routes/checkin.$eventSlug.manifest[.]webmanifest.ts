import type { LoaderFunctionArgs } from "@remix-run/node";
import { getCheckinManifest } from "../domain/checkin.server";
import { notFound } from "../utils/action.server";

/** The desk's own web app manifest (linked from /checkin/:slug through its `handle`). */
export async function loader({ params, context }: LoaderFunctionArgs) {
  const manifest = await getCheckinManifest(context.db, params.eventSlug ?? "");
  if (!manifest) notFound();
  return new Response(JSON.stringify(manifest), {
    headers: {
      "Content-Type": "application/manifest+json; charset=utf-8",
      "Cache-Control": "public, max-age=3600",
    },
  });
}
