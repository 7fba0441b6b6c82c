import http from "node:http";
import { sql } from "kysely";
import { loadDemoData } from "../../db/seed/load";
import { startTestApp } from "../support/app";
import { createTestDatabase } from "../support/db";
import { browserLike, createMember, seminarForm, signIn } from "../support/factories";

/**
 * Issue 14 (1): 20 slow exports arrive at once. Three stream (the long
 * readers' pool, EXPORT_CONNECTIONS); the 17 others are refused at once with
 * a Japanese 503 and Retry-After; meanwhile registrations, the event page and
 * /healthz answer in their usual time.
 */

const ROWS = 3_000;
let database: Awaited<ReturnType<typeof createTestDatabase>>;
let app: Awaited<ReturnType<typeof startTestApp>>;

beforeAll(async () => {
  database = await createTestDatabase();
  const { db } = database;
  await loadDemoData(db);
  const kenshukai = await db
    .selectFrom("events")
    .select("id")
    .where("slug", "=", "kenshukai-20")
    .executeTakeFirstOrThrow();
  await sql`
    insert into people (email, family_name, given_name, family_name_kana, given_name_kana,
                        organisation_id, workplace, phone, profile_completed_at)
    select 'crowd-' || i || '@example.jp', '佐藤', '花子', 'サトウ', 'ハナコ',
           (select id from organisations where kind = 'local_union' order by id limit 1),
           '市役所', '090-0000-0000', now()
    from generate_series(1, ${ROWS}) as i`.execute(db);
  await sql`
    insert into registrations (event_id, person_id, status, ticket_secret, ticket_code, answers, confirmed_at)
    select ${kenshukai.id}, p.id, 'confirmed', md5('s' || p.id) || md5('t' || p.id),
           'CR' || lpad(p.id::text, 8, '0'), '{}'::jsonb, now()
    from people p where p.email like 'crowd-%'`.execute(db);
  app = await startTestApp(db);
});
afterAll(async () => {
  await app?.close();
  await database?.drop();
});

/** A download that stops reading once the answer begins (a slow phone line). */
function openPaused(url: string, cookie: string) {
  return new Promise<{ request: http.ClientRequest; response: http.IncomingMessage; ms: number }>(
    (resolve, reject) => {
      const t = performance.now();
      const request = http.get(url, { headers: { Cookie: cookie }, agent: false }, (response) => {
        response.pause();
        resolve({ request, response, ms: Math.round(performance.now() - t) });
      });
      request.on("error", reject);
    },
  );
}

async function timed(run: () => Promise<Response>) {
  const t = performance.now();
  const response = await run();
  await response.text();
  return { status: response.status, ms: Math.round(performance.now() - t) };
}

describe("twenty slow exports at once", () => {
  it("three stream, seventeen get 503 at once, and registrations, pages and /healthz keep their usual time", async () => {
    const { db } = database;
    const eventId = (
      await db
        .selectFrom("events")
        .select("id")
        .where("slug", "=", "kenshukai-20")
        .executeTakeFirstOrThrow()
    ).id;
    const organiser = await db
      .selectFrom("people")
      .select("id")
      .where("email", "=", "organiser@example.jp")
      .executeTakeFirstOrThrow();
    const cookie = await signIn(db, organiser.id);
    const { form } = await seminarForm(db, { slug: "online-seminar-next" });
    await db
      .updateTable("courses")
      .set({ capacity: null })
      .where("key", "in", ["course-1", "course-2"])
      .execute();
    const members = [];
    for (let i = 0; i < 10; i++) members.push(await signIn(db, (await createMember(db)).id));

    // The usual time, before.
    const baseline = [];
    for (let i = 0; i < 3; i++) baseline.push(await timed(() => fetch(`${app.url}/healthz`)));

    const url = `${app.url}/admin/events/${eventId}/export.csv?encoding=utf8&columns=name&columns=kana&columns=ticket_code`;
    const exports = await Promise.all(Array.from({ length: 20 }, () => openPaused(url, cookie)));
    const streaming = exports.filter((e) => e.response.statusCode === 200);
    const refused = exports.filter((e) => e.response.statusCode === 503);

    // While the three stream (and read nothing): the rest of the site.
    const during = await Promise.all([
      ...members.map((m) =>
        timed(() => browserLike(app.url, m).post("/events/online-seminar-next/register", form)),
      ),
      timed(() => fetch(`${app.url}/healthz`)),
      timed(() => fetch(`${app.url}/events/online-seminar-next`)),
      timed(() => fetch(`${app.url}/reports`)),
    ]);
    const refusedBody = await new Promise<string>((resolve) => {
      let body = "";
      refused[0]?.response.setEncoding("utf8");
      refused[0]?.response.on("data", (c: string) => {
        body += c;
      });
      refused[0]?.response.on("end", () => resolve(body));
      refused[0]?.response.resume();
    });
    for (const e of exports) e.request.destroy();

    const slowestDuring = Math.max(...during.map((d) => d.ms));
    console.log(
      `20 exports at once: ${streaming.length} streaming, ${refused.length} × 503 (slowest refusal ${Math.max(...refused.map((e) => e.ms))} ms, Retry-After ${refused[0]?.response.headers["retry-after"]}); ` +
        `meanwhile ${members.length} registrations + /healthz + 2 pages: statuses ${during.map((d) => d.status).join(",")}, slowest ${slowestDuring} ms (healthz before: ${baseline.map((b) => b.ms).join("/")} ms)`,
    );
    expect(streaming).toHaveLength(3);
    expect(refused).toHaveLength(17);
    expect(refused.every((e) => e.response.headers["retry-after"])).toBe(true);
    expect(refusedBody).toContain("ほかのダウンロードが多く実行中のため");
    expect(Math.max(...refused.map((e) => e.ms))).toBeLessThan(3_000);
    expect(during.slice(0, members.length).every((d) => d.status === 302)).toBe(true);
    expect(during.slice(members.length).every((d) => d.status === 200)).toBe(true);
    expect(slowestDuring).toBeLessThan(5_000);
  }, 120_000);
});
