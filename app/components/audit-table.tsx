import { formatDateTime } from "../utils/format";
import { scrollRegion } from "../utils/scroll-region";

/** What an audit row's entity/action reads as, for the kinds a reader looks for. */
const ACTION_LABELS: Record<string, string> = {
  "export:export": "ファイルのダウンロード",
  "export:import": "CSVの取り込み",
  "export:api_list": "APIでの一覧取得",
  "export:self_download": "本人によるデータのダウンロード",
  "retention:purge": "保存期間を過ぎたデータの削除",
  "retention:settings": "保存期間の設定",
  "privacy_notice:publish": "個人情報の取扱いの公開",
  "person:delete_account": "アカウントの削除",
};

export type AuditEntry = {
  id: string;
  at: string | Date;
  event_id?: number | null;
  entity: string;
  entity_id: string;
  action: string;
  detail: unknown;
  actor_name: string | null;
};

/** One table for every audit log page: who, when, what, and the detail (filters, rows). */
export function AuditTable(props: { entries: AuditEntry[]; showEvent?: boolean }) {
  return (
    <div {...scrollRegion("操作履歴")}>
      <table className="list">
        <thead>
          <tr>
            <th>日時</th>
            <th>操作した人</th>
            {props.showEvent ? <th>イベント</th> : null}
            <th>対象</th>
            <th>操作</th>
            <th>内容</th>
          </tr>
        </thead>
        <tbody>
          {props.entries.map((e) => (
            <tr key={e.id}>
              <td>{formatDateTime(e.at)}</td>
              <td>{e.actor_name ?? "システム"}</td>
              {props.showEvent ? <td>{e.event_id ?? "—"}</td> : null}
              <td>
                {e.entity} #{e.entity_id}
              </td>
              <td>{ACTION_LABELS[`${e.entity}:${e.action}`] ?? e.action}</td>
              <td>
                <code className="small">{JSON.stringify(e.detail)}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
