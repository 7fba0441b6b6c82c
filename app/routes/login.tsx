import type {
  ActionFunctionArgs,
  HeadersFunction,
  LoaderFunctionArgs,
  MetaFunction,
} from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { describedBy, Field, FormError } from "../components/field";
import { requestLoginLink, safeNext } from "../domain/auth.server";
import { type ActionResult, domainAction, invalidForm } from "../utils/action.server";
import { emailField, parseForm } from "../utils/forms";

export const meta: MetaFunction = () => [{ title: "ログイン | 自治研イベント" }];

const schema = z.object({
  email: emailField(),
  next: z.string().max(500).optional(),
});

/** A refused sign-in (429) tells the browser when to try again. */
export const headers: HeadersFunction = ({ actionHeaders }) => {
  const retryAfter = actionHeaders.get("Retry-After");
  return retryAfter ? { "Retry-After": retryAfter } : new Headers();
};

export function loader({ request }: LoaderFunctionArgs) {
  return { next: safeNext(new URL(request.url).searchParams.get("next")) };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const form = parseForm(schema, await request.formData());
  if (!form.ok) return invalidForm(form);
  const { email } = form.data;
  return domainAction(
    async () => {
      await requestLoginLink(context.db, {
        email: form.data.email,
        next: safeNext(form.data.next),
        appUrl: context.appUrl,
        clientAddress: context.clientAddress,
      });
      return { ok: true, values: { email } };
    },
    { values: form.values },
  );
}

export default function Login() {
  const { next } = useLoaderData<typeof loader>();
  const result = useActionData<ActionResult>();
  const busy = useNavigation().state !== "idle";
  if (result?.ok) {
    return (
      <section>
        <h1>メールを送信しました</h1>
        <p className="notice notice--ok">
          {String(result.values?.email ?? "")}{" "}
          宛てにログインリンクを送りました。メールを開き、リンクからログインしてください。
          リンクの有効期限は15分で、1回だけ使えます。
        </p>
        <p className="small muted">
          メールが届かない場合は、迷惑メールフォルダをご確認のうえ、もう一度お試しください。
        </p>
      </section>
    );
  }
  const errors = result?.errors ?? {};
  return (
    <section>
      <h1>ログイン</h1>
      <p>
        組合員の方は、メールアドレスを入力してください。ログイン用のリンクをお送りします。パスワードは不要です。
      </p>
      <Form method="post" action="/login" className="form" noValidate>
        <FormError message={result && !result.ok ? result.message : undefined} errors={errors} />
        <input type="hidden" name="next" value={next} />
        <Field id="email" label="メールアドレス" required error={errors.email}>
          <input
            {...describedBy("email", errors.email)}
            type="email"
            name="email"
            autoComplete="email"
            inputMode="email"
            required
            defaultValue={typeof result?.values?.email === "string" ? result.values.email : ""}
          />
        </Field>
        <button type="submit" className="button button--large" disabled={busy}>
          {busy ? "送信中…" : "ログインリンクを送る"}
        </button>
      </Form>
      <p className="small muted">
        県本部・単組の担当者の方は <a href="/admin/login">スタッフ用ログイン</a> をご利用ください。
      </p>
    </section>
  );
}
