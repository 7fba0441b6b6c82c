import type {
  ActionFunctionArgs,
  HeadersFunction,
  LoaderFunctionArgs,
  MetaFunction,
} from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { describedBy, Field, FormError } from "../components/field";
import { loginWithPassword, sessionCookie } from "../domain/auth.server";
import { DomainError } from "../domain/errors.server";
import { parseForm } from "../utils/forms";
import { safeRedirect } from "../utils/redirect";

export const meta: MetaFunction = () => [{ title: "スタッフ用ログイン | 自治研イベント" }];

const schema = z.object({
  email: z
    .string()
    .trim()
    .min(1, "メールアドレスを入力してください")
    .max(254)
    .email("メールアドレスの形式が正しくありません"),
  password: z.string().min(1, "パスワードを入力してください").max(200, "パスワードが長すぎます"),
});

/** A refused sign-in (429) tells the browser when to try again. */
export const headers: HeadersFunction = ({ actionHeaders }) => {
  const retryAfter = actionHeaders.get("Retry-After");
  return retryAfter ? { "Retry-After": retryAfter } : new Headers();
};

export function loader({ request }: LoaderFunctionArgs) {
  return { next: safeRedirect(new URL(request.url).searchParams.get("next"), "/admin") };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const form = parseForm(schema, await request.formData());
  if (!form.ok) return { errors: form.errors, email: String(form.values.email ?? "") };
  try {
    const token = await loginWithPassword(context.db, {
      ...form.data,
      clientAddress: context.clientAddress,
    });
    const next = safeRedirect(new URL(request.url).searchParams.get("next"), "/admin");
    return redirect(next, {
      headers: { "Set-Cookie": await sessionCookie.serialize(token) },
    });
  } catch (error) {
    if (error instanceof DomainError)
      return json(
        { errors: { _form: error.message }, email: form.data.email },
        { status: error.status, headers: error.headers },
      );
    throw error;
  }
}

export default function StaffLogin() {
  const { next } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state !== "idle";
  const errors: Record<string, string> = result?.errors ?? {};
  return (
    <section>
      <h1>スタッフ用ログイン</h1>
      <p className="muted">県本部・単組の担当者、受付の方はこちらからログインしてください。</p>
      <Form
        method="post"
        action={`/admin/login?next=${encodeURIComponent(next)}`}
        className="form"
        noValidate
      >
        <FormError message={errors._form} />
        <Field id="email" label="メールアドレス" required error={errors.email}>
          <input
            {...describedBy("email", errors.email)}
            type="email"
            name="email"
            autoComplete="username"
            defaultValue={result?.email ?? ""}
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
    </section>
  );
}
