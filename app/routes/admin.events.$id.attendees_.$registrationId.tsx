import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { FormError } from "../components/field";
import { attendeeFilterOptions, getAttendee } from "../domain/attendees.server";
import { requireEventAccess } from "../domain/permissions.server";
import {
  cancelRegistration,
  changeRegistration,
  confirmWaitlisted,
} from "../domain/registrations.server";
import { formatDateTime } from "../utils/format";
import { parseForm, rowId } from "../utils/forms";
import { REGISTRATION_STATUS_LABELS } from "../utils/labels";
import { eventTabMeta } from "../utils/meta";

export const meta = eventTabMeta("申込の詳細");
import { answer, domainAction, notFound } from "../utils/action.server";

const ACTION_LABELS: Record<string, string> = {
  registered: "申込(確定)",
  waitlisted: "申込(キャンセル待ち)",
  promoted: "繰り上げ確定",
  confirmed_by_organiser: "主催者が確定",
  changed: "内容変更",
  cancelled: "キャンセル",
};

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const access = await requireEventAccess(request, context, {
    eventId: params.id,
    permission: "attendees",
  });
  const attendee = await getAttendee(context.db, {
    eventId: access.eventId,
    registrationId: params.registrationId ?? "",
    unionId: access.unionId,
  });
  if (!attendee) notFound("申込");
  const options = await attendeeFilterOptions(context.db, access.eventId);
  return { attendee, options, eventId: access.eventId, canManage: access.canManage };
}

const schema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("confirm"), override: z.literal("on").optional() }),
  z.object({ intent: z.literal("cancel") }),
  z.object({
    intent: z.literal("move"),
    course: rowId("コースを選択してください"),
    override: z.literal("on").optional(),
  }),
]);

export async function action({ request, params, context }: ActionFunctionArgs) {
  const access = await requireEventAccess(request, context, {
    eventId: params.id,
    permission: "manage",
  });
  const registrationId = params.registrationId ?? "";
  // An id that is not a registration of this event (or not one the person may see) is a 404, as on GET.
  const attendee = await getAttendee(context.db, {
    eventId: access.eventId,
    registrationId,
    unionId: access.unionId,
  });
  if (!attendee) notFound("申込");
  const form = parseForm(schema, await request.formData());
  if (!form.ok)
    return answer({
      ok: false,
      code: "invalid_input",
      message: Object.values(form.errors)[0] ?? "入力内容をご確認ください。",
      errors: form.errors,
    });
  const base = {
    registrationId,
    eventId: access.eventId,
    actorId: access.user.id,
    appUrl: context.appUrl,
  };
  return domainAction(
    async () => {
      if (form.data.intent === "confirm") {
        await confirmWaitlisted(context.db, { ...base, override: form.data.override === "on" });
        return { ok: true, message: "確定しました。本人にメールで通知しました。" };
      }
      if (form.data.intent === "cancel") {
        await cancelRegistration(context.db, { ...base, override: true });
        return { ok: true, message: "キャンセルしました。本人にメールで通知しました。" };
      }
      // The optional sessions stay as they are: only the course moves.
      const { changed } = await changeRegistration(context.db, {
        ...base,
        courseId: form.data.course,
        override: form.data.override === "on",
      });
      if (!changed)
        return {
          ok: true,
          message: "変更はありませんでした(既にこのコースです)。メールは送っていません。",
        };
      return { ok: true, message: "コースを変更しました。本人にメールで通知しました。" };
      // gone between the check above and the change: a 404, as on GET
    },
    { page: ["not_found"] },
  );
}

export default function AttendeeDetail() {
  const { attendee: a, options, eventId, canManage } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <section>
      <p className="small">
        <Link className="back-link" to={`/admin/events/${eventId}/attendees`}>
          ← 申込者一覧
        </Link>
      </p>
      <h2>
        {a.family_name} {a.given_name}({a.family_name_kana} {a.given_name_kana})
      </h2>
      {result ? (
        result.ok ? (
          <p className="notice notice--ok" role="status">
            {result.message}
          </p>
        ) : (
          <FormError message={result.message} />
        )
      ) : null}
      <div className="card">
        <dl className="facts">
          <dt>状態</dt>
          <dd>{REGISTRATION_STATUS_LABELS[a.status]}</dd>
          <dt>単組</dt>
          <dd>{a.union_name}</dd>
          <dt>職場</dt>
          <dd>{a.workplace}</dd>
          <dt>連絡先</dt>
          <dd>
            {a.email} / {a.phone}
          </dd>
          <dt>受付番号</dt>
          <dd>{a.ticket_code}</dd>
          <dt>コース</dt>
          <dd>{options.courses.find((c) => c.id === a.course_id)?.title ?? "—"}</dd>
          <dt>参加企画</dt>
          <dd>
            {a.sessions
              .map((s) => options.sessions.find((o) => o.id === s.session_id)?.title)
              .filter(Boolean)
              .join("、") || "—"}
          </dd>
          <dt>食事の配慮</dt>
          <dd>{a.dietary_needs || "—"}</dd>
          <dt>その他の配慮</dt>
          <dd>{a.accessibility_needs || "—"}</dd>
          <dt>個人情報の同意</dt>
          <dd>
            {a.consent_version !== null && a.consented_at
              ? `第${a.consent_version}版に ${formatDateTime(a.consented_at)} 同意`
              : "記録なし(同意の記録を始める前の申込)"}
            {a.consent_attested_by_name ? `(${a.consent_attested_by_name} が本人の同意を確認)` : ""}
            {a.needs_consented_at
              ? ` / 配慮事項の利用に ${formatDateTime(a.needs_consented_at)} 同意`
              : ""}
            {a.personal_data_removed_at
              ? ` / 回答・配慮事項は ${formatDateTime(a.personal_data_removed_at)} に削除済み`
              : ""}
          </dd>
          <dt>受付</dt>
          <dd>
            {a.checkins.length === 0
              ? "未受付"
              : a.checkins.map((c) => `${c.name} ${formatDateTime(c.checked_in_at)}`).join("、")}
          </dd>
        </dl>
      </div>

      {canManage && a.status !== "cancelled" ? (
        <>
          <h3 style={{ marginTop: "1.5rem" }}>操作</h3>
          <div className="stack">
            {a.status === "waitlisted" ? (
              <Form method="post" className="card">
                <input type="hidden" name="intent" value="confirm" />
                <label className="choice">
                  <input type="checkbox" name="override" value="on" />
                  <span>定員を超えても確定する</span>
                </label>
                <button type="submit" className="button">
                  キャンセル待ちから確定する
                </button>
              </Form>
            ) : null}
            {options.courses.length > 0 ? (
              <Form method="post" className="card form">
                <input type="hidden" name="intent" value="move" />
                <label htmlFor="move-course">コースを移動</label>
                <select id="move-course" name="course" defaultValue={a.course_id ?? ""}>
                  {options.courses.map((c) => (
                    <option key={c.id} value={c.id}>
                      {c.code} {c.title}(
                      {c.capacity === null ? "定員なし" : `${c.taken}/${c.capacity}`})
                    </option>
                  ))}
                </select>
                <label className="choice">
                  <input type="checkbox" name="override" value="on" />
                  <span>定員を超えても移動する</span>
                </label>
                <button type="submit" className="button">
                  移動する
                </button>
              </Form>
            ) : null}
            <Form method="post">
              <input type="hidden" name="intent" value="cancel" />
              <button type="submit" className="button button--danger">
                この申込をキャンセルする
              </button>
            </Form>
          </div>
        </>
      ) : null}

      <h3 style={{ marginTop: "1.5rem" }}>履歴</h3>
      <ol className="timeline">
        {a.history.map((h) => (
          <li key={h.id}>
            <time dateTime={h.at}>{formatDateTime(h.at)}</time>
            {ACTION_LABELS[h.action] ?? h.action}
            {h.actor_name ? <span className="speaker">{h.actor_name}</span> : null}
          </li>
        ))}
      </ol>
    </section>
  );
}
