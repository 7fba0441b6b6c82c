import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useLoaderData, useSubmit } from "@remix-run/react";
import { z } from "zod";
import { EventCard } from "../components/event-card";
import { listEventMonths, listPublicEvents } from "../domain/events.server";
import { EVENT_KIND_LABELS, isEventKind } from "../utils/labels";

export { publicPageHeaders as headers } from "../utils/cache";

export const meta: MetaFunction = () => [{ title: "イベント一覧 | 自治研イベント" }];

const filterSchema = z.object({
  kind: z
    .string()
    .optional()
    .transform((v) => (v && isEventKind(v) ? v : undefined)),
  month: z
    .string()
    .optional()
    .transform((v) => (v && /^\d{4}-(0[1-9]|1[0-2])$/.test(v) ? v : undefined)),
});

export async function loader({ request, context }: LoaderFunctionArgs) {
  const params = Object.fromEntries(new URL(request.url).searchParams);
  const filter = filterSchema.parse({ kind: params.kind, month: params.month });
  const [events, months] = [
    await listPublicEvents(context.db, filter),
    await listEventMonths(context.db),
  ];
  return { ...events, months, filter };
}

export default function Catalogue() {
  const { upcoming, past, months, filter } = useLoaderData<typeof loader>();
  const submit = useSubmit();
  return (
    <>
      <h1>自治研イベント</h1>
      <p className="muted">
        自治労福島県本部・自治労本部・各単組の自治研(地方自治研究)活動のイベントです。
        スマートフォンから申し込めます。
      </p>
      <Form method="get" className="filters" onChange={(e) => submit(e.currentTarget)}>
        <label>
          種別
          <select name="kind" defaultValue={filter.kind ?? ""}>
            <option value="">すべて</option>
            {Object.entries(EVENT_KIND_LABELS).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <label>
          開催月
          <select name="month" defaultValue={filter.month ?? ""}>
            <option value="">すべて</option>
            {months.map((m) => (
              <option key={m} value={m}>
                {m.replace(/^(\d{4})-0?(\d+)$/, "$1年$2月")}
              </option>
            ))}
          </select>
        </label>
        <noscript>
          <button type="submit" className="button">
            絞り込む
          </button>
        </noscript>
      </Form>

      <h2>これからのイベント</h2>
      {upcoming.length === 0 ? (
        <p className="muted">条件に合う、これからのイベントはありません。</p>
      ) : (
        <ul className="event-list">
          {upcoming.map((event) => (
            <li key={event.slug}>
              <EventCard event={event} />
            </li>
          ))}
        </ul>
      )}

      <h2>終了したイベント</h2>
      {past.length === 0 ? (
        <p className="muted">条件に合う、終了したイベントはありません。</p>
      ) : (
        <ul className="event-list">
          {past.map((event) => (
            <li key={event.slug}>
              <EventCard event={event} />
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
