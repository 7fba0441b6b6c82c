/**
 * Benchmark of the reception desk: how many check-ins per second the app takes
 * over HTTP, against the same SQL transaction run directly by pgbench on the
 * same database.
 *
 *   npm run bench:checkin            (BENCH_TICKETS=5000 BENCH_CONNECTIONS=10)
 *
 * 1. one event holding 5,000 confirmed registrations (bulk insert);
 * 2. autocannon checks in every ticket once, each request with its own ticket
 *    and nonce, as a desk sends them;
 * 3. the check-ins are cleared, and pgbench runs the transaction that
 *    checkIn() runs for the same 5,000 tickets;
 * 4. prints check-ins/s, p50 and p99 for both, and the ratio.
 * Target (issue 8): ≥ 0.5 of the baseline; p99 ≤ 50 ms.
 */
import { randomBytes, randomUUID } from "node:crypto";
import os from "node:os";
import { sql } from "kysely";
import { createSession, sessionCookie } from "../../app/domain/auth.server";
import { ensureCheckinLists } from "../../app/domain/checkin.server";
import { type LoadResult, load, openBench, pgbench, profiled, report } from "./support";

const TICKETS = Number(process.env.BENCH_TICKETS ?? 5000);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const SLUG = "kenshukai-20";

const bench = await openBench("checkin");
try {
  const { db } = bench;
  const event = await db
    .selectFrom("events")
    .select("id")
    .where("slug", "=", SLUG)
    .executeTakeFirstOrThrow();
  await ensureCheckinLists(db, event.id);
  const list = await db
    .selectFrom("checkin_lists")
    .select("id")
    .where("event_id", "=", event.id)
    .where("session_id", "is", null)
    .executeTakeFirstOrThrow();
  const union = await db
    .selectFrom("organisations")
    .select("id")
    .where("code", "=", "fukushima-shi")
    .executeTakeFirstOrThrow();

  console.log(`== seeding ${TICKETS} confirmed registrations`);
  const tickets: string[] = [];
  for (let start = 0; start < TICKETS; start += 1000) {
    const n = Math.min(1000, TICKETS - start);
    const people = await db
      .insertInto("people")
      .values(
        Array.from({ length: n }, (_, i) => ({
          email: `bench-${start + i}@example.jp`,
          family_name: "受付",
          given_name: `${start + i}`,
          family_name_kana: "ウケツケ",
          given_name_kana: "ベンチ",
          organisation_id: union.id,
          profile_completed_at: new Date(),
        })),
      )
      .returning("id")
      .execute();
    const values = people.map((p) => {
      const secret = randomBytes(32).toString("base64url");
      tickets.push(secret);
      return {
        event_id: event.id,
        person_id: p.id,
        status: "confirmed" as const,
        ticket_secret: secret,
        ticket_code: randomBytes(9)
          .toString("hex")
          .toUpperCase()
          .replace(/^(.{4})(.{4})(.{4}).*$/, "$1-$2-$3"),
        answers: {},
        confirmed_at: new Date(),
      };
    });
    await db.insertInto("registrations").values(values).execute();
  }
  await sql`analyze`.execute(db);
  const reception = await db
    .selectFrom("people")
    .select("id")
    .where("email", "=", "reception@example.jp")
    .executeTakeFirstOrThrow();
  const cookie = (await sessionCookie.serialize(await createSession(db, reception.id))).split(
    ";",
  )[0]!;

  // --- HTTP --------------------------------------------------------------
  const url = await bench.serve();
  console.log(`== HTTP: autocannon, ${CONNECTIONS} connections, ${TICKETS} distinct tickets`);
  const cpuBefore = process.cpuUsage();
  const http = await profiled("checkin", () =>
    load(bench, {
      url,
      method: "POST",
      path: `/checkin/${SLUG}/scan`,
      connections: CONNECTIONS,
      amount: TICKETS,
      cookies: [cookie],
      bodies: tickets.map((ticket) =>
        JSON.stringify({ list: list.id, ticket, desk: "ベンチ", nonce: randomUUID() }),
      ),
      contentType: "application/json",
      expectStatus: 200,
    }),
  );
  const cpu = process.cpuUsage(cpuBefore);
  console.log(
    `app process CPU per check-in: ${((cpu.user + cpu.system) / 1000 / TICKETS).toFixed(2)} ms (${(cpu.system / 1000 / TICKETS).toFixed(2)} ms in the kernel)`,
  );
  console.log(
    `load generator CPU per check-in: ${((http as { cpuMs?: number }).cpuMs! / TICKETS).toFixed(2)} ms`,
  );
  const httpRows = await countCheckins(list.id);
  if (httpRows !== TICKETS || http.errors > 0) {
    throw new Error(
      `HTTP run: ${httpRows} check-ins for ${TICKETS} tickets, ${http.errors} errors`,
    );
  }

  const clear = async () => {
    await sql`delete from checkin_scans where event_id = ${event.id}`.execute(db);
    await sql`delete from checkins where checkin_list_id = ${list.id}`.execute(db);
    await sql`delete from audit_log where event_id = ${event.id} and entity = 'checkin'`.execute(
      db,
    );
  };

  // --- HTTP, WEB_CONCURRENCY = cores ---------------------------------------
  await clear();
  const processes = os.cpus().length;
  const urlN = await bench.serveProcesses(processes);
  console.log(`== HTTP: the same with ${processes} app processes`);
  const httpN = await load(bench, {
    url: urlN,
    method: "POST",
    path: `/checkin/${SLUG}/scan`,
    connections: CONNECTIONS,
    amount: TICKETS,
    cookies: [cookie],
    bodies: tickets.map((ticket) =>
      JSON.stringify({ list: list.id, ticket, desk: "ベンチ", nonce: randomUUID() }),
    ),
    contentType: "application/json",
    expectStatus: 200,
  });

  // --- SQL, the same transaction -------------------------------------------
  await clear();
  await sql`create table bench_tickets (n integer primary key, secret text not null)`.execute(db);
  await sql`insert into bench_tickets (n, secret) select * from unnest(${sql.val(tickets.map((_, i) => i + 1))}::int[], ${sql.val(tickets)}::text[])`.execute(
    db,
  );
  await sql`create sequence bench_ticket_seq`.execute(db);
  await sql`vacuum analyze`.execute(db);
  const perClient = Math.floor(TICKETS / CONNECTIONS);
  console.log(`== SQL: pgbench, ${CONNECTIONS} clients, ${perClient * CONNECTIONS} transactions`);
  const baseline = await pgbench(bench, {
    script: pgbenchScript(),
    clients: CONNECTIONS,
    transactions: perClient * CONNECTIONS,
    defines: { event: event.id, list: list.id, staff: reception.id },
  });
  const sqlRows = await countCheckins(list.id);
  if (sqlRows !== perClient * CONNECTIONS) {
    throw new Error(`pgbench: ${sqlRows} check-ins for ${perClient * CONNECTIONS} transactions`);
  }

  const line = (label: string, r: LoadResult) =>
    console.log(
      `${label.padEnd(24)} ${String(r.ok).padStart(6)} ok ${String(r.errors).padStart(4)} errors ${r.perSecond.toFixed(0).padStart(6)}/s in ${r.seconds.toFixed(2)} s, p50 ${r.p50.toFixed(2)} ms p99 ${r.p99.toFixed(2)} ms`,
    );
  line("HTTP (autocannon)", http);
  line(`HTTP, ${processes} processes`, httpN);
  line("SQL only (pgbench)", baseline);
  const ratio = http.perSecond / baseline.perSecond;
  report({
    bench: "check-in",
    figure: `check-ins/s, ${TICKETS} distinct tickets`,
    product: `${http.perSecond.toFixed(0)}/s, p99 ${http.p99.toFixed(0)} ms`,
    baseline: `${baseline.perSecond.toFixed(0)}/s (pgbench)`,
    ratio,
    target: "≥ 0.5; p99 ≤ 50 ms",
    met: ratio >= 0.5 && http.p99 <= 50 && http.errors === 0,
  });
  report({
    bench: "check-in",
    figure: `the same, WEB_CONCURRENCY=${processes}`,
    product: `${httpN.perSecond.toFixed(0)}/s, p99 ${httpN.p99.toFixed(0)} ms`,
    baseline: `${baseline.perSecond.toFixed(0)}/s (pgbench)`,
    ratio: httpN.perSecond / baseline.perSecond,
    target: "≥ 0.5; p99 ≤ 50 ms",
    met: httpN.perSecond / baseline.perSecond >= 0.5 && httpN.p99 <= 50 && httpN.errors === 0,
  });
} finally {
  await bench.close();
}

async function countCheckins(listId: number) {
  const row = await bench.db
    .selectFrom("checkins")
    .select(sql<number>`count(*)::int`.as("n"))
    .where("checkin_list_id", "=", listId)
    .executeTakeFirstOrThrow();
  return row.n;
}

/**
 * checkIn() as plain SQL, statement for statement: the list with the event
 * row (key share) and the nonce's claim; the registration row locked, the
 * check-in inserted and the desk's card read; the webhooks to call, the
 * audit entry and the nonce's answer. The BEGIN is sent with the first
 * statement, and the COMMIT with the last, in one pipeline each, as the app
 * sends them (db/dialect.ts).
 * The app's connections set
 * lock_timeout once (db/index.ts), and prepare their statements, as
 * pgbench -M prepared does.
 */
function pgbenchScript(): string {
  return `
\\set nonce random(1, 9000000000000000)
select secret as ticket from bench_tickets where n = (select nextval('bench_ticket_seq')) \\gset
\\startpipeline
begin;
with l as materialized (select l.id, l.name, l.session_id from checkin_lists l join events e on e.id = l.event_id
    where l.id = :list and l.event_id = :event for key share of e),
  claim as (insert into checkin_scans (client_nonce, event_id, checkin_list_id, result, desk, staff_person_id, client_time)
    select 'bench-' || :nonce::text || '-' || :client_id::text, :event::int, l.id, 'unknown_ticket', 'ベンチ'::text, :staff::bigint, null::timestamptz from l
    on conflict (client_nonce) do nothing returning client_nonce)
  select l.id, l.name, l.session_id, exists (select 1 from claim) as claimed from l;
\\endpipeline
with r as materialized (select r.id, r.status, r.person_id, r.course_id, r.ticket_code, r.dietary_needs, r.accessibility_needs
    from registrations r where r.event_id = :event and r.ticket_secret = :ticket for update of r),
  k as (insert into checkins (checkin_list_id, registration_id, checked_in_at, desk, staff_person_id, client_nonce)
    select :list::int, r.id, coalesce(null::timestamptz, now()), 'ベンチ'::text, :staff::bigint, ('bench-' || :nonce::text || '-' || :client_id::text)::text from r
    where r.status = 'confirmed' and (null::int is null or exists (
      select 1 from registration_sessions rs where rs.registration_id = r.id and rs.session_id = null::int))
    on conflict (checkin_list_id, registration_id) do nothing returning id, checked_in_at, desk, staff_person_id)
  select r.id as reg, r.status, r.ticket_code, r.dietary_needs, r.accessibility_needs, p.family_name, p.given_name,
    p.family_name_kana, p.given_name_kana, o.name as union_name, coalesce(trim(c.code || ' ' || c.title), '') as course,
    (null::int is null or exists (select 1 from registration_sessions rs where rs.registration_id = r.id and rs.session_id = null::int)) as holds_session,
    k.id as checkin, coalesce(k.id, prior.id) as checkin_id,
    case when k.id is not null then k.checked_in_at else prior.checked_in_at end as checked_in_at,
    case when k.id is not null then k.desk else prior.desk end as desk,
    coalesce(trim(s.family_name || ' ' || s.given_name), '') as staff_name
  from r join people p on p.id = r.person_id left join organisations o on o.id = p.organisation_id
  left join courses c on c.id = r.course_id left join k on true
  left join checkins prior on prior.registration_id = r.id and prior.checkin_list_id = :list
  left join people s on s.id = coalesce(k.staff_person_id, prior.staff_person_id) \\gset
\\startpipeline
with webhook_jobs as (select graphile_worker.add_job('deliver_webhook', json_build_object('webhookId', w.id, 'body', '{}'::text), max_attempts := 15)
    from webhooks w join people p on p.id = w.created_by where w.active and 'checkin.created'::text = any(w.topics)
    and (w.event_id is null or w.event_id = :event::int)
    and (p.role = 'admin' or p.id in (select person_id from event_staff where event_id = :event::int and role = 'organiser'))),
  audit_entry as (insert into audit_log (actor_person_id, event_id, entity, entity_id, action, detail)
    values (:staff::bigint, :event::int, 'checkin', :checkin::text, 'checkin',
      jsonb_build_object('list_id', :list::int, 'registration_id', :reg::text, 'desk', 'ベンチ', 'offline', false))),
  scan_answer as (update checkin_scans set result = 'ok', registration_id = :reg, checkin_id = :checkin
    where client_nonce = 'bench-' || :nonce::text || '-' || :client_id::text)
  select 0 + (select count(*) from webhook_jobs) as jobs;
commit;
\\endpipeline
`;
}
