import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { describedBy, Field, FormError } from "../components/field";
import { GroupAdminHeader, MeetingFields } from "../components/group-meetings";
import { groupTitle, placeText } from "../utils/working-groups";
import { requireGroupManager } from "../domain/working-groups/access.server";
import {
  addRosterMember,
  getGroupForManager,
  removeRosterMember,
  setRosterRole,
} from "../domain/working-groups/groups.server";
import { createMeeting, meetingSchema } from "../domain/working-groups/meetings.server";
import { formatRange } from "../utils/format";
import { emailField, formValues, parseForm, parseRowId } from "../utils/forms";
import { formErrors, formValuesOf } from "../utils/action-result";
import {
  type ActionResult,
  answer,
  domainAction,
  invalidFormAnswer,
  notFound,
} from "../utils/action.server";
import { scrollRegion } from "../utils/scroll-region";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `${data.group.name} の管理 | 自治研イベント` : "専門部会の管理" },
];

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = await requireGroupManager(request, context);
  const page = await getGroupForManager(context.db, { user, groupId: parseRowId(params.id) ?? 0 });
  if (!page) notFound("専門部会");
  return page;
}

const memberSchema = z.object({
  email: emailField(),
});
const personSchema = z.object({
  person: z.string().regex(/^\d{1,18}$/),
  role: z.enum(["member", "leader"]).optional(),
});

export async function action({ request, params, context }: ActionFunctionArgs) {
  const user = await requireGroupManager(request, context);
  const groupId = parseRowId(params.id) ?? 0;
  const formData = await request.formData();
  const intent = String(formData.get("intent") ?? "");
  return domainAction(
    async () => {
      if (intent === "meeting") {
        const form = parseForm(meetingSchema, formData, ["group"]);
        if (!form.ok) return invalidFormAnswer(form, intent);
        const id = await createMeeting(context.db, {
          actor: user,
          input: form.data,
          appUrl: context.appUrl,
        });
        return redirect(`/admin/groups/${groupId}/meetings/${id}?created=1`);
      }
      if (intent === "add_member") {
        const form = parseForm(memberSchema, formData);
        if (!form.ok) return invalidFormAnswer(form, intent);
        await addRosterMember(context.db, { actor: user, groupId, email: form.data.email });
        return { ok: true, intent, message: "部会員に追加しました。" };
      }
      if (intent === "remove_member" || intent === "role") {
        const form = parseForm(personSchema, formData);
        if (!form.ok)
          return answer({
            ok: false,
            intent,
            code: "invalid_input",
            message: "操作を受け付けられませんでした。",
          });
        if (intent === "remove_member") {
          await removeRosterMember(context.db, {
            actor: user,
            groupId,
            personId: form.data.person,
          });
          return { ok: true, intent, message: "部会員から外しました。" };
        }
        await setRosterRole(context.db, {
          actor: user,
          groupId,
          personId: form.data.person,
          role: form.data.role ?? "member",
        });
        return { ok: true, intent, message: "役割を変更しました。" };
      }
      throw new Response("操作を受け付けられませんでした。", { status: 400 });
    },
    { intent, values: formValues(formData) },
  );
}

export default function AdminGroup() {
  const { group, roster, meetings, siblings } = useLoaderData<typeof loader>();
  const result = useActionData<ActionResult>();
  const m = formErrors(result, "meeting");
  const add = formErrors(result, "add_member");
  const values: Record<string, unknown> = formValuesOf(result, "meeting");
  const value = (name: string, fallback = "") => {
    const v = values[name];
    return typeof v === "string" ? v : fallback;
  };
  const chosenGroups = Array.isArray(values.group)
    ? (values.group as string[])
    : [String(group.id)];
  return (
    <section>
      <GroupAdminHeader group={group} current="meetings" />
      {result?.ok ? (
        <p className="notice notice--ok" role="status">
          {result.message}
        </p>
      ) : null}
      {result && !result.ok && result.intent !== "meeting" && result.intent !== "add_member" ? (
        <FormError message={result.message} />
      ) : null}

      <h2>会合({meetings.length}回)</h2>
      <div {...scrollRegion("会合の一覧")}>
        <table className="list">
          <thead>
            <tr>
              <th>回</th>
              <th>日時</th>
              <th>会合・会場</th>
              <th>出欠(出席/欠席/未定/未回答)</th>
              <th>出席記録</th>
            </tr>
          </thead>
          <tbody>
            {meetings.map((mt) => (
              <tr key={mt.id}>
                <td className="nowrap">{mt.number !== null ? `第${mt.number}回` : "—"}</td>
                <td>{formatRange(mt.starts_at, mt.ends_at)}</td>
                <td>
                  <Link to={`/admin/groups/${group.id}/meetings/${mt.id}`}>{mt.title}</Link>
                  <br />
                  <span className="small muted">
                    {placeText(mt)}
                    {mt.group_count > 1 ? `・${mt.group_count}部会合同` : ""}
                  </span>
                </td>
                <td>
                  {mt.yes} / {mt.no} / {mt.maybe} / {mt.unanswered}
                </td>
                <td>{mt.attendance_taken ? "記録済み" : mt.upcoming ? "—" : "未記録"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      <details className="change" open={Object.keys(m).length > 0}>
        <summary>会合を追加する(部会員にメールで通知します)</summary>
        <Form method="post" className="form" noValidate>
          <input type="hidden" name="intent" value="meeting" />
          <FormError errors={m} />
          <fieldset>
            <legend>開催する専門部会</legend>
            <p className="hint small muted">
              全体会・中間報告会など、複数の部会の合同会合は複数選んでください。
            </p>
            {siblings.map((s) => (
              <label key={s.id} className="choice">
                <input
                  type="checkbox"
                  name="group"
                  value={s.id}
                  defaultChecked={chosenGroups.includes(String(s.id))}
                />
                <span>{groupTitle(s)}</span>
              </label>
            ))}
            {m.group ? <p className="error">{m.group}</p> : null}
          </fieldset>
          <fieldset>
            <legend>回数</legend>
            <label className="choice">
              <input
                type="radio"
                name="numbering"
                value="next"
                defaultChecked={value("numbering", "next") === "next"}
              />
              <span>各部会の次の回として数える</span>
            </label>
            <label className="choice">
              <input
                type="radio"
                name="numbering"
                value="none"
                defaultChecked={value("numbering") === "none"}
              />
              <span>回数に数えない(中間報告会など)</span>
            </label>
          </fieldset>
          <MeetingFields errors={m} value={value} />
          <button type="submit" className="button">
            会合を追加して通知する
          </button>
        </Form>
      </details>

      <h2>部会員({roster.length}名)</h2>
      <div {...scrollRegion("部会員の一覧")}>
        <table className="list">
          <thead>
            <tr>
              <th>氏名</th>
              <th>所属</th>
              <th>メール</th>
              <th>役割</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {roster.map((p) => (
              <tr key={p.id}>
                <td>{p.name}</td>
                <td>
                  {p.union_name}
                  <br />
                  <span className="small muted">{p.workplace}</span>
                </td>
                <td className="small">{p.email}</td>
                <td>
                  <Form method="post">
                    <input type="hidden" name="intent" value="role" />
                    <input type="hidden" name="person" value={p.id} />
                    <input
                      type="hidden"
                      name="role"
                      value={p.role === "leader" ? "member" : "leader"}
                    />
                    {p.role === "leader" ? "部会長 " : "部会員 "}
                    <button type="submit" className="button button--secondary">
                      {p.role === "leader" ? "部会員にする" : "部会長にする"}
                    </button>
                  </Form>
                </td>
                <td>
                  <Form
                    method="post"
                    onSubmit={(e) => {
                      if (!window.confirm(`${p.name}さんを部会員から外しますか?`))
                        e.preventDefault();
                    }}
                  >
                    <input type="hidden" name="intent" value="remove_member" />
                    <input type="hidden" name="person" value={p.id} />
                    <button type="submit" className="button button--danger">
                      外す
                    </button>
                  </Form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Form method="post" className="form" noValidate>
        <input type="hidden" name="intent" value="add_member" />
        <Field
          id="member-email"
          label="部会員を追加(メールアドレス)"
          required
          hint="プロフィール登録済みの組合員のメールアドレス"
          error={add.email ?? add._form}
        >
          <input
            {...describedBy("member-email", add.email ?? add._form, "hint")}
            type="email"
            name="email"
            autoComplete="off"
          />
        </Field>
        <button type="submit" className="button button--secondary">
          追加する
        </button>
      </Form>
    </section>
  );
}
