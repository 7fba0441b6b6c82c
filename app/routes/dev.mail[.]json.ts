import type { LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { listDevMail } from "../domain/mailer.server";
import { notFound } from "../utils/action.server";

const query = z.object({ to: z.string().trim().max(320).optional() });

/**
 * GET /dev/mail.json?to=…: the latest 50 emails, newest first, with every link
 * in their text, for tests and scripts that follow a sign-in link. Only when
 * the dev mailbox is on (no SMTP, not production); a 404 otherwise.
 */
export async function loader({ request, context }: LoaderFunctionArgs) {
  if (!context.devMail) notFound();
  const params = query.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  const to = params.success && params.data.to ? params.data.to : undefined;
  const messages = await listDevMail(context.db, { to, limit: 50, appUrl: context.appUrl });
  return Response.json(
    {
      messages: messages.map((m) => ({
        id: m.id,
        to: m.to,
        subject: m.subject,
        text: m.text,
        links: m.links,
        createdAt: m.createdAt.toISOString(),
        sentAt: m.sentAt ? m.sentAt.toISOString() : null,
      })),
    },
    { headers: { "Cache-Control": "no-store" } },
  );
}
