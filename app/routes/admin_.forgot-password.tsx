import type { ActionFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData } from "@remix-run/react";
import { z } from "zod";
import { describedBy, Field, FormError } from "../components/field";
import { requestPasswordReset } from "../domain/staff.server";
import { actionOk, type ActionResult, domainAction, invalidForm } from "../utils/action.server";
import { parseForm, emailField } from "../utils/forms";
import { RESET_MINUTES } from "../utils/staff-policy";

export const meta: MetaFunction = () => [{ title: "パスワードを忘れた方 | 自治研イベント" }];

const schema = z.object({
  email: emailField(),
});

/** A staff member's forgotten password: a reset link by email; the same answer for any address. */
export async function action({ request, context }: ActionFunctionArgs) {
  const form = parseForm(schema, await request.formData());
  if (!form.ok) return invalidForm(form);
  return domainAction(
    async () => {
      await requestPasswordReset(context.db, {
        email: form.data.email,
        clientKey: context.clientAddress,
      });
      return actionOk(
        `スタッフとして登録されているアドレスであれば、パスワード再設定用のリンクをお送りしました(有効期限${RESET_MINUTES}分)。メールが届かない場合は、管理者にお問い合わせください。`,
      );
    },
    { values: form.values },
  );
}

export default function ForgotPassword() {
  const result = useActionData<ActionResult>();
  const errors = result?.errors ?? {};
  return (
    <section>
      <h1>パスワードを忘れた方</h1>
      {result?.ok ? (
        <p className="notice notice--ok" role="status">
          {result.message}
        </p>
      ) : (
        <>
          <p>
            スタッフ用アカウントのメールアドレスを入力してください。パスワード再設定用のリンクをお送りします。
          </p>
          <Form method="post" className="form" noValidate>
            <FormError
              message={result && !result.ok && !errors.email ? result.message : undefined}
              errors={errors}
            />
            <Field id="email" label="メールアドレス" required error={errors.email}>
              <input
                {...describedBy("email", errors.email)}
                type="email"
                name="email"
                autoComplete="username"
                defaultValue={String(result?.values?.email ?? "")}
                required
              />
            </Field>
            <button type="submit" className="button button--large">
              再設定用のリンクを送る
            </button>
          </Form>
        </>
      )}
      <p className="small">
        <Link className="tap" to="/admin/login">
          スタッフ用ログインへ戻る
        </Link>
      </p>
    </section>
  );
}
