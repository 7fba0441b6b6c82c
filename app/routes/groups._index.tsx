import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { groupTitle } from "../utils/working-groups";
import { getUser } from "../domain/auth.server";
import { listGroups } from "../domain/working-groups/groups.server";
import { listOpenRounds } from "../domain/working-groups/recruitment.server";
import { formatDate, formatDateTime } from "../utils/format";

export const meta: MetaFunction = () => [{ title: "専門部会 | 自治研イベント" }];

/** The 専門部会 by term, and any 専門部会員募集 open now. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await getUser(context.db, request);
  const groups = await listGroups(context.db, { viewerId: user?.id });
  const rounds = await listOpenRounds(context.db);
  const terms = [...new Set(groups.map((g) => g.term))];
  return {
    signedIn: Boolean(user),
    canManage: user?.role === "admin" || user?.role === "organiser",
    rounds,
    terms: terms.map((term) => ({ term, groups: groups.filter((g) => g.term === term) })),
  };
}

export default function Groups() {
  const { terms, rounds, signedIn, canManage } = useLoaderData<typeof loader>();
  return (
    <section>
      <h1>専門部会</h1>
      <p>
        専門部会は、テーマごとに1年半ほどかけて調査・研究を行い、自治研福島県集会でレポートを発表します。会合は県本部自治研室やZOOMで開くほか、現地調査も行います。
      </p>
      <p className="actions small">
        <Link to="/materials">資料</Link>
        <Link to="/reports">自治研レポート</Link>
        {canManage ? <Link to="/admin/groups">専門部会の管理</Link> : null}
      </p>
      {rounds.map((r) => (
        <section key={r.id} className="notice" aria-label={r.title}>
          <h2 className="notice__title">{r.title}</h2>
          {r.description ? <p className="description">{r.description}</p> : null}
          <p className="small">
            受付期間: {formatDateTime(r.opens_at)}〜{formatDateTime(r.closes_at)}
          </p>
          <Link className="button" to={`/groups/apply/${r.id}`}>
            {signedIn ? "応募する・応募内容を確認する" : "ログインして応募する"}
          </Link>
        </section>
      ))}
      {terms.length === 0 ? <p>専門部会はまだありません。</p> : null}
      {terms.map(({ term, groups }) => (
        <div key={term}>
          <h2>{term}自治研 専門部会</h2>
          <ul className="event-list">
            {groups.map((g) => (
              <li key={g.id}>
                <Link to={`/groups/${g.id}`} className="card event-card">
                  <div className="badges">
                    {g.is_member ? <span className="badge badge--ok">部会員</span> : null}
                    <span className="badge">会合 {g.meeting_count}回</span>
                  </div>
                  <h3>{groupTitle(g)}</h3>
                  {g.topics.length > 0 ? (
                    <p>
                      {g.topics
                        .map((t, i) => (g.topics.length > 1 ? `${"①②③④⑤⑥⑦⑧⑨⑩"[i]}${t}` : t))
                        .join(" ")}
                    </p>
                  ) : null}
                  <p>
                    {g.next_meeting_at
                      ? `次回 ${formatDate(g.next_meeting_at)}`
                      : g.last_meeting_at
                        ? `最終 ${formatDate(g.last_meeting_at)}`
                        : "会合の予定はまだありません"}
                  </p>
                </Link>
              </li>
            ))}
          </ul>
        </div>
      ))}
    </section>
  );
}
