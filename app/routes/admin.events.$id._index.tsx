import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData, useRevalidator } from "@remix-run/react";
import { useEffect } from "react";
import { getEventDashboard } from "../domain/dashboard.server";
import { requireEventAccess } from "../domain/permissions.server";
import { eventTabMeta } from "../utils/meta";
import { scrollRegion } from "../utils/scroll-region";

export const meta = eventTabMeta("ダッシュボード");

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const access = await requireEventAccess(request, context, {
    eventId: params.id,
    permission: "attendees",
  });
  return getEventDashboard(context.db, { eventId: access.eventId, unionId: access.unionId });
}

/** The day-by-day registrations as a bar chart, drawn in SVG with no library. */
function PerDayChart({ data }: { data: { day: string; n: number }[] }) {
  if (data.length === 0) return <p className="muted">まだ申込はありません。</p>;
  const max = Math.max(...data.map((d) => d.n));
  const width = Math.max(320, data.length * 28);
  return (
    <div {...scrollRegion("日別の申込数")}>
      <svg width={width} height={160} role="img" aria-label="日別の申込数">
        {data.map((d, i) => {
          const h = Math.round((d.n / max) * 110);
          return (
            <g key={d.day} transform={`translate(${i * 28 + 4},0)`}>
              <rect x={0} y={130 - h} width={20} height={h} fill="#0b4f6c" />
              <text x={10} y={126 - h} fontSize={10} textAnchor="middle">
                {d.n}
              </text>
              <text x={10} y={146} fontSize={9} textAnchor="middle">
                {d.day.slice(5).replace("-", "/")}
              </text>
            </g>
          );
        })}
      </svg>
    </div>
  );
}

export default function Dashboard() {
  const d = useLoaderData<typeof loader>();
  const { revalidate } = useRevalidator();
  useEffect(() => {
    // The counters follow check-ins and registrations by themselves.
    const timer = setInterval(revalidate, 10_000);
    return () => clearInterval(timer);
  }, [revalidate]);
  return (
    <section>
      <div className="stats">
        <div className="card stat">
          <span className="stat__n">{d.confirmed}</span>確定
        </div>
        <div className="card stat">
          <span className="stat__n">{d.waitlisted}</span>キャンセル待ち
        </div>
        <div className="card stat">
          <span className="stat__n">{d.seatsLeft ?? "—"}</span>残席
          {d.capacity !== null ? `(定員${d.capacity})` : ""}
        </div>
        <div className="card stat">
          <span className="stat__n" data-testid="checked-in">
            {d.checkedIn}
          </span>
          受付済み
        </div>
      </div>
      <h2>日別の申込数</h2>
      <PerDayChart data={d.perDay} />
      {d.byCourse.length > 0 ? (
        <>
          <h2>コース・分科会別</h2>
          <table className="list">
            <thead>
              <tr>
                <th>コース</th>
                <th>確定</th>
                <th>定員</th>
                <th>残席</th>
              </tr>
            </thead>
            <tbody>
              {d.byCourse.map((c) => (
                <tr key={c.id}>
                  <td>
                    {c.code} {c.title}
                  </td>
                  <td>{c.n}</td>
                  <td>{c.capacity ?? "—"}</td>
                  <td>{c.capacity === null ? "—" : Math.max(0, c.capacity - c.taken)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
      {d.bySession.length > 0 ? (
        <>
          <h2>日程・企画別</h2>
          <table className="list">
            <thead>
              <tr>
                <th>日程・企画</th>
                <th>確定</th>
                <th>定員</th>
              </tr>
            </thead>
            <tbody>
              {d.bySession.map((s) => (
                <tr key={s.id}>
                  <td>{s.title}</td>
                  <td>{s.n}</td>
                  <td>{s.capacity ?? "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
      <h2>単組別</h2>
      <table className="list">
        <thead>
          <tr>
            <th>単組</th>
            <th>確定</th>
            <th>割当枠</th>
          </tr>
        </thead>
        <tbody>
          {d.byUnion.map((u) => (
            <tr key={u.name ?? "none"}>
              <td>{u.name ?? "(所属なし)"}</td>
              <td>{u.n}</td>
              <td>{u.seats ?? "—"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
