import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { ActionResult, describedBy, Field } from "../components/field";
import {
  addEventStaff,
  addEventStaffSchema,
  listEventStaff,
  removeEventStaff,
  removeEventStaffSchema,
} from "../domain/event-staff.server";
import { requireEventAccess } from "../domain/permissions.server";
import {
  type ActionResponse,
  answer,
  domainErrorAnswer,
  invalidFormAnswer,
} from "../utils/action.server";
import { formatDateTime } from "../utils/format";
import { parseForm } from "../utils/forms";
import { eventTabMeta } from "../utils/meta";
import { scrollRegion } from "../utils/scroll-region";

export const meta = eventTabMeta("担当者");

const ROLE_LABELS = { organiser: "主催担当", reception: "受付" } as const;

/** Who works on this event: its organisers and reception staff, added by email. */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const access = await requireEventAccess(request, context, {
    eventId: params.id,
    permission: "manage",
  });
  return { staff: await listEventStaff(context.db, access.eventId), me: access.user.id };
}

export async function action({
  request,
  params,
  context,
}: ActionFunctionArgs): Promise<ActionResponse> {
  const access = await requireEventAccess(request, context, {
    eventId: params.id,
    permission: "manage",
  });
  const formData = await request.formData();
  const intent = formData.get("intent") === "remove" ? "remove" : "add";
  try {
    if (intent === "remove") {
      const form = parseForm(removeEventStaffSchema, formData);
      if (!form.ok)
        return answer({
          ok: false,
          message: "操作を受け付けられませんでした。画面を再読み込みしてください。",
          intent,
        });
      await removeEventStaff(context.db, {
        access,
        personId: form.data.person,
        role: form.data.role,
      });
      return answer({ ok: true, message: "担当から外しました。", intent });
    }
    const form = parseForm(addEventStaffSchema, formData);
    if (!form.ok) return invalidFormAnswer(form, intent);
    const { added, invited, name } = await addEventStaff(context.db, { access, ...form.data });
    const role = ROLE_LABELS[form.data.role];
    return answer({
      ok: true,
      message: !added
        ? `${name}さんは既に${role}です。`
        : invited
          ? `${name}さんを${role}として招待しました。メールのリンクからパスワードを設定すると使えるようになります(リンクの有効期限は72時間)。`
          : `${name}さんを${role}に追加しました。`,
      intent,
    });
  } catch (error) {
    return domainErrorAnswer(error, {
      intent,
      values: Object.fromEntries([...formData].map(([k, v]) => [k, String(v)])),
    });
  }
}

export default function EventStaff() {
  const { staff, me } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const errors = result?.intent === "add" ? (result.errors ?? {}) : {};
  const values = result?.intent === "add" && !result.ok ? (result.values ?? {}) : {};
  const v = (name: string) => (typeof values[name] === "string" ? (values[name] as string) : "");
  return (
    <section>
      <h2>担当者</h2>
      <p className="muted small">
        このイベントを管理できる主催担当と、受付画面を使える受付担当です。管理者はすべてのイベントを、単組書記長は自分の単組の申込者を見られます。
      </p>
      {result ? (
        <ActionResult
          result={{ ok: result.ok, message: result.message ?? "", errors: result.errors }}
        />
      ) : null}
      {staff.length === 0 ? (
        <p>担当者はまだいません。</p>
      ) : (
        <div {...scrollRegion("担当者の一覧")}>
          <table className="list">
            <caption className="visually-hidden">担当者の一覧</caption>
            <thead>
              <tr>
                <th scope="col">氏名</th>
                <th scope="col">役割</th>
                <th scope="col">追加日時</th>
                <th scope="col">追加した人</th>
                <th scope="col">
                  <span className="visually-hidden">操作</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {staff.map((s) => (
                <tr key={`${s.person_id}-${s.role}`}>
                  <td>
                    {`${s.family_name} ${s.given_name}`}
                    <br />
                    <span className="small muted">{s.email}</span>
                  </td>
                  <td>{ROLE_LABELS[s.role]}</td>
                  <td className="nowrap">{formatDateTime(s.added_at)}</td>
                  <td>{s.added_by_name ?? "—"}</td>
                  <td>
                    {s.person_id === me ? (
                      <span className="small muted">(自分)</span>
                    ) : (
                      <Form method="post">
                        <input type="hidden" name="intent" value="remove" />
                        <input type="hidden" name="person" value={s.person_id} />
                        <input type="hidden" name="role" value={s.role} />
                        <button type="submit" className="button button--secondary">
                          外す
                          <span className="visually-hidden">
                            ({`${s.family_name} ${s.given_name}`}・{ROLE_LABELS[s.role]})
                          </span>
                        </button>
                      </Form>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <h3 style={{ marginTop: "1.5rem" }}>担当者を追加する</h3>
      {/* A new key after each success empties the form for the next person. */}
      <Form method="post" className="form" noValidate key={result?.ok ? result.message : "add"}>
        <input type="hidden" name="intent" value="add" />
        <Field
          id="email"
          label="メールアドレス"
          required
          error={errors.email}
          hint="スタッフアカウントのメールアドレス。アカウントがない方には招待メールを送ります"
        >
          <input
            {...describedBy("email", errors.email, "hint")}
            type="email"
            name="email"
            autoComplete="off"
            defaultValue={v("email")}
            required
          />
        </Field>
        <Field
          id="name"
          label="氏名"
          error={errors.name}
          hint="アカウントがまだない方を招待するときに入力します(例: 受付 花子)"
        >
          <input
            {...describedBy("name", errors.name, "hint")}
            type="text"
            name="name"
            autoComplete="off"
            defaultValue={v("name")}
          />
        </Field>
        <Field id="role" label="役割" required error={errors.role}>
          <select
            {...describedBy("role", errors.role)}
            name="role"
            defaultValue={v("role") || "reception"}
          >
            <option value="reception">受付(受付画面のみ)</option>
            <option value="organiser">主催担当(共同で管理)</option>
          </select>
        </Field>
        <button type="submit" className="button">
          追加する
        </button>
      </Form>
    </section>
  );
}
