import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { z } from "zod";
import { FormError } from "../components/field";
import { MeetingFields } from "../components/group-meetings";
import { placeText, RSVP_LABELS } from "../utils/working-groups";
import { DomainError } from "../domain/errors.server";
import { requireGroupManager } from "../domain/working-groups/access.server";
import { recordAttendance } from "../domain/working-groups/attendance.server";
import {
  getMeetingForManager,
  meetingFormValues,
  meetingSchema,
  sendRsvpReminders,
  updateMeeting,
} from "../domain/working-groups/meetings.server";
import {
  type ActionResult,
  domainAction,
  invalidFormAnswer,
  notFound,
} from "../utils/action.server";
import { formatDateTime, formatRange } from "../utils/format";
import { parseForm, parseRowId } from "../utils/forms";
import { scrollRegion } from "../utils/scroll-region";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `${data.meeting.title} | 専門部会の管理` : "専門部会の管理" },
];

/** One meeting for its group's manager: the answers, a reminder, attendance, and editing. */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = await requireGroupManager(request, context);
  const page = await getMeetingForManager(context.db, {
    user,
    groupId: parseRowId(params.id) ?? 0,
    meetingId: parseRowId(params.meetingId) ?? 0,
  });
  if (!page) notFound("会合");
  return { ...page, formValues: meetingFormValues(page.meeting) };
}

const attendanceSchema = z.object({
  attended: z.array(z.string().regex(/^\d{1,18}$/)).default([]),
});

export async function action({ request, params, context }: ActionFunctionArgs) {
  const user = await requireGroupManager(request, context);
  const groupId = parseRowId(params.id) ?? 0;
  const meetingId = parseRowId(params.meetingId) ?? 0;
  const page = await getMeetingForManager(context.db, { user, groupId, meetingId });
  if (!page) notFound("会合");
  const formData = await request.formData();
  const intent = String(formData.get("intent") ?? "");
  return domainAction(
    async () => {
      if (intent === "remind") {
        const { sent } = await sendRsvpReminders(context.db, {
          actor: user,
          meetingId,
          appUrl: context.appUrl,
        });
        return {
          intent,
          ok: true,
          message:
            sent === 0
              ? "未回答の部会員はいません。リマインドは送信していません。"
              : `未回答の${sent}名にリマインドメールを送信しました。`,
        };
      }
      if (intent === "attendance") {
        const form = parseForm(attendanceSchema, formData, ["attended"]);
        if (!form.ok) throw new DomainError("invalid_input");
        const { attended, absent } = await recordAttendance(context.db, {
          actor: user,
          groupId,
          meetingId,
          attendedIds: form.data.attended,
        });
        return {
          intent,
          ok: true,
          message: `出席を記録しました(出席 ${attended}名・欠席 ${absent}名)。`,
        };
      }
      if (intent === "edit") {
        formData.set("group", String(groupId));
        const form = parseForm(meetingSchema, formData, ["group"]);
        if (!form.ok) return invalidFormAnswer(form, intent);
        const { notified } = await updateMeeting(context.db, {
          actor: user,
          meetingId,
          input: { ...form.data, group: [groupId] },
          appUrl: context.appUrl,
        });
        return {
          intent,
          ok: true,
          message:
            notified > 0
              ? `会合を変更し、部会員${notified}名に変更をメールで通知しました。`
              : "会合を変更しました。",
        };
      }
      throw new Response("操作を受け付けられませんでした。", { status: 400 });
    },
    { intent },
  );
}

export default function AdminMeeting() {
  const { group, meeting, roster, counts, started, formValues } = useLoaderData<typeof loader>();
  const result = useActionData<ActionResult>();
  const [params] = useSearchParams();
  const editErrors: Record<string, string> = (result?.intent === "edit" && result.errors) || {};
  const editValues: Record<string, unknown> = (result?.intent === "edit" && result.values) || {};
  const value = (name: string, fallback = "") => {
    const v = editValues[name];
    return typeof v === "string" ? v : (formValues[name] ?? fallback);
  };
  const recorded = roster.some((p) => p.attended !== null);
  return (
    <section>
      <p className="small">
        <Link className="back-link" to={`/admin/groups/${group.id}`}>
          ← {group.name} の管理
        </Link>
      </p>
      <div className="badges">
        <span className="badge">{meeting.number !== null ? `第${meeting.number}回` : "合同"}</span>
        {meeting.groups.length > 1 ? (
          <span className="badge badge--warn">
            {meeting.groups.map((g) => g.name).join("・")} 合同
          </span>
        ) : null}
      </div>
      <h1>{meeting.title}</h1>
      <p>{formatRange(meeting.starts_at, meeting.ends_at)}</p>
      <p>
        {placeText(meeting)}
        {meeting.online_url ? (
          <>
            {" "}
            <a href={meeting.online_url} target="_blank" rel="noreferrer">
              {meeting.online_url}
            </a>
          </>
        ) : null}
      </p>
      {meeting.note ? <p className="small muted">{meeting.note}</p> : null}
      {params.get("created") && !result ? (
        <p className="notice notice--ok" role="status">
          会合を追加し、部会員にメールで通知しました。
        </p>
      ) : null}
      {result?.message ? (
        result.ok ? (
          <p className="notice notice--ok" role="status">
            {result.message}
          </p>
        ) : (
          <FormError message={result.message} />
        )
      ) : null}

      <h2>出欠の回答({group.name})</h2>
      <p>
        {`出席 ${counts.yes}名・欠席 ${counts.no}名・未定 ${counts.maybe}名・未回答 ${counts.none}名`}
      </p>
      {!started ? (
        <Form method="post">
          <input type="hidden" name="intent" value="remind" />
          <button type="submit" className="button button--secondary" disabled={counts.none === 0}>
            未回答の部会員にリマインドを送る
          </button>
          {meeting.rsvp_reminded_at ? (
            <span className="small muted">
              {" "}
              前回のリマインド: {formatDateTime(meeting.rsvp_reminded_at)}
            </span>
          ) : null}
          {meeting.groups.length > 1 ? (
            <p className="small muted">合同会合のため、ほかの部会の未回答者にも送信されます。</p>
          ) : null}
        </Form>
      ) : null}

      <h2>出席の記録</h2>
      <p className="small muted">
        出席した部会員にチェックを入れて保存してください。チェックのない部会員は欠席として記録されます。
        {recorded ? "" : "(まだ記録がないため、「出席」と回答した人にチェックを入れています)"}
      </p>
      <Form method="post" className="form">
        <input type="hidden" name="intent" value="attendance" />
        <div {...scrollRegion("出席の記録")}>
          <table className="list">
            <thead>
              <tr>
                <th>出席</th>
                <th>氏名</th>
                <th>所属</th>
                <th>出欠の回答</th>
              </tr>
            </thead>
            <tbody>
              {roster.map((p) => (
                <tr key={p.id}>
                  <td>
                    <input
                      type="checkbox"
                      name="attended"
                      value={p.id}
                      id={`attended-${p.id}`}
                      defaultChecked={recorded ? p.attended === true : p.answer === "yes"}
                    />
                  </td>
                  <td>
                    <label htmlFor={`attended-${p.id}`}>{p.name}</label>
                  </td>
                  <td className="small">{p.union_name}</td>
                  <td>
                    {p.answer ? RSVP_LABELS[p.answer] : <span className="muted">未回答</span>}
                    {p.answered_at ? (
                      <span className="small muted"> {formatDateTime(p.answered_at)}</span>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <button type="submit" className="button">
          出席を保存する
        </button>
      </Form>

      <details className="change" open={Object.keys(editErrors).length > 0}>
        <summary>日時・会場を変更する(部会員にメールで通知します)</summary>
        <Form method="post" className="form" noValidate>
          <input type="hidden" name="intent" value="edit" />
          <FormError errors={editErrors} />
          <MeetingFields errors={editErrors} value={value} />
          <button type="submit" className="button">
            変更して通知する
          </button>
        </Form>
      </details>
    </section>
  );
}
