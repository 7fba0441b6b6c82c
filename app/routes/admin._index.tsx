import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { listStaffEvents } from "../domain/event-admin.server";
import { requireStaff } from "../domain/permissions.server";
import { formatRange } from "../utils/format";
import { EVENT_KIND_LABELS, EVENT_STATUS_LABELS } from "../utils/labels";

export const meta: MetaFunction = () => [{ title: "イベント管理 | 自治研イベント" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireStaff(request, context);
  return { user, events: await listStaffEvents(context.db, user) };
}

export default function AdminEvents() {
  const { user, events } = useLoaderData<typeof loader>();
  return (
    <section>
      <h1>イベント管理</h1>
      {user.role === "admin" || user.role === "organiser" ? (
        <p>
          <Link to="/admin/events/new" className="button">
            イベントを作成する
          </Link>
        </p>
      ) : null}
      {user.role === "secretary" ? (
        <p className="muted">申込者数は、所属単組の組合員のみを数えています。</p>
      ) : null}
      {events.length === 0 ? <p>担当しているイベントはありません。</p> : null}
      {(
        [
          ["これからのイベント", events.filter((e) => !e.finished)],
          ["終了したイベント", events.filter((e) => e.finished)],
        ] as const
      ).map(([heading, list]) =>
        list.length === 0 ? null : (
          <section key={heading} aria-label={heading}>
            <h2>{heading}</h2>
            <ul className="event-list">
              {list.map((e) => (
                <li key={e.id} className="card">
                  <div className="badges">
                    <span className="badge">{EVENT_KIND_LABELS[e.kind]}</span>
                    <span className="badge badge--done">{EVENT_STATUS_LABELS[e.status]}</span>
                  </div>
                  <h3>{e.title}</h3>
                  <p className="small">{formatRange(e.starts_at, e.ends_at)}</p>
                  <p className="small">
                    申込 {e.confirmed}名{e.capacity !== null ? ` / 定員 ${e.capacity}名` : ""}
                    ・キャンセル待ち {e.waitlisted}名
                  </p>
                  <div className="actions small">
                    {user.role !== "reception" ? (
                      <Link to={`/admin/events/${e.id}/attendees`}>申込者一覧</Link>
                    ) : null}
                    <Link to={`/checkin/${e.slug}`}>受付</Link>
                  </div>
                </li>
              ))}
            </ul>
          </section>
        ),
      )}
    </section>
  );
}
