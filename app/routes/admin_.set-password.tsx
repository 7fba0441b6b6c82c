import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { describedBy, Field, FormError } from "../components/field";
import { getPasswordToken, setPasswordWithToken } from "../domain/staff.server";
import { type ActionResult, domainAction, invalidForm } from "../utils/action.server";
import { parseForm } from "../utils/forms";
import { PASSWORD_MIN_LENGTH } from "../utils/staff-policy";

export const meta: MetaFunction = () => [
  { title: "パスワードの設定 | 自治研イベント" },
  // the token is in the URL: keep it out of Referer headers and indexes
  { name: "referrer", content: "no-referrer" },
  { name: "robots", content: "noindex" },
];

const schema = z
  .object({
    password: z.string().min(1, "パスワードを入力してください").max(1000, "パスワードが長すぎます"),
    confirm: z.string().max(1000, "パスワードが長すぎます"),
  })
  .refine((v) => v.password === v.confirm, {
    path: ["confirm"],
    message: "確認用のパスワードが一致しません。同じパスワードをもう一度入力してください",
  });

const tokenOf = (request: Request) =>
  (new URL(request.url).searchParams.get("token") ?? "").slice(0, 200);

/** An invitation's, a reset's or the first administrator's one-time link: set a password. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const person = await getPasswordToken(context.db, tokenOf(request));
  if (!person) return { valid: false as const };
  return {
    valid: true as const,
    email: person.email,
    name: `${person.family_name} ${person.given_name}`.trim(),
    purpose: person.purpose,
  };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const form = parseForm(schema, await request.formData());
  if (!form.ok) return invalidForm(form);
  return domainAction(async () => {
    const { email } = await setPasswordWithToken(context.db, {
      token: tokenOf(request),
      password: form.data.password,
    });
    return redirect(`/admin/login?password=set&email=${encodeURIComponent(email)}`);
  });
}

export default function SetPassword() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<ActionResult>();
  if (!data.valid) {
    return (
      <section>
        <h1>パスワードの設定</h1>
        <FormError message="このパスワード設定用リンクは無効か、期限切れか、使用済みです。招待の場合は管理者に再送を依頼し、パスワードの再設定の場合はもう一度お手続きください。" />
        <p>
          <Link className="tap" to="/admin/forgot-password">
            パスワードの再設定を申し込む
          </Link>
        </p>
      </section>
    );
  }
  const errors = result?.errors ?? {};
  return (
    <section>
      <h1>{data.purpose === "reset" ? "パスワードの再設定" : "パスワードの設定"}</h1>
      <p>
        {data.name ? `${data.name} 様(${data.email})` : data.email}
        のスタッフ用アカウントのパスワードを設定してください。
      </p>
      <Form method="post" className="form" noValidate>
        <FormError
          message={
            result && !result.ok && Object.keys(errors).length === 0 ? result.message : undefined
          }
          errors={errors}
        />
        <input type="hidden" name="username" value={data.email} autoComplete="username" />
        <Field
          id="password"
          label="新しいパスワード"
          required
          error={errors.password}
          hint={`${PASSWORD_MIN_LENGTH}文字以上。記号や数字を混ぜる必要はありません。覚えやすい長い文やフレーズがおすすめです(例: 「あさのコーヒーは2杯まで」)。よく使われるパスワードは使えません。`}
        >
          <input
            {...describedBy("password", errors.password, "hint")}
            type="password"
            name="password"
            autoComplete="new-password"
            minLength={PASSWORD_MIN_LENGTH}
            required
          />
        </Field>
        <Field id="confirm" label="新しいパスワード(確認)" required error={errors.confirm}>
          <input
            {...describedBy("confirm", errors.confirm)}
            type="password"
            name="confirm"
            autoComplete="new-password"
            required
          />
        </Field>
        <button type="submit" className="button button--large">
          パスワードを設定する
        </button>
      </Form>
    </section>
  );
}
