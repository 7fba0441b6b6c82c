import type { LoaderFunctionArgs } from "@remix-run/node";
import { htmlWithDataImages } from "../../emails/render";
import { getDevMail } from "../domain/mailer.server";
import { notFound } from "../utils/action.server";

/**
 * GET /dev/mail/:id: one email's HTML as the recipient sees it, with its
 * inline QR shown as a data: URL. Shown in a sandboxed iframe on /dev/mail,
 * and served with a CSP that allows no script and no outside request.
 */
export async function loader({ params, context }: LoaderFunctionArgs) {
  if (!context.devMail) notFound();
  const mail = await getDevMail(context.db, { id: params.id ?? "", appUrl: context.appUrl });
  if (!mail) notFound();
  return new Response(htmlWithDataImages(mail), {
    headers: {
      "Content-Type": "text/html; charset=utf-8",
      "Content-Security-Policy":
        "default-src 'none'; img-src data:; style-src 'unsafe-inline'; sandbox allow-popups allow-popups-to-escape-sandbox",
      "Cache-Control": "no-store",
    },
  });
}
