import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { FormError } from "../components/field";
import { groupTitle } from "../utils/working-groups";
import { DomainError } from "../domain/errors.server";
import { requireGroupManager } from "../domain/working-groups/access.server";
import {
  announceResults,
  assignApplicant,
  assignFirstChoices,
  getRoundForManager,
} from "../domain/working-groups/recruitment.server";
import { formatDateTime } from "../utils/format";
import { parseForm, parseRowId } from "../utils/forms";
import { type ActionResult, domainAction, notFound } from "../utils/action.server";

export const meta: MetaFunction = () => [{ title: "専門部会員募集 | 専門部会の管理" }];

/** The organiser assigns applicants to groups, then emails everyone the result. */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = await requireGroupManager(request, context);
  const page = await getRoundForManager(context.db, {
    user,
    roundId: parseRowId(params.roundId) ?? 0,
  });
  if (!page) notFound("専門部会員の募集");
  return page;
}

const assignSchema = z.object({
  application: z.string().regex(/^\d{1,18}$/),
  group: z
    .string()
    .optional()
    .default("")
    .refine((v) => v === "" || /^\d{1,9}$/.test(v))
    .transform((v) => (v === "" ? null : Number(v))),
});

export async function action({ request, params, context }: ActionFunctionArgs) {
  const user = await requireGroupManager(request, context);
  const roundId = parseRowId(params.roundId) ?? 0;
  const formData = await request.formData();
  const intent = formData.get("intent");
  return domainAction(async () => {
    if (intent === "assign") {
      const form = parseForm(assignSchema, formData);
      if (!form.ok) throw new DomainError("invalid_input");
      await assignApplicant(context.db, {
        actor: user,
        roundId,
        applicationId: form.data.application,
        groupId: form.data.group,
      });
      return { ok: true, message: "割り当てを保存しました。" };
    }
    if (intent === "first_choices") {
      const n = await assignFirstChoices(context.db, { actor: user, roundId });
      return { ok: true, message: `未割り当ての${n}名を第1希望の部会に割り当てました。` };
    }
    if (intent === "announce") {
      const { assigned, notAssigned } = await announceResults(context.db, {
        actor: user,
        roundId,
        appUrl: context.appUrl,
      });
      return {
        ok: true,
        message: `結果をメールで通知しました(部会員 ${assigned}名・見送り ${notAssigned}名)。部会員は各部会の名簿に追加しました。`,
      };
    }
    throw new Response("操作を受け付けられませんでした。", { status: 400 });
  });
}

export default function Round() {
  const { round, groups, applications } = useLoaderData<typeof loader>();
  const result = useActionData<ActionResult>();
  const sent = Boolean(round.results_sent_at);
  const name = (groupId: number) => {
    const g = groups.find((x) => x.id === groupId);
    return g ? groupTitle(g) : "";
  };
  const unassigned = applications.filter((a) => a.assigned_group_id === null).length;
  return (
    <section>
      <p className="small">
        <Link className="back-link" to="/admin/groups">
          ← 専門部会の管理
        </Link>
      </p>
      <h1>{round.title}</h1>
      <p className="small">
        {round.term}・受付 {formatDateTime(round.opens_at)}〜{formatDateTime(round.closes_at)}・応募{" "}
        {applications.length}名
      </p>
      {result ? (
        result.ok ? (
          <p className="notice notice--ok" role="status">
            {result.message}
          </p>
        ) : (
          <FormError message={result.message} />
        )
      ) : null}
      {sent ? (
        <p className="notice">
          結果は {formatDateTime(round.results_sent_at ?? "")} に通知済みです。
        </p>
      ) : null}
      <h2>部会ごとの割り当て</h2>
      <ul>
        {groups.map((g) => (
          <li key={g.id}>
            {groupTitle(g)}: {g.assigned}名
          </li>
        ))}
        <li>未割り当て(見送り): {unassigned}名</li>
      </ul>
      <h2>応募者</h2>
      {applications.length === 0 ? <p>まだ応募はありません。</p> : null}
      <div className="stack">
        {applications.map((a) => (
          <article key={a.id} className="card" id={`application-${a.id}`}>
            <h3>
              {a.name}
              <span className="small muted">
                {" "}
                {a.union_name}・{a.workplace}
              </span>
            </h3>
            <ol className="small">
              {a.choices.map((c) => (
                <li key={c.rank}>{name(c.group_id)}</li>
              ))}
            </ol>
            <p className="small description">{a.motivation}</p>
            <Form method="post" className="actions">
              <input type="hidden" name="intent" value="assign" />
              <input type="hidden" name="application" value={a.id} />
              <label className="small">
                割り当て{" "}
                <select name="group" defaultValue={a.assigned_group_id ?? ""} disabled={sent}>
                  <option value="">見送り(未割り当て)</option>
                  {groups.map((g) => (
                    <option key={g.id} value={g.id}>
                      {groupTitle(g)}
                      {a.choices.find((c) => c.group_id === g.id)
                        ? `(第${a.choices.find((c) => c.group_id === g.id)?.rank}希望)`
                        : ""}
                    </option>
                  ))}
                </select>
              </label>
              {sent ? null : (
                <button type="submit" className="button button--secondary">
                  保存
                </button>
              )}
            </Form>
          </article>
        ))}
      </div>
      {sent ? null : (
        <div className="actions" style={{ marginTop: "1.5rem" }}>
          <Form method="post">
            <input type="hidden" name="intent" value="first_choices" />
            <button type="submit" className="button button--secondary" disabled={unassigned === 0}>
              未割り当ての人を第1希望に割り当てる
            </button>
          </Form>
          <Form
            method="post"
            onSubmit={(e) => {
              if (
                !window.confirm(
                  `応募者${applications.length}名全員に結果をメールで通知します。未割り当ての${unassigned}名は「見送り」として通知されます。よろしいですか?`,
                )
              )
                e.preventDefault();
            }}
          >
            <input type="hidden" name="intent" value="announce" />
            <button type="submit" className="button" disabled={applications.length === 0}>
              結果を全員にメールで通知する
            </button>
          </Form>
        </div>
      )}
    </section>
  );
}
