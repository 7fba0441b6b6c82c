import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, useActionData } from "@remix-run/react";
import { z } from "zod";
import { describedBy, Field, FormError } from "../components/field";
import { getPendingSession, sessionCookie } from "../domain/auth.server";
import { safeRedirect } from "../utils/redirect";
import { completeTotpSignIn } from "../domain/staff.server";
import { type ActionResult, domainAction, invalidForm } from "../utils/action.server";
import { parseForm } from "../utils/forms";

export const meta: MetaFunction = () => [{ title: "2段階認証 | 自治研イベント" }];

const schema = z.object({
  code: z.string().trim().min(1, "確認コードを入力してください").max(20, "確認コードが長すぎます"),
});

const nextOf = (request: Request) => {
  const next = new URL(request.url).searchParams.get("next");
  return safeRedirect(next, "/admin");
};

/** The second step of a staff sign-in, after the password: a code from the app or a recovery code. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const pending = await getPendingSession(context.db, request, "totp");
  if (!pending) throw redirect("/admin/login");
  return null;
}

export async function action({ request, context }: ActionFunctionArgs) {
  const pending = await getPendingSession(context.db, request, "totp");
  if (!pending) throw redirect("/admin/login");
  const form = parseForm(schema, await request.formData());
  if (!form.ok) return invalidForm(form);
  return domainAction(async () => {
    const token = await completeTotpSignIn(context.db, {
      pendingToken: pending.token,
      user: pending.user,
      code: form.data.code,
    });
    return redirect(nextOf(request), {
      headers: { "Set-Cookie": await sessionCookie.serialize(token) },
    });
  });
}

export default function TotpSignIn() {
  const result = useActionData<ActionResult>();
  const error = result?.errors?.code;
  return (
    <section>
      <h1>2段階認証</h1>
      <p>認証アプリに表示されている6桁の確認コードを入力してください。</p>
      <Form method="post" className="form" noValidate>
        <FormError message={result && !result.ok && !error ? result.message : undefined} />
        <Field
          id="code"
          label="確認コード"
          required
          error={error}
          hint="スマートフォンを無くした場合は、控えておいた復旧コード(例: ABCDE-FGHJK)を入力できます。"
        >
          <input
            {...describedBy("code", error, "hint")}
            type="text"
            name="code"
            autoCapitalize="characters"
            autoComplete="one-time-code"
            maxLength={20}
            required
          />
        </Field>
        <button type="submit" className="button button--large">
          確認する
        </button>
      </Form>
    </section>
  );
}
