import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData, useSearchParams } from "@remix-run/react";
import { formatBytes, RsvpButtons } from "../components/group-meetings";
import { groupTitle, meetingNumberLabel, placeText, RSVP_LABELS } from "../utils/working-groups";
import { getUser } from "../domain/auth.server";
import { listVisibleMaterials } from "../domain/materials.server";
import { getGroupPage } from "../domain/working-groups/groups.server";
import { formatRange } from "../utils/format";
import { parseRowId } from "../utils/forms";
import { notFound } from "../utils/action.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `${data.group.name}「${data.group.theme}」 | 自治研イベント` : "専門部会" },
];

/**
 * A group: its theme, every meeting (numbered as the group counts them), and
 * for its members the roster, ZOOM links, their answers and the group's papers.
 */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = await getUser(context.db, request);
  const page = await getGroupPage(context.db, {
    groupId: parseRowId(params.id) ?? 0,
    viewer: user,
  });
  if (!page) notFound();
  const materials = await listVisibleMaterials(context.db, { user, groupId: page.group.id });
  return { ...page, materials, signedIn: Boolean(user) };
}

const ROLE_LABELS = { leader: "部会長", member: "部会員" } as const;

export default function Group() {
  const { group, meetings, roster, isMember, isManager, materials, signedIn } =
    useLoaderData<typeof loader>();
  const [params] = useSearchParams();
  const answered = params.get("answered");
  const upcoming = meetings.filter((m) => m.upcoming);
  const past = meetings.filter((m) => !m.upcoming).reverse();
  const meetingCard = (m: (typeof meetings)[number]) => (
    <article
      key={m.id}
      id={`meeting-${m.id}`}
      className={`card meeting${m.upcoming ? "" : " meeting--past"}`}
    >
      <div className="badges">
        <span className="badge">{m.number !== null ? `第${m.number}回` : "合同"}</span>
        {m.place_kind === "site" ? <span className="badge badge--warn">現地調査</span> : null}
        {m.place_kind === "zoom" ? <span className="badge">ZOOM</span> : null}
        {isMember && m.attended === true ? <span className="badge badge--ok">出席</span> : null}
        {isMember && m.attended === false ? <span className="badge badge--done">欠席</span> : null}
      </div>
      <h3>{m.title}</h3>
      <p className="small">{formatRange(m.starts_at, m.ends_at)}</p>
      <p className="small">
        {placeText(m)}
        {m.venue_address ? `(${m.venue_address})` : ""}
        {m.venue_map_url ? (
          <>
            {" "}
            <a className="tap" href={m.venue_map_url} target="_blank" rel="noreferrer">
              地図
            </a>
          </>
        ) : null}
      </p>
      {m.online_url && m.upcoming ? (
        <p className="small">
          参加URL:{" "}
          <a href={m.online_url} target="_blank" rel="noreferrer">
            {m.online_url}
          </a>
        </p>
      ) : null}
      {m.note ? <p className="small muted">{m.note}</p> : null}
      {m.shared_with.length > 0 ? (
        <p className="small muted">
          合同開催: {m.shared_with.map((o) => meetingNumberLabel(o, o.number)).join("・")}
        </p>
      ) : null}
      {isMember && m.upcoming ? (
        <>
          <p className="small">
            あなたの回答: <strong>{m.answer ? RSVP_LABELS[m.answer] : "未回答"}</strong>
          </p>
          <RsvpButtons
            meetingId={m.id}
            answer={m.answer}
            redirectTo={`/groups/${group.id}?answered=${m.id}#meeting-${m.id}`}
            label={`${m.title}の出欠`}
          />
        </>
      ) : null}
      {isManager ? (
        <p className="small">
          <Link to={`/admin/groups/${group.id}/meetings/${m.id}`}>出欠・出席を管理する</Link>
        </p>
      ) : null}
    </article>
  );
  return (
    <section>
      <p className="small">
        <Link className="back-link" to="/groups">
          ← 専門部会の一覧
        </Link>
      </p>
      <div className="badges">
        <span className="badge">{group.term}</span>
        {isMember ? <span className="badge badge--ok">あなたは部会員です</span> : null}
      </div>
      <h1>{groupTitle(group)}</h1>
      {group.topics.length > 0 ? (
        <>
          <p className="small muted">具体的調査・研究内容</p>
          <ol>
            {group.topics.map((t) => (
              <li key={t}>{t}</li>
            ))}
          </ol>
        </>
      ) : null}
      {isManager ? (
        <p className="actions">
          <Link className="button button--secondary" to={`/admin/groups/${group.id}`}>
            この部会を管理する
          </Link>
        </p>
      ) : null}
      {answered ? (
        <p className="notice notice--ok" role="status">
          出欠の回答を受け付けました。
        </p>
      ) : null}

      <h2>これからの会合</h2>
      {upcoming.length === 0 ? <p>予定されている会合はありません。</p> : null}
      <div className="stack">{upcoming.map(meetingCard)}</div>

      <h2>開催経過({past.length}回)</h2>
      <div className="stack">{past.map(meetingCard)}</div>

      <h2>資料</h2>
      {materials.length === 0 ? (
        <p>
          {signedIn
            ? "表示できる資料はありません。"
            : "資料はログインした部会員の方に表示されます。"}
        </p>
      ) : (
        <ul>
          {materials.map((m) => (
            <li key={m.id}>
              <a href={`/materials/${m.id}`}>{m.title}</a>
              <span className="small muted">
                {m.kind === "file" ? ` (${formatBytes(m.size_bytes)})` : " (リンク)"}
              </span>
            </li>
          ))}
        </ul>
      )}

      {isMember || isManager ? (
        <>
          <h2>部会員({roster.length}名)</h2>
          <ul>
            {roster.map((p) => (
              <li key={p.id}>
                {p.name}
                <span className="small muted">
                  {" "}
                  {p.union_name ?? ""}
                  {p.role === "leader" ? `・${ROLE_LABELS.leader}` : ""}
                </span>
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}
