import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData, useSearchParams } from "@remix-run/react";
import { getUser } from "../domain/auth.server";
import { isConfirmedMember } from "../domain/membership.server";
import { listMyReports, listPublicReports, listReportEvents } from "../domain/reports.server";
import { formatDate, formatDateTime } from "../utils/format";
import { scrollRegion } from "../utils/scroll-region";

export const meta: MetaFunction = () => [{ title: "自治研レポート | 自治研イベント" }];

const STATUS_LABELS = {
  submitted: "受付済み(審査中)",
  accepted: "採択",
  rejected: "不採択",
} as const;

/**
 * The public list of accepted 自治研レポート with their awards (表彰), by
 * event and 分科会 in presentation order; a member also sees their own.
 */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await getUser(context.db, request);
  const accepted = await listPublicReports(context.db);
  const events: {
    slug: string;
    title: string;
    when: string;
    courses: { label: string; reports: typeof accepted }[];
  }[] = [];
  for (const r of accepted) {
    let event = events.find((e) => e.slug === r.event_slug);
    if (!event) {
      event = {
        slug: r.event_slug,
        title: r.event_title,
        when: formatDate(r.event_starts_at),
        courses: [],
      };
      events.push(event);
    }
    const label = r.course_label ?? "分科会未定";
    let course = event.courses.find((c) => c.label === label);
    if (!course) {
      course = { label, reports: [] };
      event.courses.push(course);
    }
    course.reports.push(r);
  }
  return {
    events,
    signedIn: Boolean(user),
    member: user ? isConfirmedMember(user) : false,
    membershipPending: user?.membership_status === "pending",
    mine: user ? await listMyReports(context.db, user.id) : [],
    open: await listReportEvents(context.db),
  };
}

export default function Reports() {
  const { events, signedIn, member, membershipPending, mine, open } =
    useLoaderData<typeof loader>();
  const [params] = useSearchParams();
  return (
    <section>
      <h1>自治研レポート</h1>
      <p>
        専門部会や単組・職場の自治研活動をまとめたレポートは、県集会・全国集会の分科会で発表されます。優れたレポートは表彰しています。
      </p>
      {params.get("submitted") ? (
        <p className="notice notice--ok" role="status">
          レポートを受け付けました。分科会の割り当てなどが決まりしだい、このページでお知らせします。
        </p>
      ) : null}
      {open.length > 0 ? (
        <div className="notice">
          <p>レポートを受け付けています: {open.map((e) => e.title).join("、")}</p>
          <Link className="button" to="/reports/new">
            {signedIn ? "レポートを提出する" : "ログインしてレポートを提出する"}
          </Link>
        </div>
      ) : null}
      {mine.length > 0 ? (
        <>
          <h2>あなたが提出したレポート</h2>
          <div {...scrollRegion("あなたが提出したレポート")}>
            <table className="list">
              <thead>
                <tr>
                  <th>題名</th>
                  <th>提出先</th>
                  <th>分科会</th>
                  <th>状態</th>
                  <th>提出日時</th>
                </tr>
              </thead>
              <tbody>
                {mine.map((r) => (
                  <tr key={r.id}>
                    <td>
                      {r.has_file ? <a href={`/reports/${r.id}/file`}>{r.title}</a> : r.title}
                    </td>
                    <td>{r.event_title}</td>
                    <td>{r.course_label ?? r.requested_course_label ?? "—"}</td>
                    <td>
                      {STATUS_LABELS[r.status]}
                      {r.award ? `・${r.award}` : ""}
                    </td>
                    <td>{formatDateTime(r.created_at)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      ) : null}
      {events.length === 0 ? <p>採択されたレポートはまだありません。</p> : null}
      {events.map((e) => (
        <div key={e.slug}>
          <h2>
            <Link to={`/events/${e.slug}`}>{e.title}</Link>
            <span className="small muted"> {e.when}</span>
          </h2>
          {e.courses.map((c) => (
            <div key={c.label}>
              <h3>{c.label}</h3>
              <ol className="stack">
                {c.reports.map((r) => (
                  <li key={r.id}>
                    {r.award ? <span className="badge badge--warn">{r.award}</span> : null}{" "}
                    {r.has_file && (member || r.file_public) ? (
                      <a href={`/reports/${r.id}/file`}>{r.title}</a>
                    ) : (
                      <strong>{r.title}</strong>
                    )}
                    <span className="small muted">
                      {" "}
                      {r.authors}
                      {r.union_name ? `(${r.union_name})` : ""}
                    </span>
                  </li>
                ))}
              </ol>
            </div>
          ))}
        </div>
      ))}
      {!member && events.length > 0 ? (
        <p className="small muted">
          レポート本文は組合員の方がご覧いただけます(執筆者が公開に同意したものを除く)。
          {membershipPending
            ? "所属単組で組合員であることを確認中です。確認が済むとご覧いただけます。"
            : null}
        </p>
      ) : null}
    </section>
  );
}
