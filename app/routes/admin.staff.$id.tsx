import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { ActionResult as ResultLine, describedBy, Field } from "../components/field";
import { requireAdmin } from "../domain/permissions.server";
import {
  changeStaffRole,
  getStaffAccount,
  inviteChoices,
  resendInvitation,
  resetStaffTotp,
  roleSchema,
  setStaffDisabled,
} from "../domain/staff.server";
import {
  actionOk,
  type ActionResult,
  domainAction,
  invalidForm,
  notFound,
} from "../utils/action.server";
import { formatDateTime } from "../utils/format";
import { parseForm } from "../utils/forms";
import {
  STAFF_ACTION_LABELS,
  STAFF_ROLE_LABELS,
  STAFF_STATUS_LABELS,
  type StaffRole,
} from "../utils/labels";
import { scrollRegion } from "../utils/scroll-region";

export const meta: MetaFunction = () => [{ title: "スタッフのアカウント | イベント管理" }];

/** Built on first use: the schemas come from a .server module, absent from the browser bundle. */
const formSchema = () =>
  z.discriminatedUnion("intent", [
    roleSchema.extend({ intent: z.literal("role") }),
    z.object({ intent: z.literal("disable") }),
    z.object({ intent: z.literal("enable") }),
    z.object({ intent: z.literal("resend") }),
    z.object({ intent: z.literal("reset-totp") }),
  ]);

/** One staff account: its role and union, its state, and what was done to it. */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = await requireAdmin(request, context);
  const account = await getStaffAccount(context.db, params.id ?? "");
  if (!account) notFound();
  const { unions } = await inviteChoices(context.db);
  return { ...account, unions, self: String(account.person.id) === String(user.id) };
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const user = await requireAdmin(request, context);
  const personId = params.id ?? "";
  const form = parseForm(formSchema(), await request.formData());
  if (!form.ok) return invalidForm(form);
  const data = form.data;
  return domainAction(
    async () => {
      switch (data.intent) {
        case "role":
          await changeStaffRole(context.db, {
            by: user,
            personId,
            role: data.role,
            organisationId: data.organisation_id,
          });
          return actionOk("役割・所属単組を変更しました。この人のログインは終了しました。");
        case "disable":
          await setStaffDisabled(context.db, { by: user, personId, disabled: true });
          return actionOk("アカウントを無効にしました。この人のログインは終了しました。");
        case "enable":
          await setStaffDisabled(context.db, { by: user, personId, disabled: false });
          return actionOk("アカウントを有効に戻しました。");
        case "resend":
          await resendInvitation(context.db, { by: user, personId });
          return actionOk("招待メールを再送しました。以前のリンクは使えなくなりました。");
        case "reset-totp":
          await resetStaffTotp(context.db, { by: user, personId });
          return actionOk("2段階認証をリセットしました。次回のログイン後に設定し直せます。");
      }
    },
    { values: form.values },
  );
}

export default function StaffAccount() {
  const { person, history, unions, self } = useLoaderData<typeof loader>();
  const result = useActionData<ActionResult>();
  const errors = result?.errors ?? {};
  const status = STAFF_STATUS_LABELS[person.status];
  return (
    <section>
      <p className="small">
        <Link className="back-link" to="/admin/staff">
          ← スタッフ管理
        </Link>
      </p>
      <h1>{`${person.family_name} ${person.given_name}`.trim() || person.email}</h1>
      <ResultLine
        result={
          result?.message
            ? { ok: result.ok, message: result.message, errors: result.errors }
            : undefined
        }
      />
      <dl className="facts">
        <dt>メールアドレス</dt>
        <dd>{person.email}</dd>
        <dt>役割</dt>
        <dd>
          {STAFF_ROLE_LABELS[person.role as StaffRole]}
          {person.organisation_name ? `(${person.organisation_name})` : ""}
        </dd>
        <dt>状態</dt>
        <dd>
          <span className={`badge ${status.badge}`}>{status.label}</span>
          {person.valid_until ? ` ${formatDateTime(person.valid_until)}まで` : ""}
        </dd>
        <dt>担当イベント</dt>
        <dd>
          {person.event_titles.length ? (
            <ul className="plain">
              {person.event_titles.map((t) => (
                <li key={t}>{t}</li>
              ))}
            </ul>
          ) : (
            "なし"
          )}
        </dd>
        <dt>2段階認証</dt>
        <dd>{person.totp_enabled_at ? "設定済み" : "未設定"}</dd>
      </dl>

      {self ? (
        <p className="notice notice--warn">
          ご自身の役割・所属単組・アカウントの状態は変更できません。別の管理者に依頼してください。パスワードと2段階認証は
          <Link to="/admin/account">アカウント</Link>の画面で変更できます。
        </p>
      ) : (
        <>
          <h2>役割・所属単組</h2>
          <Form method="post" className="form" noValidate>
            <input type="hidden" name="intent" value="role" />
            <Field id="role" label="役割" required error={errors.role}>
              <select {...describedBy("role", errors.role)} name="role" defaultValue={person.role}>
                {(Object.keys(STAFF_ROLE_LABELS) as StaffRole[]).map((r) => (
                  <option key={r} value={r}>
                    {STAFF_ROLE_LABELS[r]}
                  </option>
                ))}
              </select>
            </Field>
            <Field
              id="organisation_id"
              label="所属単組(単組書記長のみ)"
              error={errors.organisation_id}
            >
              <select
                {...describedBy("organisation_id", errors.organisation_id)}
                name="organisation_id"
                defaultValue={person.organisation_id ?? ""}
              >
                <option value="">選択してください</option>
                {unions.map((u) => (
                  <option key={u.id} value={u.id}>
                    {u.name}
                  </option>
                ))}
              </select>
            </Field>
            <button type="submit" className="button">
              変更する
            </button>
          </Form>

          <h2>アカウントの操作</h2>
          <div className="actions">
            {person.status === "invited" || person.status === "invitation_expired" ? (
              <Form method="post">
                <input type="hidden" name="intent" value="resend" />
                <button type="submit" className="button button--secondary">
                  招待メールを再送する
                </button>
              </Form>
            ) : null}
            {person.totp_enabled_at ? (
              <Form method="post">
                <input type="hidden" name="intent" value="reset-totp" />
                <button type="submit" className="button button--secondary">
                  2段階認証をリセットする
                </button>
              </Form>
            ) : null}
            <Form method="post">
              <input
                type="hidden"
                name="intent"
                value={person.disabled_at ? "enable" : "disable"}
              />
              <button type="submit" className="button button--secondary">
                {person.disabled_at ? "有効に戻す" : "無効にする"}
              </button>
            </Form>
          </div>
        </>
      )}

      <h2>変更の履歴</h2>
      {history.length === 0 ? (
        <p className="muted">まだありません。</p>
      ) : (
        <div {...scrollRegion("変更の履歴")}>
          <table className="list">
            <thead>
              <tr>
                <th>日時</th>
                <th>操作</th>
                <th>操作した人</th>
              </tr>
            </thead>
            <tbody>
              {history.map((h) => (
                <tr key={h.id}>
                  <td>{formatDateTime(h.at)}</td>
                  <td>{STAFF_ACTION_LABELS[h.action] ?? h.action}</td>
                  <td>
                    {h.actor_name ??
                      (h.action === "staff.admin_created" ? "サーバー管理者" : "本人")}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
