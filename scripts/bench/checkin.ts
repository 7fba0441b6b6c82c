/**
 * Benchmark of the reception desk: how many check-ins per second the app takes
 * over HTTP, against the same SQL transaction run directly by pgbench on the
 * same database.
 *
 *   npm run bench:checkin   (BENCH_TICKETS=5000 BENCH_ROUNDS=5 BENCH_CONNECTIONS=10)
 *
 * 1. one event holding 6,000 confirmed registrations (bulk insert); 1,000
 *    warm up the app, its second server and pgbench, and are not counted;
 * 2. in each of 5 rounds, on the round's 1,000 tickets: autocannon checks in
 *    every ticket once against one app process, each request with its own
 *    ticket and nonce, as a desk sends them; the check-ins are cleared and the
 *    same again against WEB_CONCURRENCY = cores processes; cleared again,
 *    pgbench runs the transaction that checkIn() runs for the same tickets;
 * 3. prints check-ins/s, p50 and p99 for each (the rounds' answers over their
 *    time; the median round's percentiles), the ratio, and its range over
 *    the rounds. Taking turns round by round keeps a machine whose speed
 *    drifts from deciding the ratio.
 * Target (issue 8): ≥ 0.5 of the baseline; p99 ≤ 50 ms.
 */
import { randomBytes, randomUUID } from "node:crypto";
import os from "node:os";
import { sql } from "kysely";
import { ensureCheckinLists } from "../../app/domain/checkin.server";
import { createSession, hashToken, sessionCookie } from "../../app/domain/auth.server";
import { type LoadResult, load, openBench, pgbench, profiled, report } from "./support";

const TICKETS = Number(process.env.BENCH_TICKETS ?? 5000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const WARM_UP = 1000;
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

  const SEEDED = TICKETS + WARM_UP;
  console.log(`== seeding ${SEEDED} confirmed registrations`);
  const tickets: string[] = [];
  for (let start = 0; start < SEEDED; start += 1000) {
    const n = Math.min(1000, SEEDED - start);
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
  // the desk's session: its cookie for the app, the hash it is kept by for pgbench
  const token = await createSession(db, reception.id);
  const cookie = (await sessionCookie.serialize(token)).split(";")[0]!;
  const idHash = hashToken(token);

  const clear = async () => {
    await sql`delete from checkin_scans where event_id = ${event.id}`.execute(db);
    await sql`delete from checkins where checkin_list_id = ${list.id}`.execute(db);
    await sql`delete from audit_log where event_id = ${event.id} and entity = 'checkin'`.execute(
      db,
    );
    // so that no autovacuum of the rows just deleted runs into the next run
    await sql`vacuum checkin_scans, checkins, audit_log, graphile_worker._private_jobs`.execute(db);
  };
  await sql`create table bench_tickets (n integer primary key, secret text not null)`.execute(db);
  await sql`create sequence bench_ticket_seq`.execute(db);
  await sql`vacuum analyze`.execute(db);

  const processes = os.cpus().length;
  const url = await bench.serve();
  const urlN = await bench.serveProcesses(processes);
  const scan = (target: string, slice: string[]) =>
    load(bench, {
      url: target,
      method: "POST",
      path: `/checkin/${SLUG}/scan`,
      connections: CONNECTIONS,
      amount: slice.length,
      cookies: [cookie],
      bodies: slice.map((ticket) =>
        JSON.stringify({ list: list.id, ticket, desk: "ベンチ", nonce: randomUUID() }),
      ),
      contentType: "application/json",
      expectStatus: 200,
    });
  const sqlRun = async (slice: string[]) => {
    const perClient = Math.floor(slice.length / CONNECTIONS);
    await sql`truncate bench_tickets`.execute(db);
    await sql`insert into bench_tickets (n, secret) select * from unnest(${sql.val(slice.map((_, i) => i + 1))}::int[], ${sql.val(slice)}::text[])`.execute(
      db,
    );
    await sql`alter sequence bench_ticket_seq restart`.execute(db);
    const result = await pgbench(bench, {
      script: pgbenchScript(),
      clients: CONNECTIONS,
      transactions: perClient * CONNECTIONS,
      defines: { event: event.id, list: list.id, staff: reception.id, slug: SLUG, idhash: idHash },
    });
    const rows = await countCheckins(list.id);
    if (rows !== perClient * CONNECTIONS) {
      throw new Error(`pgbench: ${rows} check-ins for ${perClient * CONNECTIONS} transactions`);
    }
    return result;
  };

  // Warm-up, not counted: each server's code and prepared statements, pgbench's cache.
  const warm = tickets.slice(0, WARM_UP);
  await scan(url, warm);
  await clear();
  await scan(urlN, warm);
  await clear();
  await sqlRun(warm);
  await clear();

  // The machine's speed drifts (pgbench on the same SQL gave 654 to 1,372/s
  // within twenty minutes on one VM): the app and pgbench take turns, round
  // by round, on the same tickets, so that each ratio compares like with like.
  const counted = tickets.slice(WARM_UP);
  console.log(
    `== ${ROUNDS} rounds of ${counted.length / ROUNDS} distinct tickets, ${CONNECTIONS} connections: 1 app process, ${processes} app processes, pgbench`,
  );
  const rounds: { one: LoadResult; many: LoadResult; pg: LoadResult; cpuMs: number }[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const slice = counted.slice((r * counted.length) / ROUNDS, ((r + 1) * counted.length) / ROUNDS);
    const cpuBefore = process.cpuUsage();
    const one = await profiled(`checkin-${r + 1}`, () => scan(url, slice));
    const cpu = process.cpuUsage(cpuBefore);
    const rows = await countCheckins(list.id);
    if (rows !== slice.length || one.errors > 0) {
      throw new Error(`HTTP: ${rows} check-ins for ${slice.length} tickets, ${one.errors} errors`);
    }
    await clear();
    const many = await scan(urlN, slice);
    if ((await countCheckins(list.id)) !== slice.length || many.errors > 0) {
      throw new Error(`HTTP, ${processes} processes: ${many.errors} errors`);
    }
    await clear();
    const pg = await sqlRun(slice);
    await clear();
    rounds.push({ one, many, pg, cpuMs: (cpu.user + cpu.system) / 1000 / slice.length });
    console.log(
      `round ${r + 1}: ${one.perSecond.toFixed(0)}/s, ${processes} processes ${many.perSecond.toFixed(0)}/s, pgbench ${pg.perSecond.toFixed(0)}/s: ratio ${(one.perSecond / pg.perSecond).toFixed(2)}; app CPU ${((cpu.user + cpu.system) / 1000 / slice.length).toFixed(2)} ms a scan, load generator ${((one.cpuMs ?? 0) / slice.length).toFixed(2)} ms`,
    );
  }

  const http = combined(rounds.map((r) => r.one));
  const httpN = combined(rounds.map((r) => r.many));
  const baseline = combined(rounds.map((r) => r.pg));
  const ratios = rounds.map((r) => r.one.perSecond / r.pg.perSecond).sort((a, b) => a - b);
  const ratiosN = rounds.map((r) => r.many.perSecond / r.pg.perSecond).sort((a, b) => a - b);
  const cpuMs = rounds.map((r) => r.cpuMs).sort((a, b) => a - b);
  console.log(
    `app process CPU per check-in: ${cpuMs[Math.floor(cpuMs.length / 2)]!.toFixed(2)} ms (median of rounds; ${cpuMs[0]!.toFixed(2)}–${cpuMs.at(-1)!.toFixed(2)})`,
  );
  const line = (label: string, r: LoadResult) =>
    console.log(
      `${label.padEnd(24)} ${String(r.ok).padStart(6)} ok ${String(r.errors).padStart(4)} errors ${r.perSecond.toFixed(0).padStart(6)}/s in ${r.seconds.toFixed(2)} s, p50 ${r.p50.toFixed(2)} ms p99 ${r.p99.toFixed(2)} ms`,
    );
  line("HTTP (autocannon)", http);
  line(`HTTP, ${processes} processes`, httpN);
  line("SQL only (pgbench)", baseline);
  const ratio = http.perSecond / baseline.perSecond;
  const range = (rs: number[]) => `rounds ${rs[0]!.toFixed(2)}–${rs.at(-1)!.toFixed(2)}`;
  report({
    bench: "check-in",
    figure: `check-ins/s, ${counted.length} distinct tickets in ${ROUNDS} rounds`,
    product: `${http.perSecond.toFixed(0)}/s, p99 ${http.p99.toFixed(0)} ms`,
    baseline: `${baseline.perSecond.toFixed(0)}/s (pgbench)`,
    ratio,
    target: `≥ 0.5; p99 ≤ 50 ms (${range(ratios)})`,
    met: ratio >= 0.5 && http.p99 <= 50 && http.errors === 0,
  });
  report({
    bench: "check-in",
    figure: `the same, WEB_CONCURRENCY=${processes}`,
    product: `${httpN.perSecond.toFixed(0)}/s, p99 ${httpN.p99.toFixed(0)} ms`,
    baseline: `${baseline.perSecond.toFixed(0)}/s (pgbench)`,
    ratio: httpN.perSecond / baseline.perSecond,
    target: `≥ 0.5; p99 ≤ 50 ms (${range(ratiosN)})`,
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
 * A desk's scan as plain SQL, statement for statement (deskCheckIn): the
 * desk's session and its part in the event (the app's eventAccessSelect), the
 * list with the event row (key share) and the nonce's claim; then one statement: the
 * registration row locked, the check-in inserted, the webhooks to call, the
 * audit entry, the nonce's answer and the desk's card. The BEGIN is sent with the first
 * statement in one pipeline, as the app sends it (db/dialect.ts).
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
with a as materialized (select people.id, people.email, people.family_name, people.given_name,
    people.family_name_kana, people.given_name_kana, people.organisation_id, people.workplace, people.phone,
    people.birth_date, people.role, people.profile_completed_at, people.membership_status, auth_sessions.last_seen_at,
    (select events.id from events where events.slug = :slug) as event_id,
    (select exists (select event_staff.role from event_staff where event_staff.event_id = events.id
        and event_staff.person_id = people.id
        and event_staff.role = case people.role when 'reception' then 'reception' else 'organiser' end)
      from events where events.slug = :slug) as given
    from auth_sessions inner join people on people.id = auth_sessions.person_id
    where auth_sessions.id_hash = :idhash and auth_sessions.expires_at > now() and auth_sessions.stage = 'full'
      and (people.disabled_at is null and (people.valid_until is null or people.valid_until > now()))
      and (people.role = 'member' or auth_sessions.last_seen_at > now() - make_interval(hours => 12))),
  l as materialized (select l.id, l.name, l.session_id from checkin_lists l join events e on e.id = l.event_id
    where l.id = :list and l.event_id = (select a.event_id from a) for key share of e),
  claim as (insert into checkin_scans (client_nonce, event_id, checkin_list_id, result, desk, staff_person_id, client_time)
    select 'bench-' || :nonce::text || '-' || :client_id::text, a.event_id, l.id, 'unknown_ticket', 'ベンチ'::text, a.id, null::timestamptz from l, a
    on conflict (client_nonce) do nothing returning client_nonce)
  select a.*, l.id as list_id, l.name as list_name, l.session_id as list_session_id, exists (select 1 from claim) as claimed
  from a left join l on true;
\\endpipeline
with r as materialized (select r.id, r.status, r.person_id, r.course_id, r.ticket_code, r.dietary_needs, r.accessibility_needs
    from registrations r where r.event_id = :event and r.ticket_secret = :ticket for update of r),
  k as (insert into checkins (checkin_list_id, registration_id, checked_in_at, desk, staff_person_id, client_nonce)
    select :list::int, r.id, coalesce(null::timestamptz, now()), 'ベンチ'::text, :staff::bigint, ('bench-' || :nonce::text || '-' || :client_id::text)::text from r
    where r.status = 'confirmed' and (null::int is null or exists (
      select 1 from registration_sessions rs where rs.registration_id = r.id and rs.session_id = null::int))
    on conflict (checkin_list_id, registration_id) do nothing returning id, checked_in_at, desk, staff_person_id),
  webhook_jobs as (select graphile_worker.add_job('deliver_webhook', json_build_object('webhookId', w.id,
      'body', '{"type":"checkin.created","data":{"checkinId":'::text || to_json(k.id::text)::text || ',"registrationId":'::text
        || to_json(r.id::text)::text || '}}'::text), max_attempts := 15)
    from k, r, webhooks w join people p on p.id = w.created_by where w.active and 'checkin.created'::text = any(w.topics)
    and (w.event_id is null or w.event_id = :event::int)
    and (p.role = 'admin' or p.id in (select person_id from event_staff where event_id = :event::int and role = 'organiser'))),
  audit_entry as (insert into audit_log (actor_person_id, event_id, entity, entity_id, action, detail)
    select :staff::bigint, :event::int, 'checkin', k.id::text, 'checkin',
      jsonb_build_object('list_id', :list::int, 'desk', 'ベンチ', 'offline', false)
        || jsonb_build_object('registration_id', r.id::text) from k, r),
  scan_answer as (update checkin_scans cs set result = case when r.status = 'cancelled' then 'cancelled'
      when r.status = 'waitlisted' then 'waitlisted'
      when not (null::int is null or exists (select 1 from registration_sessions rs where rs.registration_id = r.id and rs.session_id = null::int)) then 'not_registered_for_session'
      when k.id is not null then 'ok' else 'already_checked_in' end,
    registration_id = r.id,
    checkin_id = case when k.id is not null then k.id
      when r.status = 'confirmed' and (null::int is null or exists (select 1 from registration_sessions rs where rs.registration_id = r.id and rs.session_id = null::int)) then prior.id end
    from r left join k on true left join checkins prior on prior.registration_id = r.id and prior.checkin_list_id = :list::int
    where cs.client_nonce = ('bench-' || :nonce::text || '-' || :client_id::text)::text)
  select r.id as reg, case when r.status = 'cancelled' then 'cancelled'
      when r.status = 'waitlisted' then 'waitlisted'
      when not (null::int is null or exists (select 1 from registration_sessions rs where rs.registration_id = r.id and rs.session_id = null::int)) then 'not_registered_for_session'
      when k.id is not null then 'ok' else 'already_checked_in' end as result,
    r.ticket_code, r.dietary_needs, r.accessibility_needs, p.family_name, p.given_name,
    p.family_name_kana, p.given_name_kana, o.name as union_name, coalesce(trim(c.code || ' ' || c.title), '') as course,
    case when k.id is not null then k.id
      when r.status = 'confirmed' and (null::int is null or exists (select 1 from registration_sessions rs where rs.registration_id = r.id and rs.session_id = null::int)) then prior.id end as checkin_id,
    case when k.id is not null then k.checked_in_at else prior.checked_in_at end as checked_in_at,
    case when k.id is not null then k.desk else prior.desk end as desk,
    coalesce(trim(s.family_name || ' ' || s.given_name), '') as staff_name,
    (select count(*) from webhook_jobs) as webhook_jobs
  from r join people p on p.id = r.person_id left join organisations o on o.id = p.organisation_id
  left join courses c on c.id = r.course_id left join k on true
  left join checkins prior on prior.registration_id = r.id and prior.checkin_list_id = :list::int
  left join people s on s.id = coalesce(k.staff_person_id, prior.staff_person_id);
commit;
`;
}

/**
 * The rounds as one run: their answers over their time; p50 and p99 the
 * median of the rounds' (autocannon gives percentiles, not its samples).
 */
function combined(runs: LoadResult[]): LoadResult {
  const median = (values: number[]) =>
    [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const ok = runs.reduce((n, r) => n + r.ok, 0);
  // each run's own measure of its time (pgbench's excludes its start and its connecting)
  const seconds = runs.reduce((n, r) => n + r.ok / r.perSecond, 0);
  return {
    requests: runs.reduce((n, r) => n + r.requests, 0),
    ok,
    errors: runs.reduce((n, r) => n + r.errors, 0),
    seconds,
    perSecond: ok / seconds,
    p50: median(runs.map((r) => r.p50)),
    p99: median(runs.map((r) => r.p99)),
  };
}
