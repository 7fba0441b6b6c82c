import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { describedBy, Field, FormError } from "../components/field";
import { groupTitle } from "../utils/working-groups";
import { requireGroupManager } from "../domain/working-groups/access.server";
import {
  createGroup,
  groupSchema,
  listManagedGroups,
} from "../domain/working-groups/groups.server";
import {
  createRound,
  listManagedRounds,
  roundSchema,
} from "../domain/working-groups/recruitment.server";
import { formatDate, formatDateTime } from "../utils/format";
import { formErrors, formValuesOf } from "../utils/action-result";
import { formValues, parseForm } from "../utils/forms";
import { type ActionResult, domainAction, invalidFormAnswer } from "../utils/action.server";
import { scrollRegion } from "../utils/scroll-region";

export const meta: MetaFunction = () => [{ title: "専門部会の管理 | 自治研イベント" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireGroupManager(request, context);
  return {
    groups: await listManagedGroups(context.db, user),
    rounds: await listManagedRounds(context.db, user),
  };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireGroupManager(request, context);
  const formData = await request.formData();
  const intent = String(formData.get("intent") ?? "");
  return domainAction(
    async () => {
      if (intent === "group") {
        const form = parseForm(groupSchema, formData);
        if (!form.ok) return invalidFormAnswer(form, intent);
        const id = await createGroup(context.db, { actor: user, input: form.data });
        return redirect(`/admin/groups/${id}`);
      }
      if (intent === "round") {
        const form = parseForm(roundSchema, formData);
        if (!form.ok) return invalidFormAnswer(form, intent);
        const id = await createRound(context.db, { actor: user, input: form.data });
        return redirect(`/admin/groups/recruitment/${id}`);
      }
      throw new Response("操作を受け付けられませんでした。", { status: 400 });
    },
    { intent, values: formValues(formData) },
  );
}

export default function AdminGroups() {
  const { groups, rounds } = useLoaderData<typeof loader>();
  const result = useActionData<ActionResult>();
  const errorsFor = (intent: string) => formErrors(result, intent);
  const valueFor = (intent: string, name: string, fallback = "") => {
    const v = formValuesOf(result, intent)[name];
    return typeof v === "string" ? v : fallback;
  };
  const g = errorsFor("group");
  const r = errorsFor("round");
  return (
    <section>
      <h1>専門部会の管理</h1>
      <p className="actions small">
        <Link to="/groups">専門部会(公開ページ)</Link>
        <Link to="/materials/new">資料を追加する</Link>
        <Link to="/admin/reports">自治研レポートの管理</Link>
      </p>
      <h2>専門部会</h2>
      {groups.length === 0 ? <p>管理している専門部会はありません。</p> : null}
      <div {...scrollRegion("専門部会の一覧")}>
        <table className="list">
          <thead>
            <tr>
              <th>年次</th>
              <th>専門部会</th>
              <th>部会員</th>
              <th>会合</th>
              <th>次回</th>
            </tr>
          </thead>
          <tbody>
            {groups.map((group) => (
              <tr key={group.id}>
                <td>{group.term}</td>
                <td>
                  <Link to={`/admin/groups/${group.id}`}>{groupTitle(group)}</Link>
                </td>
                <td>{group.member_count}名</td>
                <td>{group.meeting_count}回</td>
                <td>{group.next_meeting_at ? formatDate(group.next_meeting_at) : "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      <h2>専門部会員募集</h2>
      {rounds.length === 0 ? <p>募集はまだありません。</p> : null}
      <ul className="stack" style={{ listStyle: "none", padding: 0 }}>
        {rounds.map((round) => (
          <li key={round.id} className="card">
            <h3>
              <Link to={`/admin/groups/recruitment/${round.id}`}>{round.title}</Link>
            </h3>
            <p className="small">
              {round.term}・受付 {formatDateTime(round.opens_at)}〜{formatDateTime(round.closes_at)}
              ・応募 {round.applications}名
              {round.results_sent_at
                ? `・結果通知済み(${formatDateTime(round.results_sent_at)})`
                : ""}
            </p>
          </li>
        ))}
      </ul>

      <details className="change" open={Object.keys(r).length > 0}>
        <summary>募集を始める</summary>
        <Form method="post" className="form" noValidate>
          <input type="hidden" name="intent" value="round" />
          <FormError message={r._form} errors={r} />
          <Field
            id="round-term"
            label="年次"
            required
            hint="この年次の専門部会に応募を受け付けます(例: 第20年次)"
            error={r.term}
          >
            <input
              type="text"
              {...describedBy("round-term", r.term, "hint")}
              name="term"
              defaultValue={valueFor("round", "term")}
            />
          </Field>
          <Field id="round-title" label="募集名" required error={r.title}>
            <input
              type="text"
              {...describedBy("round-title", r.title)}
              name="title"
              defaultValue={valueFor("round", "title", "専門部会員募集")}
            />
          </Field>
          <Field id="round-description" label="案内文" error={r.description}>
            <textarea
              {...describedBy("round-description", r.description)}
              name="description"
              rows={4}
              defaultValue={valueFor("round", "description")}
            />
          </Field>
          <div className="row-2">
            <Field id="round-opens" label="受付開始" required error={r.opens_at}>
              <input
                {...describedBy("round-opens", r.opens_at)}
                type="datetime-local"
                name="opens_at"
                defaultValue={valueFor("round", "opens_at")}
              />
            </Field>
            <Field id="round-closes" label="受付締切" required error={r.closes_at}>
              <input
                {...describedBy("round-closes", r.closes_at)}
                type="datetime-local"
                name="closes_at"
                defaultValue={valueFor("round", "closes_at")}
              />
            </Field>
          </div>
          <Field id="round-max" label="希望の数" required error={r.max_choices}>
            <select
              {...describedBy("round-max", r.max_choices)}
              name="max_choices"
              defaultValue={valueFor("round", "max_choices", "3")}
            >
              {[1, 2, 3, 4, 5].map((n) => (
                <option key={n} value={n}>
                  第{n}希望まで
                </option>
              ))}
            </select>
          </Field>
          <button type="submit" className="button">
            募集を始める
          </button>
        </Form>
      </details>

      <details className="change" open={Object.keys(g).length > 0}>
        <summary>専門部会を追加する</summary>
        <Form method="post" className="form" noValidate>
          <input type="hidden" name="intent" value="group" />
          <FormError message={g._form} errors={g} />
          <div className="row-2">
            <Field id="group-term" label="年次" required error={g.term}>
              <input
                type="text"
                {...describedBy("group-term", g.term)}
                name="term"
                defaultValue={valueFor("group", "term")}
              />
            </Field>
            <Field id="group-number" label="部会の番号" required error={g.number}>
              <input
                {...describedBy("group-number", g.number)}
                type="number"
                name="number"
                min={1}
                max={99}
                defaultValue={valueFor("group", "number")}
              />
            </Field>
          </div>
          <Field id="group-theme" label="テーマ" required error={g.theme}>
            <input
              type="text"
              {...describedBy("group-theme", g.theme)}
              name="theme"
              defaultValue={valueFor("group", "theme")}
            />
          </Field>
          <Field id="group-topics" label="具体的調査・研究内容" hint="1行に1つ" error={g.topics}>
            <textarea
              {...describedBy("group-topics", g.topics, "hint")}
              name="topics"
              rows={3}
              defaultValue={valueFor("group", "topics")}
            />
          </Field>
          <button type="submit" className="button">
            専門部会を追加する
          </button>
        </Form>
      </details>
    </section>
  );
}
