import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, NavLink, Outlet, useLoaderData } from "@remix-run/react";
import { getStaffEvent } from "../domain/event-admin.server";
import { requireEventAccess } from "../domain/permissions.server";
import { formatRange } from "../utils/format";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `${data.event.title} | イベント管理` : "イベント管理" },
];

/** One event's staff pages, with their tabs. */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const access = await requireEventAccess(request, context, {
    eventId: params.id,
    permission: "attendees",
  });
  return { event: await getStaffEvent(context.db, access.eventId), canManage: access.canManage };
}

export default function AdminEvent() {
  const { event, canManage } = useLoaderData<typeof loader>();
  const base = `/admin/events/${event.id}`;
  return (
    <div>
      <p className="small">
        <Link className="back-link" to="/admin">
          ← イベント管理
        </Link>
      </p>
      <h1>{event.title}</h1>
      <p className="muted small">{formatRange(event.starts_at, event.ends_at)}</p>
      <nav className="tabs" aria-label="イベントの管理メニュー">
        <NavLink to={base} end>
          ダッシュボード
        </NavLink>
        <NavLink to={`${base}/attendees`}>申込者</NavLink>
        <NavLink to={`${base}/export`}>エクスポート</NavLink>
        <NavLink to={`${base}/message`}>メール送信</NavLink>
        {canManage ? <NavLink to={`${base}/edit`}>編集</NavLink> : null}
        {canManage ? <NavLink to={`${base}/staff`}>担当者</NavLink> : null}
        {canManage ? <NavLink to={`${base}/audit`}>操作履歴</NavLink> : null}
        <Link to={`/checkin/${event.slug}`}>受付</Link>
      </nav>
      <Outlet />
    </div>
  );
}
