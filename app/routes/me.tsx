import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { z } from "zod";
import { EventMaterials } from "../components/event-materials";
import { FormError } from "../components/field";
import { GroupMeetings } from "../components/group-meetings";
import { SeatsLeft } from "../components/seats-left";
import { requireMember } from "../domain/auth.server";
import { listMaterialsOfEvents } from "../domain/materials.server";
import {
  cancelRegistration,
  changeRegistration,
  getRegistrationForm,
  listMyRegistrations,
} from "../domain/registrations.server";
import { ticketQrDataUrl } from "../domain/tickets.server";
import { listMyGroupMeetings } from "../domain/working-groups/meetings.server";
import { eventFormat } from "../utils/event-format";
import { formatDateTime, formatRange } from "../utils/format";
import { parseForm, rowId } from "../utils/forms";
import { courseWord, MY_REGISTRATION_STATUS_LABELS } from "../utils/labels";
import { type ActionResult, answer, domainAction } from "../utils/action.server";

export const meta: MetaFunction = () => [{ title: "マイページ | 自治研イベント" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireMember(request, context);
  const registrations = await listMyRegistrations(context.db, user.id);
  const now = new Date();
  // The event's materials for this member, by the download route's own rule
  // (members-only ones, and registrants-only ones once the seat is confirmed).
  const materials = await listMaterialsOfEvents(context.db, {
    user,
    eventIds: registrations.filter((r) => r.status !== "cancelled").map((r) => r.event_id),
  });
  const items = [];
  for (const r of registrations) {
    const live = r.status !== "cancelled" && r.ends_at > now;
    const deadline = r.cancellation_deadline ?? r.starts_at;
    // Online only: no reception desk, so no QR; the Zoom link and how to join lead instead.
    const online = eventFormat(r) === "online";
    items.push({
      ...r,
      online,
      qr: r.ticket_secret && !online ? await ticketQrDataUrl(r.ticket_secret) : null,
      canChange: live && now <= deadline,
      // past the deadline /me says so, and whom to tell, instead of just dropping the buttons
      deadlinePassed: live && now > deadline,
      deadline,
      past: r.ends_at <= now,
      form: live && now <= deadline ? await getRegistrationForm(context.db, r.slug) : undefined,
      materials: r.status !== "cancelled" ? (materials[r.event_id] ?? []) : [],
    });
  }
  return {
    user,
    items,
    groupMeetings: await listMyGroupMeetings(context.db, { personId: user.id }),
  };
}

const actionSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("cancel"), registration: z.string().regex(/^\d+$/) }),
  z.object({
    intent: z.literal("change"),
    registration: z.string().regex(/^\d+$/),
    course: rowId().optional(),
    session: z.array(rowId()).default([]),
  }),
]);

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireMember(request, context);
  const parsed = parseForm(actionSchema, await request.formData(), ["session"]);
  if (!parsed.ok)
    return answer({
      ok: false,
      code: "invalid_input",
      message: "操作を受け付けられませんでした。画面を再読み込みしてください。",
    });
  const data = parsed.data;
  return domainAction(
    async () => {
      if (data.intent === "cancel") {
        await cancelRegistration(context.db, {
          registrationId: data.registration,
          personId: user.id,
          actorId: user.id,
          appUrl: context.appUrl,
        });
        return { ok: true, message: "キャンセルしました。確認メールをお送りしました。" };
      }
      const { changed } = await changeRegistration(context.db, {
        registrationId: data.registration,
        personId: user.id,
        actorId: user.id,
        courseId: data.course ?? null,
        optionalSessionIds: data.session,
        appUrl: context.appUrl,
      });
      return changed
        ? { ok: true, message: "申込内容を変更しました。確認メールをお送りしました。" }
        : {
            ok: true,
            message: "変更はありませんでした。申込内容はそのままです(メールは送っていません)。",
          };
      // the change form of this registration shows the error beside its field
    },
    { values: { registration: data.registration } },
  );
}

export default function Me() {
  const { user, items, groupMeetings } = useLoaderData<typeof loader>();
  const result = useActionData<ActionResult>();
  const [params] = useSearchParams();
  const justRegistered = params.get("registered");
  /** The error of the last change, when it belongs to one of these fields of this registration. */
  const fieldError = (registrationId: string, ...fields: string[]) =>
    result && !result.ok && result.values?.registration === registrationId
      ? fields.map((field) => result.errors?.[field]).find(Boolean)
      : undefined;
  return (
    <section>
      <h1>マイページ</h1>
      <p className="muted small">
        {user.family_name} {user.given_name} さん({user.email})・
        <Link to="/profile" className="nowrap">
          プロフィール
        </Link>
        ・
        <Link to="/me/data" className="nowrap">
          わたしのデータ
        </Link>
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
      {justRegistered && !result ? (
        <p className="notice notice--ok" role="status">
          申込を受け付けました。確認メールをお送りしました。
        </p>
      ) : null}

      <GroupMeetings meetings={groupMeetings} />

      <h2>申込一覧</h2>
      {items.length === 0 ? (
        <p>
          まだ申込はありません。<Link to="/">イベント一覧</Link>からお申し込みください。
        </p>
      ) : null}
      <div className="stack">
        {items.map((r) => (
          <article key={r.id} className="card registration" id={`registration-${r.id}`}>
            <div className="badges">
              <span
                className={`badge ${r.status === "confirmed" ? "badge--ok" : r.status === "waitlisted" ? "badge--warn" : "badge--done"}`}
              >
                {MY_REGISTRATION_STATUS_LABELS[r.status]}
              </span>
              {r.past ? <span className="badge badge--done">終了</span> : null}
            </div>
            <h3>
              <Link to={`/events/${r.slug}`}>{r.title}</Link>
            </h3>
            <p className="small">{formatRange(r.starts_at, r.ends_at)}</p>
            {r.status === "confirmed" && r.online && r.online_url && !r.past ? (
              <div className="notice">
                <p>
                  <strong>参加方法(Zoom)</strong>
                  <br />
                  開始時刻の少し前に、次のボタンから入室してください。参加者専用のURLです。ほかの方には転送しないでください。
                </p>
                <p>
                  <a className="button" href={r.online_url} target="_blank" rel="noreferrer">
                    Zoomに参加する
                  </a>
                </p>
                <p className="small">
                  参加用URL: <span className="break">{r.online_url}</span>
                </p>
              </div>
            ) : null}
            <p className="small">
              {r.venue_name ?? r.online_label}
              {r.venue_map_url ? (
                <>
                  {" "}
                  <a className="tap" href={r.venue_map_url} target="_blank" rel="noreferrer">
                    地図
                  </a>
                </>
              ) : null}
            </p>
            {r.course_label ? (
              <p className="small">{`${courseWord(r)}: ${r.course_label}`}</p>
            ) : null}
            {r.sessions.length > 0 ? (
              <p className="small">参加: {r.sessions.map((s) => s.title).join("、")}</p>
            ) : null}
            {r.status === "waitlisted" ? (
              <p className="notice notice--warn">
                {`キャンセル待ち ${r.waitlist_position}番目です。繰り上がった場合はメールでお知らせします。`}
              </p>
            ) : null}
            {r.status === "confirmed" && r.online_url && !r.online ? (
              <p className="notice">
                参加用URL(Zoom):{" "}
                <a href={r.online_url} target="_blank" rel="noreferrer">
                  {r.online_url}
                </a>
              </p>
            ) : null}
            {r.status === "confirmed" && r.membership_pending && !r.past ? (
              <p className="notice notice--warn" role="status">
                組合員限定のイベントです。所属単組で組合員であることを確認中のため、参加用URLや組合員向けの資料は確認が済んでから表示します。
              </p>
            ) : null}
            {r.qr && !r.past ? (
              <div className="ticket">
                <p className="small muted">受付でこのQRコードをご提示ください</p>
                <img
                  className="ticket__qr"
                  src={r.qr}
                  alt="受付用QRコード"
                  width={320}
                  height={320}
                />
                <p className="ticket__code">{r.ticket_code}</p>
              </div>
            ) : null}
            {r.materials.length > 0 ? (
              <div>
                <h4>資料</h4>
                <EventMaterials materials={r.materials} label={`${r.title}の資料`} />
              </div>
            ) : null}
            {r.status !== "cancelled" ? (
              <div className="actions">
                <a
                  className="button button--secondary"
                  href={`/me/registrations/${r.id}/event.ics`}
                  download
                >
                  カレンダーに追加(.ics)
                </a>
              </div>
            ) : null}
            {r.canChange && r.form ? (
              <>
                {r.form.courses.length > 0 || r.form.sessions.some((s) => s.optional) ? (
                  <details
                    className="change"
                    open={fieldError(r.id, "course", "session") !== undefined}
                  >
                    <summary>{`${courseWord(r)}・参加企画を変更する`}</summary>
                    <Form method="post" className="form">
                      <input type="hidden" name="intent" value="change" />
                      <input type="hidden" name="registration" value={r.id} />
                      {r.form.courses.length > 0 ? (
                        <fieldset
                          aria-describedby={
                            fieldError(r.id, "course") ? `course-error-${r.id}` : undefined
                          }
                        >
                          <legend>{courseWord(r)}</legend>
                          {r.form.courses.map((c) => (
                            <label key={c.id} className="choice">
                              <input
                                type="radio"
                                name="course"
                                value={c.id}
                                defaultChecked={c.id === r.course_id}
                                aria-invalid={fieldError(r.id, "course") ? true : undefined}
                              />
                              <span>
                                {c.code} {c.title}{" "}
                                <span className="small">
                                  <SeatsLeft
                                    left={
                                      c.capacity === null ? null : Math.max(0, c.capacity - c.taken)
                                    }
                                  />
                                </span>
                              </span>
                            </label>
                          ))}
                          {fieldError(r.id, "course") ? (
                            <p className="error" id={`course-error-${r.id}`}>
                              {fieldError(r.id, "course")}
                            </p>
                          ) : null}
                        </fieldset>
                      ) : null}
                      {r.form.sessions.some((s) => s.optional) ? (
                        <fieldset
                          aria-describedby={
                            fieldError(r.id, "session") ? `session-error-${r.id}` : undefined
                          }
                        >
                          <legend>参加する日程・企画(希望者のみ)</legend>
                          {r.form.sessions
                            .filter((s) => s.optional)
                            .map((s) => (
                              <label key={s.id} className="choice">
                                <input
                                  type="checkbox"
                                  name="session"
                                  value={s.id}
                                  defaultChecked={r.sessions.some((mine) => mine.id === s.id)}
                                  aria-invalid={fieldError(r.id, "session") ? true : undefined}
                                />
                                <span>{s.title}</span>
                              </label>
                            ))}
                          {fieldError(r.id, "session") ? (
                            <p className="error" id={`session-error-${r.id}`}>
                              {fieldError(r.id, "session")}
                            </p>
                          ) : null}
                        </fieldset>
                      ) : null}
                      <button type="submit" className="button">
                        変更を保存する
                      </button>
                    </Form>
                  </details>
                ) : null}
                <Form
                  method="post"
                  onSubmit={(e) => {
                    if (!window.confirm("この申込をキャンセルしますか?")) e.preventDefault();
                  }}
                >
                  <input type="hidden" name="intent" value="cancel" />
                  <input type="hidden" name="registration" value={r.id} />
                  <button type="submit" className="button button--danger">
                    申込をキャンセルする
                  </button>
                  <p className="small muted">キャンセル期限: {formatDateTime(r.deadline)}</p>
                </Form>
              </>
            ) : null}
            {r.deadlinePassed ? (
              <p className="notice small">
                キャンセル期限({formatDateTime(r.deadline)}
                )を過ぎたため、このページからは変更・キャンセルできません。
                欠席される場合や変更が必要な場合は、主催の{r.organiser_name ?? "事務局"}
                へ直接ご連絡ください。
              </p>
            ) : null}
          </article>
        ))}
      </div>
      {/* last, not first: after the notice and the tickets, where a member looks when done */}
      <Form method="post" action="/logout" className="logout">
        <button type="submit" className="button button--secondary">
          ログアウト
        </button>
      </Form>
    </section>
  );
}
