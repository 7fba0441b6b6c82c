import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { ActionResult as ResultLine, describedBy, Field } from "../components/field";
import { requireAdmin } from "../domain/permissions.server";
import {
  inviteChoices,
  inviteSchema,
  inviteStaff,
  isTotpRequired,
  listStaff,
  setTotpRequired,
} from "../domain/staff.server";
import { actionOk, type ActionResult, domainAction, invalidForm } from "../utils/action.server";
import { formatDateTime } from "../utils/format";
import { parseForm } from "../utils/forms";
import { INVITE_HOURS } from "../utils/staff-policy";
import { STAFF_ROLE_LABELS, STAFF_STATUS_LABELS, type StaffRole } from "../utils/labels";
import { scrollRegion } from "../utils/scroll-region";

export const meta: MetaFunction = () => [{ title: "スタッフ管理 | イベント管理" }];

/** Built on first use: the schemas come from a .server module, absent from the browser bundle. */
const formSchema = () =>
  z.discriminatedUnion("intent", [
    inviteSchema.extend({ intent: z.literal("invite") }),
    z.object({
      intent: z.literal("require-totp"),
      required: z.enum(["on", "off"], { message: "設定を選択してください" }),
    }),
  ]);

/** Staff accounts: the list, the invitation form, and the rule for second factors. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireAdmin(request, context);
  return {
    staff: await listStaff(context.db),
    choices: await inviteChoices(context.db),
    totpRequired: await isTotpRequired(context.db),
  };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireAdmin(request, context);
  const form = parseForm(formSchema(), await request.formData());
  if (!form.ok) return invalidForm(form);
  const data = form.data;
  return domainAction(
    async () => {
      if (data.intent === "require-totp") {
        await setTotpRequired(context.db, { by: user, required: data.required === "on" });
        return actionOk(
          data.required === "on"
            ? "スタッフ全員に2段階認証を必須にしました。未設定の人は次回のログイン時に設定します。"
            : "2段階認証を任意にしました。",
        );
      }
      const { invited } = await inviteStaff(context.db, {
        by: user,
        email: data.email,
        name: data.name,
        role: data.role,
        organisationId: data.role === "secretary" ? data.organisation_id : null,
        eventId: data.role === "organiser" || data.role === "reception" ? data.event_id : null,
      });
      return actionOk(
        invited
          ? `${data.email} に招待メールを送りました(リンクの有効期限${INVITE_HOURS}時間)。`
          : `${data.email} に担当イベントを追加し、お知らせを送りました。`,
      );
    },
    { values: form.values },
  );
}

export default function StaffList() {
  const { staff, choices, totpRequired } = useLoaderData<typeof loader>();
  const result = useActionData<ActionResult>();
  const busy = useNavigation().state !== "idle";
  const errors = result?.errors ?? {};
  const values = (result?.ok ? {} : (result?.values ?? {})) as Record<string, string>;
  return (
    <section>
      <h1>スタッフ管理</h1>
      <ResultLine
        result={
          result?.message
            ? { ok: result.ok, message: result.message, errors: result.errors }
            : undefined
        }
      />

      <div {...scrollRegion("スタッフの一覧")}>
        <table className="list">
          <thead>
            <tr>
              <th>氏名・メールアドレス</th>
              <th>役割</th>
              <th>状態</th>
            </tr>
          </thead>
          <tbody>
            {staff.map((p) => (
              <tr key={p.id}>
                <td>
                  <Link to={`/admin/staff/${p.id}`} className="nowrap">
                    {`${p.family_name} ${p.given_name}`.trim() || "(未設定)"}
                  </Link>
                  <div className="small muted break">{p.email}</div>
                </td>
                <td>
                  {STAFF_ROLE_LABELS[p.role as StaffRole]}
                  {p.organisation_name ? (
                    <div className="small muted">{p.organisation_name}</div>
                  ) : null}
                  {p.event_titles.length ? (
                    <div className="small muted">担当イベント {p.event_titles.length}件</div>
                  ) : null}
                </td>
                <td>
                  <span className={`badge ${STAFF_STATUS_LABELS[p.status].badge}`}>
                    {STAFF_STATUS_LABELS[p.status].label}
                  </span>
                  {p.valid_until && p.status !== "ended" ? (
                    <div className="small muted">{formatDateTime(p.valid_until)}まで</div>
                  ) : null}
                  <div className="small muted">
                    2段階認証: {p.totp_enabled_at ? "設定済み" : "未設定"}
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      <h2>スタッフを招待する</h2>
      <p className="small muted">
        招待メールのリンクから、本人がパスワードを設定します(リンクの有効期限{INVITE_HOURS}
        時間)。
      </p>
      <Form method="post" className="form" noValidate>
        <input type="hidden" name="intent" value="invite" />
        <Field id="name" label="氏名" required error={errors.name} hint="例: 佐藤 花子">
          <input
            {...describedBy("name", errors.name, "hint")}
            type="text"
            name="name"
            defaultValue={values.name ?? ""}
            maxLength={80}
            required
          />
        </Field>
        <Field id="email" label="メールアドレス" required error={errors.email}>
          <input
            {...describedBy("email", errors.email)}
            type="email"
            name="email"
            defaultValue={values.email ?? ""}
            required
          />
        </Field>
        <Field id="role" label="役割" required error={errors.role}>
          <select
            {...describedBy("role", errors.role)}
            name="role"
            defaultValue={values.role ?? "organiser"}
          >
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
          hint="単組書記長は、この単組の組合員と申込を扱います。"
        >
          <select
            {...describedBy("organisation_id", errors.organisation_id, "hint")}
            name="organisation_id"
            defaultValue={values.organisation_id ?? ""}
          >
            <option value="">選択してください</option>
            {choices.unions.map((u) => (
              <option key={u.id} value={u.id}>
                {u.name}
              </option>
            ))}
          </select>
        </Field>
        <Field
          id="event_id"
          label="担当イベント(主催担当・受付のみ)"
          error={errors.event_id}
          hint="受付をイベントを指定して招待すると、そのイベントの終了までのアカウントになります。"
        >
          <select
            {...describedBy("event_id", errors.event_id, "hint")}
            name="event_id"
            defaultValue={values.event_id ?? ""}
          >
            <option value="">指定しない</option>
            {choices.events.map((e) => (
              <option key={e.id} value={e.id}>
                {e.title}({formatDateTime(e.starts_at)})
              </option>
            ))}
          </select>
        </Field>
        <button type="submit" className="button" disabled={busy}>
          招待メールを送る
        </button>
      </Form>

      <h2>2段階認証の設定</h2>
      <Form method="post" className="form" noValidate>
        <input type="hidden" name="intent" value="require-totp" />
        <p>
          現在:{" "}
          <strong>
            {totpRequired ? "スタッフ全員に必須" : "任意(各自がアカウント画面で設定)"}
          </strong>
        </p>
        <input type="hidden" name="required" value={totpRequired ? "off" : "on"} />
        <button type="submit" className="button button--secondary">
          {totpRequired ? "任意に戻す" : "スタッフ全員に必須にする"}
        </button>
      </Form>
    </section>
  );
}
