import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { GroupAdminHeader } from "../components/group-meetings";
import { requireManagedGroup } from "../domain/working-groups/access.server";
import { getAttendanceMatrix } from "../domain/working-groups/attendance.server";
import { tokyoParts } from "../utils/format";
import { scrollRegion } from "../utils/scroll-region";

export const meta: MetaFunction = () => [{ title: "出席状況 | 専門部会の管理" }];

/** Members × meetings, with each member's and each meeting's attendance rate. */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const group = await requireManagedGroup(request, context, params.id);
  return { group, matrix: await getAttendanceMatrix(context.db, { groupId: group.id }) };
}

function shortDate(value: string | Date) {
  const p = tokyoParts(value);
  return `${String(p.year).slice(2)}/${p.month}/${p.day}`;
}

export default function Attendance() {
  const { group, matrix } = useLoaderData<typeof loader>();
  return (
    <section>
      <GroupAdminHeader group={group} current="attendance" />
      <p>
        出席を記録した会合: {matrix.countedMeetings}回 / 全{matrix.meetings.length}回・全体の出席率{" "}
        <strong>{matrix.overallRateLabel}</strong>
      </p>
      <p className="small muted">
        出席率は、出席を記録した会合のうち出席した割合です(記録のない会合は数えません)。○ 出席 / ×
        欠席
      </p>
      <p className="actions">
        <a
          className="button button--secondary"
          href={`/admin/groups/${group.id}/attendance.csv`}
          download
        >
          CSVでダウンロード(Excel用)
        </a>
        <a
          className="button button--secondary"
          href={`/admin/groups/${group.id}/attendance.xlsx`}
          download
        >
          Excel(.xlsx)でダウンロード
        </a>
      </p>
      {matrix.members.length === 0 ? (
        <p>部会員がいません。</p>
      ) : (
        <div {...scrollRegion("出席状況の表")}>
          <table className="list matrix">
            <thead>
              <tr>
                <th scope="col">氏名</th>
                <th scope="col">出席率</th>
                <th scope="col">出席</th>
                {matrix.meetings.map((m) => (
                  <th key={m.id} scope="col" title={m.title}>
                    {m.number !== null ? `第${m.number}回` : "合同"}
                    <br />
                    <span className="small muted">{shortDate(m.starts_at)}</span>
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {matrix.members.map((p) => (
                <tr key={p.id}>
                  <th scope="row">
                    {p.name}
                    <br />
                    <span className="small muted">{p.union_name}</span>
                  </th>
                  <td>
                    <strong>{p.rate_label}</strong>
                  </td>
                  <td>{p.attended}</td>
                  {p.cells.map((v, i) => (
                    <td
                      key={matrix.meetings[i]?.id}
                      className={v === true ? "cell--yes" : v === false ? "cell--no" : undefined}
                    >
                      {v === true ? "○" : v === false ? "×" : ""}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr>
                <th scope="row">出席率</th>
                <td>
                  <strong>{matrix.overallRateLabel}</strong>
                </td>
                <td />
                {matrix.meetings.map((m) => (
                  <td key={m.id}>{m.counted ? m.rate_label : ""}</td>
                ))}
              </tr>
            </tfoot>
          </table>
        </div>
      )}
    </section>
  );
}
