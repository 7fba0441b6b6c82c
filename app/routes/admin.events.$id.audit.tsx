import type { LoaderFunctionArgs } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { AuditTable } from "../components/audit-table";
import { listAuditLog } from "../domain/audit.server";
import { requireEventAccess } from "../domain/permissions.server";
import { eventTabMeta } from "../utils/meta";

export const meta = eventTabMeta("操作履歴");

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const access = await requireEventAccess(request, context, {
    eventId: params.id,
    permission: "manage",
  });
  const exportsOnly = new URL(request.url).searchParams.get("kind") === "export";
  return {
    exportsOnly,
    entries: await listAuditLog(context.db, {
      eventId: access.eventId,
      entities: exportsOnly ? ["export"] : undefined,
      limit: 200,
    }),
  };
}

/** Who changed what and when, for this event; filterable to the downloads of personal data. */
export default function AuditLog() {
  const { entries, exportsOnly } = useLoaderData<typeof loader>();
  return (
    <section>
      <h2>操作履歴</h2>
      <nav aria-label="絞り込み" className="actions small">
        {exportsOnly ? <Link to="?">すべて</Link> : <strong>すべて</strong>}
        {exportsOnly ? (
          <strong>ダウンロード・取り込みのみ</strong>
        ) : (
          <Link to="?kind=export">ダウンロード・取り込みのみ</Link>
        )}
      </nav>
      {entries.length === 0 ? <p>記録はまだありません。</p> : <AuditTable entries={entries} />}
    </section>
  );
}
