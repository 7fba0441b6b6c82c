import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { ActionResult as ResultLine, describedBy, Field } from "../components/field";
import { RecoveryCodes, TotpEnrolForm } from "../components/totp";
import { sessionTokenOf } from "../domain/auth.server";
import { requireStaff } from "../domain/permissions.server";
import {
  changeOwnPassword,
  disableOwnTotp,
  enableTotp,
  getTotpState,
  isTotpRequired,
} from "../domain/staff.server";
import { actionOk, type ActionResult, domainAction, invalidForm } from "../utils/action.server";
import { formatDateTime } from "../utils/format";
import { parseForm } from "../utils/forms";
import { PASSWORD_MIN_LENGTH } from "../utils/staff-policy";
import { STAFF_ROLE_LABELS, type StaffRole } from "../utils/labels";

export const meta: MetaFunction = () => [{ title: "アカウント | イベント管理" }];

const password = (label: string) =>
  z.string().min(1, `${label}を入力してください`).max(1000, "パスワードが長すぎます");

const schema = z.discriminatedUnion("intent", [
  z.object({
    intent: z.literal("password"),
    current: password("現在のパスワード"),
    password: password("新しいパスワード"),
  }),
  z.object({
    intent: z.literal("enable-totp"),
    code: z
      .string()
      .trim()
      .min(1, "確認コードを入力してください")
      .max(20, "確認コードが長すぎます"),
    secret: z.string().max(64, "画面を再読み込みして、もう一度QRコードを読み取ってください"),
  }),
  z.object({ intent: z.literal("disable-totp"), current: password("現在のパスワード") }),
]);

/** A staff member's own account: who they are, their password, their second factor. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireStaff(request, context);
  return {
    user,
    totp: await getTotpState(context.db, user),
    required: await isTotpRequired(context.db),
  };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireStaff(request, context);
  const form = parseForm(schema, await request.formData());
  if (!form.ok) return invalidForm(form);
  const data = form.data;
  return domainAction(async () => {
    if (data.intent === "password") {
      await changeOwnPassword(context.db, {
        user,
        current: data.current,
        password: data.password,
        sessionToken: await sessionTokenOf(request),
      });
      return actionOk("パスワードを変更しました。ほかの端末のログインは終了しました。");
    }
    if (data.intent === "enable-totp") {
      const { recoveryCodes } = await enableTotp(context.db, {
        user,
        secret: data.secret,
        code: data.code,
      });
      return actionOk("2段階認証を有効にしました。", { recoveryCodes });
    }
    await disableOwnTotp(context.db, { user, password: data.current });
    return actionOk("2段階認証を解除しました。");
  });
}

export default function Account() {
  const { user, totp, required } = useLoaderData<typeof loader>();
  const result = useActionData<ActionResult>();
  const errors = result?.errors ?? {};
  const codes = result?.ok ? (result.data?.recoveryCodes as string[] | undefined) : undefined;
  return (
    <section>
      <h1>アカウント</h1>
      <dl className="facts">
        <dt>氏名</dt>
        <dd>
          {user.family_name} {user.given_name}
        </dd>
        <dt>メールアドレス</dt>
        <dd>{user.email}</dd>
        <dt>役割</dt>
        <dd>
          {STAFF_ROLE_LABELS[user.role as StaffRole]}
          <span className="small muted">(役割・所属単組の変更は管理者に依頼してください)</span>
        </dd>
      </dl>
      {codes ? (
        <RecoveryCodes codes={codes} />
      ) : (
        <ResultLine
          result={
            result?.message
              ? { ok: result.ok, message: result.message, errors: result.errors }
              : undefined
          }
        />
      )}

      <h2>2段階認証</h2>
      {totp.enabled ? (
        <>
          <p>
            有効です({formatDateTime(totp.since)}
            から)。ログインのたびに、認証アプリの確認コードを入力します。復旧コードの残り:{" "}
            {totp.recoveryLeft}個
          </p>
          {required ? (
            <p className="small muted">このサイトでは2段階認証が必須のため、解除できません。</p>
          ) : (
            <details>
              <summary>2段階認証を解除する</summary>
              <Form method="post" className="form" noValidate>
                <input type="hidden" name="intent" value="disable-totp" />
                <Field id="totp-current" label="現在のパスワード" required error={errors.current}>
                  <input
                    {...describedBy("totp-current", errors.current)}
                    type="password"
                    name="current"
                    autoComplete="current-password"
                    required
                  />
                </Field>
                <button type="submit" className="button button--secondary">
                  解除する
                </button>
              </Form>
            </details>
          )}
        </>
      ) : (
        <>
          <p>
            パスワードに加えて、スマートフォンの認証アプリの確認コードでログインします。パスワードが漏れても、他人はログインできません。
            {required ? <strong>このサイトでは必須です。</strong> : null}
          </p>
          <TotpEnrolForm
            qr={totp.qr}
            secret={totp.secret}
            action="/admin/account"
            error={errors.code}
          />
        </>
      )}

      <h2>パスワードの変更</h2>
      <Form method="post" className="form" noValidate>
        <input type="hidden" name="intent" value="password" />
        <input type="hidden" name="username" value={user.email} autoComplete="username" />
        <Field id="current" label="現在のパスワード" required error={errors.current}>
          <input
            {...describedBy("current", errors.current)}
            type="password"
            name="current"
            autoComplete="current-password"
            required
          />
        </Field>
        <Field
          id="password"
          label="新しいパスワード"
          required
          error={errors.password}
          hint={`${PASSWORD_MIN_LENGTH}文字以上。記号や数字を混ぜる必要はありません。長い文やフレーズがおすすめです。よく使われるパスワードは使えません。`}
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
        <button type="submit" className="button">
          パスワードを変更する
        </button>
      </Form>
    </section>
  );
}
