import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { ActionResult } from "../components/field";
import { formatBytes } from "../components/group-meetings";
import { DomainError } from "../domain/errors.server";
import {
  getReportsForManager,
  moveReport,
  reportReviewSchema,
  reviewReport,
} from "../domain/reports.server";
import { requireGroupManager } from "../domain/working-groups/access.server";
import { formatDate, formatDateTime } from "../utils/format";
import { parseForm, rowId, parseRowId } from "../utils/forms";
import { answer, domainAction, notFound } from "../utils/action.server";

export const meta: MetaFunction = () => [{ title: "レポートの審査・プログラム | 自治研イベント" }];

const STATUS_LABELS = { submitted: "未審査", accepted: "採択", rejected: "不採択" } as const;
const AWARDS = ["最優秀賞", "優秀賞", "奨励賞", "特別賞"];

/**
 * One convention's reports: accept or not, assign to a 分科会, order the
 * presentations within each 分科会, and record awards (表彰).
 */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = await requireGroupManager(request, context);
  const page = await getReportsForManager(context.db, {
    user,
    eventId: parseRowId(params.eventId) ?? 0,
  });
  if (!page) notFound("レポート");
  return page;
}

const moveSchema = z.object({
  report: rowId(),
  direction: z.enum(["up", "down"]),
});

export async function action({ request, params, context }: ActionFunctionArgs) {
  const user = await requireGroupManager(request, context);
  const eventId = parseRowId(params.eventId) ?? 0;
  const formData = await request.formData();
  const intent = formData.get("intent");
  return domainAction(async () => {
    if (intent === "review") {
      const form = parseForm(reportReviewSchema, formData);
      if (!form.ok) {
        return answer({
          ok: false,
          code: "invalid_input",
          message: Object.values(form.errors)[0] ?? "入力内容をご確認ください。",
          errors: form.errors,
        });
      }
      await reviewReport(context.db, { actor: user, eventId, input: form.data });
      return { ok: true, message: "レポートの審査内容を保存しました。" };
    }
    if (intent === "move") {
      const form = parseForm(moveSchema, formData);
      if (!form.ok) throw new DomainError("invalid_input");
      await moveReport(context.db, {
        actor: user,
        eventId,
        reportId: form.data.report,
        direction: form.data.direction,
      });
      return { ok: true, message: "発表順を変更しました。" };
    }
    throw new Response("操作を受け付けられませんでした。", { status: 400 });
  });
}

export default function AdminEventReports() {
  const { event, courses, reports } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const accepted = reports.filter((r) => r.status === "accepted");
  const programme = [
    ...courses.map((c) => ({
      key: String(c.id),
      label: `${c.code} ${c.title}`,
      items: accepted.filter((r) => r.course_id === c.id),
    })),
    { key: "none", label: "分科会未定", items: accepted.filter((r) => r.course_id === null) },
  ].filter((c) => c.items.length > 0);
  return (
    <section>
      <p className="small">
        <Link className="back-link" to="/admin/reports">
          ← 自治研レポートの管理
        </Link>
      </p>
      <h1>{event.title}</h1>
      <p className="small muted">
        {formatDate(event.starts_at)}・レポート {reports.length}件
      </p>
      <ActionResult result={result} />

      <h2>発表プログラム</h2>
      {programme.length === 0 ? <p>採択したレポートはまだありません。</p> : null}
      {programme.map((c) => (
        <div key={c.key}>
          <h3>{c.label}</h3>
          <ol>
            {c.items.map((r, i) => (
              <li key={r.id}>
                {r.title}
                <span className="small muted">
                  {" "}
                  {r.authors}
                  {r.union_name ? `(${r.union_name})` : ""}
                </span>
                {r.award ? <span className="badge badge--warn">{r.award}</span> : null}
                {c.key !== "none" ? (
                  <Form
                    method="post"
                    style={{ display: "inline-flex", gap: "0.25rem", marginLeft: "0.5rem" }}
                  >
                    <input type="hidden" name="intent" value="move" />
                    <input type="hidden" name="report" value={r.id} />
                    <button
                      type="submit"
                      name="direction"
                      value="up"
                      className="button button--secondary"
                      disabled={i === 0}
                      aria-label={`${r.title}を前へ`}
                    >
                      ↑
                    </button>
                    <button
                      type="submit"
                      name="direction"
                      value="down"
                      className="button button--secondary"
                      disabled={i === c.items.length - 1}
                      aria-label={`${r.title}を後へ`}
                    >
                      ↓
                    </button>
                  </Form>
                ) : null}
              </li>
            ))}
          </ol>
        </div>
      ))}

      <h2>提出されたレポート</h2>
      {reports.length === 0 ? <p>まだレポートは提出されていません。</p> : null}
      <datalist id="awards">
        {AWARDS.map((a) => (
          <option key={a} value={a} />
        ))}
      </datalist>
      <div className="stack">
        {reports.map((r) => (
          <article key={r.id} className="card" id={`report-${r.id}`}>
            <div className="badges">
              <span
                className={`badge${r.status === "accepted" ? " badge--ok" : r.status === "rejected" ? " badge--done" : " badge--warn"}`}
              >
                {STATUS_LABELS[r.status]}
              </span>
              {r.file_public ? <span className="badge">本文公開に同意</span> : null}
            </div>
            <h3>
              {r.has_file ? <a href={`/reports/${r.id}/file`}>{r.title}</a> : r.title}
              {r.size_bytes ? (
                <span className="small muted"> ({formatBytes(r.size_bytes)})</span>
              ) : null}
            </h3>
            <p className="small">
              {r.authors}
              {r.union_name ? `(${r.union_name})` : ""}・提出 {formatDateTime(r.created_at)}
              {r.requested_course_label ? `・希望: ${r.requested_course_label}` : ""}
            </p>
            <Form method="post" className="filters">
              <input type="hidden" name="intent" value="review" />
              <input type="hidden" name="report" value={r.id} />
              <label>
                採否
                <select name="status" defaultValue={r.status}>
                  <option value="submitted">未審査</option>
                  <option value="accepted">採択</option>
                  <option value="rejected">不採択</option>
                </select>
              </label>
              <label>
                分科会
                <select name="course" defaultValue={r.course_id ?? r.requested_course_id ?? ""}>
                  <option value="">未定</option>
                  {courses.map((c) => (
                    <option key={c.id} value={c.id}>
                      {c.code} {c.title}
                    </option>
                  ))}
                </select>
              </label>
              <label>
                表彰
                <input
                  type="text"
                  name="award"
                  list="awards"
                  defaultValue={r.award}
                  placeholder="例: 優秀賞"
                />
              </label>
              <button type="submit" className="button">
                保存
              </button>
            </Form>
          </article>
        ))}
      </div>
    </section>
  );
}
