import type { LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useLoaderData, useSearchParams } from "@remix-run/react";
import { AttendeeFilterSelects } from "../components/attendee-filters";
import {
  attendeeFilterOptions,
  attendeeFilterSchema,
  listAttendees,
} from "../domain/attendees.server";
import { requireEventAccess } from "../domain/permissions.server";
import { formatDateTime } from "../utils/format";
import { REGISTRATION_STATUS_LABELS } from "../utils/labels";
import { eventTabMeta } from "../utils/meta";
import { scrollRegion } from "../utils/scroll-region";

export const meta = eventTabMeta("申込者");

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const access = await requireEventAccess(request, context, {
    eventId: params.id,
    permission: "attendees",
  });
  const filter = attendeeFilterSchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  const result = await listAttendees(context.db, {
    eventId: access.eventId,
    unionId: access.unionId,
    filter,
  });
  const options = await attendeeFilterOptions(context.db, access.eventId);
  return { ...result, filter, options, eventId: access.eventId, narrowed: access.unionId !== null };
}

export default function Attendees() {
  const { rows, total, pages, filter, options, eventId, narrowed } = useLoaderData<typeof loader>();
  const [params] = useSearchParams();
  const pageLink = (page: number) => {
    const next = new URLSearchParams(params);
    next.set("page", String(page));
    return `?${next.toString()}`;
  };
  return (
    <section>
      <h2>申込者一覧({total}名)</h2>
      {narrowed ? <p className="muted small">所属単組の組合員のみ表示しています。</p> : null}
      <p className="actions">
        <Link className="button button--secondary" to={`/admin/events/${eventId}/attendees/new`}>
          代理で申し込む
        </Link>
        <Link className="button button--secondary" to={`/admin/events/${eventId}/attendees/import`}>
          CSVで一括申込
        </Link>
      </p>
      <Form method="get" className="filters">
        <AttendeeFilterSelects
          filter={filter}
          options={{
            ...options,
            courses: options.courses.map((c) => ({
              id: c.id,
              label: `${c.code} ${c.title}`.trim(),
            })),
          }}
          narrowed={narrowed}
        />
        <label>
          氏名・フリガナ・受付番号
          <input
            type="text"
            name="q"
            defaultValue={filter.q ?? ""}
            placeholder="名前・フリガナ(ひらがな可)・メール・受付番号"
          />
        </label>
        <label>
          並び順
          <select name="sort" defaultValue={filter.sort}>
            <option value="kana">五十音順</option>
            <option value="registered">申込の新しい順</option>
          </select>
        </label>
        <button type="submit" className="button">
          絞り込む
        </button>
      </Form>
      {rows.length === 0 ? (
        <p>条件に合う申込はありません。</p>
      ) : (
        <div {...scrollRegion("申込者の一覧")}>
          <table className="list">
            <thead>
              <tr>
                <th>氏名</th>
                <th>フリガナ</th>
                <th>単組</th>
                <th>コース・分科会</th>
                <th>状態</th>
                <th>申込日時</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.id}>
                  <td className="nowrap">
                    <Link to={`/admin/events/${eventId}/attendees/${r.id}`}>
                      {r.family_name} {r.given_name}
                    </Link>
                  </td>
                  <td className="nowrap">
                    {r.family_name_kana} {r.given_name_kana}
                  </td>
                  <td className="nowrap">{r.union_name}</td>
                  <td>{r.course_label}</td>
                  <td>{REGISTRATION_STATUS_LABELS[r.status]}</td>
                  <td>{formatDateTime(r.created_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <nav className="pager" aria-label="ページ">
        {filter.page > 1 ? <Link to={pageLink(filter.page - 1)}>← 前へ</Link> : null}
        <span>
          {filter.page} / {pages} ページ
        </span>
        {filter.page < pages ? <Link to={pageLink(filter.page + 1)}>次へ →</Link> : null}
      </nav>
    </section>
  );
}
