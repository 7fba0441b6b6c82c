import { type AuditEntryForLabel, describeAudit } from "../utils/audit-labels";
import { formatDateTime } from "../utils/format";
import { scrollRegion } from "../utils/scroll-region";

export type AuditEntry = AuditEntryForLabel & {
  id: string;
  at: string | Date;
  event_id?: number | null;
  actor_name: string | null;
};

/** One table for every audit log page: when, who, what they did, to whom, and the details in words. */
export function AuditTable(props: { entries: AuditEntry[]; showEvent?: boolean }) {
  return (
    <div {...scrollRegion("操作履歴")}>
      <table className="list">
        <thead>
          <tr>
            <th>日時</th>
            <th>操作した人</th>
            {props.showEvent ? <th>イベント</th> : null}
            <th>操作</th>
            <th>対象</th>
            <th>内容</th>
          </tr>
        </thead>
        <tbody>
          {props.entries.map((e) => {
            const said = describeAudit(e);
            return (
              <tr key={e.id} data-entity={e.entity} data-action={e.action}>
                <td>{formatDateTime(e.at)}</td>
                <td>{e.actor_name ?? "システム"}</td>
                {props.showEvent ? <td>{e.event_id ?? "—"}</td> : null}
                <td>{said.action}</td>
                <td>{said.subject || "—"}</td>
                <td>{said.details.length > 0 ? said.details.join("、") : "—"}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
