import type {
  ActionFunctionArgs,
  HeadersFunction,
  LoaderFunctionArgs,
  MetaFunction,
} from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { describedBy, Field, FormError } from "../components/field";
import { loginWithPassword, sessionCookie } from "../domain/auth.server";
import { type ActionResult, domainAction, invalidForm } from "../utils/action.server";
import { emailField, parseForm } from "../utils/forms";
import { safeRedirect } from "../utils/redirect";

export const meta: MetaFunction = () => [{ title: "スタッフ用ログイン | 自治研イベント" }];

const schema = z.object({
  email: emailField(),
  password: z.string().min(1, "パスワードを入力してください").max(200, "パスワードが長すぎます"),
});

/** A refused sign-in (429) tells the browser when to try again. */
export const headers: HeadersFunction = ({ actionHeaders }) => {
  const retryAfter = actionHeaders.get("Retry-After");
  return retryAfter ? { "Retry-After": retryAfter } : new Headers();
};

export function loader({ request }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  return {
    next: safeRedirect(url.searchParams.get("next"), "/admin"),
    passwordSet: url.searchParams.get("password") === "set",
    email: url.searchParams.get("email")?.slice(0, 254) ?? "",
  };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const form = parseForm(schema, await request.formData());
  if (!form.ok) return invalidForm(form);
  const values = { email: form.data.email };
  return domainAction(
    async () => {
      const { token, stage } = await loginWithPassword(context.db, {
        ...form.data,
        clientAddress: context.clientAddress,
      });
      const next = safeRedirect(new URL(request.url).searchParams.get("next"), "/admin");
      // With a second factor, the session is only half signed in until the code is given.
      const to = stage === "full" ? next : `/admin/login/${stage}?next=${encodeURIComponent(next)}`;
      return redirect(to, { headers: { "Set-Cookie": await sessionCookie.serialize(token) } });
    },
    { values },
  );
}

export default function StaffLogin() {
  const { next, passwordSet, email } = useLoaderData<typeof loader>();
  const result = useActionData<ActionResult>();
  const busy = useNavigation().state !== "idle";
  const errors: Record<string, string> = result?.errors ?? {};
  return (
    <section>
      <h1>スタッフ用ログイン</h1>
      <p className="muted">県本部・単組の担当者、受付の方はこちらからログインしてください。</p>
      {passwordSet ? (
        <p className="notice notice--ok" role="status">
          パスワードを設定しました。新しいパスワードでログインしてください。
        </p>
      ) : null}
      <Form
        method="post"
        action={`/admin/login?next=${encodeURIComponent(next)}`}
        className="form"
        noValidate
      >
        <FormError message={result && !result.ok ? result.message : undefined} errors={errors} />
        <Field id="email" label="メールアドレス" required error={errors.email}>
          <input
            {...describedBy("email", errors.email)}
            type="email"
            name="email"
            autoComplete="username"
            defaultValue={String(result?.values?.email ?? email)}
            required
          />
        </Field>
        <Field id="password" label="パスワード" required error={errors.password}>
          <input
            {...describedBy("password", errors.password)}
            type="password"
            name="password"
            autoComplete="current-password"
            required
          />
        </Field>
        <button type="submit" className="button button--large" disabled={busy}>
          {busy ? "確認中…" : "ログイン"}
        </button>
      </Form>
      <p className="small">
        <Link className="tap" to="/admin/forgot-password">
          パスワードを忘れた方
        </Link>
      </p>
    </section>
  );
}
