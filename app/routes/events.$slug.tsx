import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { EventMaterials } from "../components/event-materials";
import { SeatsLeft } from "../components/seats-left";
import { getPublicEvent, registrationState } from "../domain/events.server";
import { listPublicEventMaterials } from "../domain/materials.server";
import { formatDateTime, formatRange, formatTime } from "../utils/format";
import { courseWord, EVENT_KIND_LABELS, SESSION_KIND_LABELS } from "../utils/labels";
import { notFound } from "../utils/action.server";

export { publicPageHeaders as headers } from "../utils/cache";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `${data.event.title} | 自治研イベント` : "イベントが見つかりません" },
  { name: "description", content: data?.event.summary ?? "" },
];

// One page for everyone (the page cache shares it): nothing here may depend on
// who is signed in, so the loader never reads the session.
export async function loader({ params, context }: LoaderFunctionArgs) {
  const event = await getPublicEvent(context.db, params.slug ?? "");
  if (!event) notFound();
  const now = new Date();
  return {
    event,
    materials: await listPublicEventMaterials(context.db, { eventId: event.id }),
    registration: registrationState(event, now),
    finished: new Date(event.ends_at) < now,
  };
}

export default function EventPage() {
  const { event, registration, finished, materials } = useLoaderData<typeof loader>();
  const venue = event.venue;
  return (
    <article>
      <div className="badges">
        <span className="badge">{EVENT_KIND_LABELS[event.kind]}</span>
        {finished ? <span className="badge badge--done">終了</span> : null}
        {event.status === "cancelled" ? <span className="badge badge--danger">中止</span> : null}
      </div>
      <h1>{event.title}</h1>
      {event.summary ? <p>{event.summary}</p> : null}

      <section className="card" aria-label="開催概要">
        <dl className="facts">
          <dt>日時</dt>
          <dd>{formatRange(event.starts_at, event.ends_at)}</dd>
          <dt>場所</dt>
          <dd>
            {venue ? (
              <>
                {venue.name}
                {venue.address ? (
                  <span className="small muted" style={{ display: "block" }}>
                    {venue.postal_code ? `〒${venue.postal_code} ` : ""}
                    {venue.address}
                  </span>
                ) : null}
                {venue.phone ? <span className="small">TEL {venue.phone} </span> : null}
                {venue.map_url ? (
                  <a href={venue.map_url} target="_blank" rel="noreferrer" className="small">
                    地図を開く
                  </a>
                ) : null}
              </>
            ) : (
              event.online_label || "未定"
            )}
          </dd>
          <dt>主催</dt>
          <dd>{event.organiser?.name}</dd>
          <dt>対象</dt>
          <dd>
            {event.members_only ? "組合員(ログインが必要です)" : "どなたでも"}
            {event.max_age ? `・初日時点で${event.max_age}歳以下の方` : ""}
          </dd>
          {event.capacity !== null ? (
            <>
              <dt>定員</dt>
              <dd>
                {event.capacity}名 {finished ? null : <SeatsLeft left={event.seats_left} />}
              </dd>
            </>
          ) : null}
          <dt>申込期間</dt>
          <dd>
            {event.windows.length === 0
              ? "未定"
              : event.windows.map((w) => (
                  <span key={w.id} style={{ display: "block" }}>
                    {w.label ? `${w.label}: ` : ""}
                    {formatDateTime(w.opens_at)}〜{formatDateTime(w.closes_at)}
                  </span>
                ))}
          </dd>
          <dt>キャンセル期限</dt>
          <dd data-testid="cancellation-deadline">
            {/* /me allows a change or cancellation until the deadline, else until the start */}
            {formatDateTime(event.cancellation_deadline ?? event.starts_at)}まで(マイページから)
          </dd>
        </dl>
      </section>

      {event.description ? (
        <>
          <h2>企画</h2>
          <p className="description">{event.description}</p>
        </>
      ) : null}

      {event.programme.length > 0 ? (
        <>
          <h2>プログラム</h2>
          <ol className="timeline">
            {event.programme.map((item) => (
              <li key={item.id}>
                <time dateTime={item.starts_at}>
                  {formatProgrammeTime(item.starts_at, event.starts_at, event.ends_at)}
                </time>
                <strong>{item.title}</strong>
                {item.speaker ? <span className="speaker">{item.speaker}</span> : null}
                {item.description ? (
                  <span className="speaker description">{item.description}</span>
                ) : null}
              </li>
            ))}
          </ol>
        </>
      ) : null}

      {event.sessions.length > 0 ? (
        <>
          <h2>日程・会場</h2>
          <ul className="event-list">
            {event.sessions.map((s) => (
              <li key={s.id} className="card">
                <div className="badges">
                  <span className="badge">
                    {/* a breakout block is named as the event names its courses (グループワーク of コース) */}
                    {s.kind === "breakout" ? courseWord(event) : SESSION_KIND_LABELS[s.kind]}
                  </span>
                  {s.optional ? <span className="badge badge--warn">希望者のみ</span> : null}
                  {s.status === "cancelled" ? (
                    <span className="badge badge--danger">中止</span>
                  ) : null}
                </div>
                <h3>{s.title}</h3>
                <p className="small">{formatRange(s.starts_at, s.ends_at)}</p>
                {s.venue_name ? (
                  <p className="small">
                    {s.venue_name}
                    {s.venue_map_url ? (
                      <>
                        {" "}
                        <a className="tap" href={s.venue_map_url} target="_blank" rel="noreferrer">
                          地図
                        </a>
                      </>
                    ) : null}
                  </p>
                ) : null}
                {s.description ? <p className="small muted">{s.description}</p> : null}
                {s.capacity !== null && !finished ? (
                  <p className="small">
                    定員{s.capacity}名 <SeatsLeft left={s.seats_left} />
                  </p>
                ) : null}
              </li>
            ))}
          </ul>
        </>
      ) : null}

      {event.courses.length > 0 ? (
        <>
          <h2>{courseWord(event)}</h2>
          <ul className="event-list">
            {event.courses.map((c) => (
              <li key={c.id} className="card">
                <h3>
                  {c.code} {c.title}
                </h3>
                {c.audience ? <p className="small muted">{c.audience}</p> : null}
                <dl className="facts small">
                  {c.facilitator ? (
                    <>
                      <dt>ファシリテーター</dt>
                      <dd>{c.facilitator}</dd>
                    </>
                  ) : null}
                  {c.adviser ? (
                    <>
                      <dt>アドバイザー</dt>
                      <dd>{c.adviser}</dd>
                    </>
                  ) : null}
                  {c.venue_name ? (
                    <>
                      <dt>会場</dt>
                      <dd>{c.venue_name}</dd>
                    </>
                  ) : null}
                  {c.capacity !== null ? (
                    <>
                      <dt>定員</dt>
                      <dd>
                        {c.capacity}名 {finished ? null : <SeatsLeft left={c.seats_left} />}
                      </dd>
                    </>
                  ) : null}
                </dl>
              </li>
            ))}
          </ul>
        </>
      ) : null}

      {materials.materials.length > 0 || materials.others > 0 ? (
        <section aria-labelledby="materials-heading">
          <h2 id="materials-heading">資料</h2>
          <EventMaterials materials={materials.materials} label="このイベントの資料" />
          {materials.others > 0 ? (
            <p className="small muted">
              {`参加申込者・組合員向けの資料が${materials.others}件あります。お申し込みの方は`}
              <Link to="/me">マイページ</Link>
              からご覧ください。
            </p>
          ) : null}
        </section>
      ) : null}

      {event.notes ? (
        <>
          <h2>お知らせ</h2>
          <p className="notice description">{event.notes}</p>
        </>
      ) : null}

      <div className="cta">
        {registration.state === "open" ? (
          <Link to={`/events/${event.slug}/register`} className="button button--large">
            申し込む
          </Link>
        ) : (
          <p className="notice notice--warn">
            {registration.state === "not_yet" && registration.window
              ? `申込受付は ${formatDateTime(registration.window.opens_at)} からです。`
              : registration.state === "cancelled"
                ? "このイベントは中止になりました。"
                : finished
                  ? "このイベントは終了しました。"
                  : "申込受付は終了しました。"}
          </p>
        )}
      </div>
    </article>
  );
}

/** A time alone within a one-day event; with its date when the event spans days. */
function formatProgrammeTime(at: string, start: string, end: string): string {
  const sameDay = formatDateTime(start).slice(0, -6) === formatDateTime(end).slice(0, -6);
  return sameDay ? formatTime(at) : formatDateTime(at).replace(/^\d+年/, "");
}
