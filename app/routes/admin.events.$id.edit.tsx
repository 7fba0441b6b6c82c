import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { EventForm, type EventFormValues } from "../components/event-form";
import { FormError } from "../components/field";
import {
  addCourse,
  addSession,
  copyEvent,
  copySchema,
  courseFormSchema,
  courseUpdateSchema,
  eventFormSchema,
  getEventForEdit,
  sessionFormSchema,
  setEventStatus,
  statusSchema,
  updateCourse,
  updateEvent,
} from "../domain/event-admin.server";
import { requireEventAccess } from "../domain/permissions.server";
import { formatRange, fromTokyoInput, toTokyoInput } from "../utils/format";
import { formErrors } from "../utils/action-result";
import { type FormValues, formValues, parseForm } from "../utils/forms";
import { EVENT_STATUS_ACTIONS, EVENT_STATUS_LABELS, SESSION_KIND_LABELS } from "../utils/labels";
import { type ActionResult, answer, domainAction, invalidFormAnswer } from "../utils/action.server";
import { eventTabMeta } from "../utils/meta";

export const meta = eventTabMeta("編集");

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const access = await requireEventAccess(request, context, {
    eventId: params.id,
    permission: "manage",
  });
  return getEventForEdit(context.db, access.eventId);
}

/** A change that needs the organiser's confirmation first: the form again, with the warning (200). */
function warn(section: string, warning: string, values?: FormValues) {
  return answer({ ok: false, intent: section, code: "confirm", data: { warning }, values }, 200);
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const access = await requireEventAccess(request, context, {
    eventId: params.id,
    permission: "manage",
  });
  const formData = await request.formData();
  const intent = String(formData.get("intent") ?? "");
  const eventId = access.eventId;
  const actorId = access.user.id;
  // the part of the page that shows the answer ("save" is the event's own form)
  const section = intent === "save" ? "event" : intent;
  return domainAction(
    async () => {
      if (intent === "save") {
        const form = parseForm(eventFormSchema, formData);
        if (!form.ok) return invalidFormAnswer(form, "event");
        const saved = await updateEvent(context.db, {
          eventId,
          actorId,
          input: form.data,
          confirmed: formData.get("confirmed") === "on",
        });
        if (saved.warning) return warn("event", saved.warning, form.values);
        return { ok: true, message: "保存しました。" };
      }
      if (intent === "status") {
        const form = parseForm(statusSchema, formData);
        if (!form.ok) return invalidFormAnswer(form, "status");
        const { notified } = await setEventStatus(context.db, {
          eventId,
          actorId,
          ...form.data,
          appUrl: context.appUrl,
        });
        return {
          ok: true,
          message:
            form.data.status === "cancelled"
              ? `中止にしました。${notified}名にメールで知らせます。`
              : `「${EVENT_STATUS_LABELS[form.data.status]}」にしました。`,
        };
      }
      if (intent === "copy") {
        const form = parseForm(copySchema, formData);
        if (!form.ok) return invalidFormAnswer(form, "copy");
        const id = await copyEvent(context.db, {
          eventId,
          user: access.user,
          newSlug: form.data.new_slug,
          newStart: fromTokyoInput(form.data.new_start)!,
        });
        return redirect(`/admin/events/${id}/edit?copied=1`);
      }
      if (intent === "add_session") {
        const form = parseForm(sessionFormSchema, formData);
        if (!form.ok) return invalidFormAnswer(form, "session");
        await addSession(context.db, { eventId, actorId, input: form.data });
        return { ok: true, message: "日程・企画を追加しました。" };
      }
      if (intent === "add_course") {
        const form = parseForm(courseFormSchema, formData);
        if (!form.ok) return invalidFormAnswer(form, "course");
        await addCourse(context.db, { eventId, actorId, input: form.data });
        return { ok: true, message: "コース・分科会を追加しました。" };
      }
      if (intent === "course") {
        const form = parseForm(courseUpdateSchema, formData);
        if (!form.ok) return invalidFormAnswer(form, "course");
        const result = await updateCourse(context.db, {
          eventId,
          actorId,
          courseId: form.data.course_id,
          capacity: form.data.capacity,
          cancel: form.data.cancel,
          confirmed: form.data.confirmed,
          appUrl: context.appUrl,
        });
        if (result.warning) return warn(`course-${form.data.course_id}`, result.warning);
        return {
          ok: true,
          message: form.data.cancel
            ? `コースを中止しました。${result.notified}名にメールで知らせます。`
            : "定員を保存しました。",
        };
      }
      return answer(
        { ok: false, message: "操作を受け付けられませんでした。画面を再読み込みしてください。" },
        400,
      );
    },
    { intent: section, values: intent === "save" ? formValues(formData) : undefined },
  );
}

export default function EditEvent() {
  const { event, window, sessions, courses } = useLoaderData<typeof loader>();
  const result = useActionData<ActionResult>();
  const section = result?.intent;
  const warning = typeof result?.data?.warning === "string" ? result.data.warning : undefined;
  const [params] = useSearchParams();
  const errors = formErrors(result);
  const values: EventFormValues = (section === "event" &&
    (result?.values as EventFormValues | undefined)) || {
    title: event.title,
    slug: event.slug,
    kind: event.kind,
    course_word: event.course_word,
    summary: event.summary,
    description: event.description,
    notes: event.notes,
    privacy_purposes: event.privacy_purposes,
    venue_name: event.venue_name,
    venue_address: event.venue_address,
    venue_phone: event.venue_phone,
    venue_map_url: event.venue_map_url,
    online_label: event.online_label,
    online_url: event.online_url,
    members_only: event.members_only,
    starts_at: toTokyoInput(event.starts_at),
    ends_at: toTokyoInput(event.ends_at),
    cancellation_deadline: toTokyoInput(event.cancellation_deadline),
    opens_at: toTokyoInput(window?.opens_at),
    closes_at: toTokyoInput(window?.closes_at),
    capacity: event.capacity === null ? "" : String(event.capacity),
    max_age: event.max_age === null ? "" : String(event.max_age),
  };
  return (
    <section>
      {params.get("created") ? <p className="notice notice--ok">下書きを作成しました。</p> : null}
      {params.get("copied") ? (
        <p className="notice notice--ok">
          コピーを下書きとして作成しました。日程を確認してください。
        </p>
      ) : null}
      {result?.ok ? (
        <p className="notice notice--ok" role="status">
          {result.message}
        </p>
      ) : null}
      {section === "status" ? (
        <FormError message={Object.values(errors)[0]} />
      ) : section !== "event" ? (
        <FormError message={errors._form} />
      ) : null}

      <h2>公開状態: {EVENT_STATUS_LABELS[event.status]}</h2>
      <div className="actions">
        {(["published", "closed"] as const).map((s) =>
          event.status === s ? null : (
            <Form method="post" key={s}>
              <input type="hidden" name="intent" value="status" />
              <input type="hidden" name="status" value={s} />
              <button type="submit" className="button button--secondary">
                {EVENT_STATUS_ACTIONS[s]}
              </button>
            </Form>
          ),
        )}
      </div>
      {event.status !== "cancelled" ? (
        <details className="change">
          <summary>イベントを中止する</summary>
          <Form method="post" className="form">
            <input type="hidden" name="intent" value="status" />
            <input type="hidden" name="status" value="cancelled" />
            <label htmlFor="reason">申込者へのお知らせ(理由など)</label>
            <textarea id="reason" name="reason" rows={3} />
            <button type="submit" className="button button--danger">
              中止して全員にメールで知らせる
            </button>
          </Form>
        </details>
      ) : null}

      <h2>基本情報</h2>
      <EventForm
        values={values}
        errors={section === "event" ? errors : {}}
        warning={section === "event" ? warning : undefined}
        submitLabel="保存する"
      />

      <h2>日程・企画</h2>
      <ul className="stack" style={{ listStyle: "none", padding: 0 }}>
        {sessions.map((s) => (
          <li key={s.id} className="card small">
            <strong>{s.title}</strong>({SESSION_KIND_LABELS[s.kind]}
            {s.optional ? "・希望者のみ" : ""}) {formatRange(s.starts_at, s.ends_at)}
            {s.capacity !== null ? ` 定員${s.capacity}名(確定${s.taken}名)` : ""}
          </li>
        ))}
      </ul>
      <details className="change" open={section === "add_session" || section === "session"}>
        <summary>日程・企画を追加する</summary>
        <Form method="post" className="form">
          <input type="hidden" name="intent" value="add_session" />
          {section === "add_session" || section === "session" ? (
            <FormError message={Object.values(errors)[0]} />
          ) : null}
          <label htmlFor="s-kind">種類</label>
          <select id="s-kind" name="kind">
            {Object.entries(SESSION_KIND_LABELS).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
          <label htmlFor="s-title">名称</label>
          <input id="s-title" type="text" name="title" />
          <label htmlFor="s-start">開始日時</label>
          <input id="s-start" type="datetime-local" name="starts_at" />
          <label htmlFor="s-end">終了日時</label>
          <input id="s-end" type="datetime-local" name="ends_at" />
          <label htmlFor="s-cap">定員(空欄は制限なし)</label>
          <input id="s-cap" type="text" name="capacity" inputMode="numeric" />
          <label className="choice">
            <input type="checkbox" name="optional" value="on" />
            <span>希望者のみ(夕食交流会・宿泊など)</span>
          </label>
          <button type="submit" className="button">
            追加する
          </button>
        </Form>
      </details>

      <h2>コース・分科会</h2>
      <div className="stack">
        {courses.map((c) => (
          <Form method="post" key={c.id} className="card small">
            <input type="hidden" name="intent" value="course" />
            <input type="hidden" name="course_id" value={c.id} />
            <strong>
              {c.code} {c.title}
            </strong>
            {c.status === "cancelled" ? <span className="badge badge--danger">中止</span> : null}
            <p>
              確定 {c.taken}名{c.facilitator ? `・ファシリテーター ${c.facilitator}` : ""}
            </p>
            {section === `course-${c.id}` && warning ? (
              <div className="notice notice--warn" role="alert">
                {warning}
                <input type="hidden" name="confirmed" value="on" />
              </div>
            ) : null}
            {c.status === "active" ? (
              <div className="actions">
                <label>
                  定員{" "}
                  <input
                    type="text"
                    name="capacity"
                    defaultValue={c.capacity ?? ""}
                    inputMode="numeric"
                    style={{ width: "6em" }}
                  />
                </label>
                <label className="small">
                  <input type="checkbox" name="cancel" value="on" /> このコースを中止する
                </label>
                <button type="submit" className="button button--secondary">
                  保存
                </button>
              </div>
            ) : null}
          </Form>
        ))}
      </div>
      <details className="change" open={section === "add_course" || section === "course"}>
        <summary>コース・分科会を追加する</summary>
        <Form method="post" className="form">
          <input type="hidden" name="intent" value="add_course" />
          {section === "add_course" || section === "course" ? (
            <FormError message={Object.values(errors)[0]} />
          ) : null}
          <label htmlFor="c-code">番号(例: コース③、第9分科会)</label>
          <input id="c-code" type="text" name="code" />
          <label htmlFor="c-title">名称</label>
          <input id="c-title" type="text" name="title" />
          <label htmlFor="c-aud">対象</label>
          <input id="c-aud" type="text" name="audience" />
          <label htmlFor="c-fac">ファシリテーター</label>
          <input id="c-fac" type="text" name="facilitator" />
          <label htmlFor="c-adv">アドバイザー</label>
          <input id="c-adv" type="text" name="adviser" />
          <label htmlFor="c-cap">定員(空欄は制限なし)</label>
          <input id="c-cap" type="text" name="capacity" inputMode="numeric" />
          <label htmlFor="c-alloc">受付方法</label>
          <select id="c-alloc" name="allocation">
            <option value="first_come">先着順</option>
            <option value="waitlist_only">すべてキャンセル待ち(主催者が確定)</option>
          </select>
          <button type="submit" className="button">
            追加する
          </button>
        </Form>
      </details>

      <h2>来年度版を作る</h2>
      <Form method="post" className="form">
        <input type="hidden" name="intent" value="copy" />
        {section === "copy" ? <FormError message={Object.values(errors)[0]} /> : null}
        <label htmlFor="new_slug">新しいURL名</label>
        <input
          id="new_slug"
          type="text"
          name="new_slug"
          inputMode="url"
          autoCapitalize="none"
          placeholder="半角英小文字・数字・ハイフン"
        />
        <label htmlFor="new_start">新しい開始日時</label>
        <input id="new_start" type="datetime-local" name="new_start" />
        <button type="submit" className="button button--secondary">
          コピーして下書きを作る
        </button>
      </Form>
    </section>
  );
}
