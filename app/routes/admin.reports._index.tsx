import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { listReportEventsForManager } from "../domain/reports.server";
import { requireGroupManager } from "../domain/working-groups/access.server";
import { formatDate } from "../utils/format";
import { scrollRegion } from "../utils/scroll-region";

export const meta: MetaFunction = () => [{ title: "自治研レポートの管理 | 自治研イベント" }];

/** The conventions whose reports this admin or organiser manages. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireGroupManager(request, context);
  return { events: await listReportEventsForManager(context.db, user) };
}

export default function AdminReports() {
  const { events } = useLoaderData<typeof loader>();
  return (
    <section>
      <h1>自治研レポートの管理</h1>
      <p className="actions small">
        <Link to="/reports">自治研レポート(公開ページ)</Link>
        <Link to="/admin/groups">専門部会の管理</Link>
      </p>
      {events.length === 0 ? <p>担当しているイベントはありません。</p> : null}
      <div {...scrollRegion("レポートを扱うイベントの一覧")}>
        <table className="list">
          <thead>
            <tr>
              <th>イベント</th>
              <th>開催日</th>
              <th>レポート</th>
              <th>未審査</th>
            </tr>
          </thead>
          <tbody>
            {events.map((e) => (
              <tr key={e.id}>
                <td>
                  <Link to={`/admin/reports/${e.id}`}>{e.title}</Link>
                </td>
                <td>{formatDate(e.starts_at)}</td>
                <td>{e.reports}件</td>
                <td>{(e.waiting ?? 0) > 0 ? <strong>{e.waiting}件</strong> : "0件"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
