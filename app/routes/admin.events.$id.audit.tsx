import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { listAuditLog } from "../domain/audit.server";
import { requireEventAccess } from "../domain/permissions.server";
import { formatDateTime } from "../utils/format";

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const access = await requireEventAccess(request, context, { eventId: params.id, permission: "manage" });
  return { entries: await listAuditLog(context.db, { eventId: access.eventId, limit: 200 }) };
}

/** Who changed what and when, for this event. */
export default function AuditLog() {
  const { entries } = useLoaderData<typeof loader>();
  return (
    <section>
      <h2>操作履歴</h2>
      {entries.length === 0 ? <p>記録はまだありません。</p> : null}
      <div className="table-wrap">
        <table className="list">
          <thead>
            <tr>
              <th>日時</th>
              <th>操作した人</th>
              <th>対象</th>
              <th>操作</th>
              <th>内容</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.id}>
                <td>{formatDateTime(e.at)}</td>
                <td>{e.actor_name ?? "システム"}</td>
                <td>
                  {e.entity} #{e.entity_id}
                </td>
                <td>{e.action}</td>
                <td>
                  <code className="small">{JSON.stringify(e.detail)}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
