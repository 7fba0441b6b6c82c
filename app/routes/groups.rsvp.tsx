import type { ActionFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { z } from "zod";
import { requireMember } from "../domain/auth.server";
import { answerRsvp } from "../domain/working-groups/rsvp.server";
import { parseForm, rowId } from "../utils/forms";
import { safeRedirect } from "../utils/redirect";
import { domainAction } from "../utils/action.server";

const schema = z.object({
  meeting: rowId(),
  // Spelled out, not imported: module-level code must not touch a .server import.
  answer: z.enum(["yes", "no", "maybe"]),
  redirectTo: z.string().optional().default("/me"),
});

/** GET has nothing to show: the answers live on /me and on each group's page. */
export function loader() {
  return redirect("/me#group-meetings");
}

/**
 * A signed-in member answers 出席 / 欠席 / 未定 for a meeting (from /me or a
 * group's page) and goes back there. A refusal comes back as ?rsvp_error=.
 */
export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireMember(request, context);
  const form = parseForm(schema, await request.formData());
  if (!form.ok) {
    throw new Response("出欠の回答を受け付けられませんでした。画面を再読み込みしてください。", {
      status: 400,
    });
  }
  const to = safeRedirect(form.data.redirectTo, "/me");
  return domainAction(
    async () => {
      await answerRsvp(context.db, {
        meetingId: form.data.meeting,
        personId: user.id,
        answer: form.data.answer,
      });
      return redirect(to);
    },
    { page: true },
  );
}

/** Never shown (GET redirects); a refusal is shown by the site's error page, in Japanese. */
export default function Rsvp() {
  return null;
}
