/**
 * Benchmark of the reception desk: how many check-ins per second the app takes
 * over HTTP, against the same SQL transaction run directly by pgbench on the
 * same database.
 *
 *   npm run bench:checkin            # embedded PostgreSQL, or DATABASE_URL's server
 *   BENCH_TICKETS=5000 BENCH_CONNECTIONS=10 npm run bench:checkin
 *
 * 1. a fresh database (migrated, demo data) with one event holding 5,000
 *    confirmed registrations (bulk insert);
 * 2. the app (the `remix build` output) on a free port, and autocannon in a
 *    separate process checking in every ticket once, each request with its
 *    own ticket and nonce, as a desk sends them;
 * 3. the check-ins are cleared, and pgbench runs the transaction that
 *    checkIn() runs (nonce claim, locked lookup, insert ... on conflict, audit
 *    entry, the answer's reads) for the same 5,000 tickets;
 * 4. prints check-ins/s, p50 and p99 for both, and the ratio.
 *
 * Everything runs on this machine (127.0.0.1); nothing is left behind.
 */
import { execFileSync, spawn } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { sql } from "kysely";
import { createSession, sessionCookie } from "../../app/domain/auth.server";
import { ensureCheckinLists } from "../../app/domain/checkin.server";
import { createApp, loadBuild } from "../../app/server";
import { startEmbeddedPostgres } from "../../db/embedded";
import { createDb, migrateToLatest } from "../../db/index";
import { loadDemoData } from "../../db/seed/load";
import { report } from "./support";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const TICKETS = Number(process.env.BENCH_TICKETS ?? 5000);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const SLUG = "kenshukai-20";

type LoadConfig = {
  url: string;
  cookie: string;
  listId: number;
  tickets: string[];
  connections: number;
};

type Histogram = { p50: number; p99: number };
type Autocannon = (options: Record<string, unknown>) => Promise<{
  requests: Histogram & { total: number };
  latency: Histogram;
  duration: number;
  non2xx: number;
  errors: number;
  timeouts: number;
}>;

type Summary = {
  checkins: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
  errors: number;
};

/** The child process: autocannon, each request a new ticket and nonce. */
async function runAutocannon(configFile: string) {
  // autocannon ships no types; only the fields read below are declared.
  const specifier = "autocannon";
  const { default: autocannon } = (await import(specifier)) as { default: Autocannon };
  const config = JSON.parse(readFileSync(configFile, "utf8")) as LoadConfig;
  let next = 0;
  const result = await autocannon({
    url: config.url,
    connections: config.connections,
    amount: config.tickets.length,
    requests: [
      {
        method: "POST",
        path: `/checkin/${SLUG}/scan`,
        headers: {
          Cookie: config.cookie,
          Origin: config.url,
          "Content-Type": "application/json",
          Accept: "application/json",
        },
        setupRequest: (request: Record<string, unknown>) => {
          const ticket = config.tickets[next++ % config.tickets.length];
          return {
            ...request,
            body: JSON.stringify({
              list: config.listId,
              ticket,
              desk: "ベンチ",
              nonce: randomUUID(),
            }),
          };
        },
      },
    ],
  });
  const summary: Summary = {
    checkins: result.requests.total - result.non2xx - result.errors,
    seconds: result.duration,
    perSecond: (result.requests.total - result.non2xx - result.errors) / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.non2xx + result.errors + result.timeouts,
  };
  process.stdout.write(`${JSON.stringify(summary)}\n`);
}

async function main() {
  const work = mkdtempSync(path.join(os.tmpdir(), "jichiken-bench-checkin-"));
  const cleanups: (() => Promise<void>)[] = [];
  try {
    if (!existsSync(path.join(root, "build", "index.js"))) {
      console.log("== remix build");
      execFileSync("npx", ["remix", "build"], { cwd: root, stdio: "inherit" });
    }
    let adminUrl = process.env.DATABASE_URL;
    if (!adminUrl) {
      console.log("== starting a throw-away embedded PostgreSQL");
      const server = await startEmbeddedPostgres({
        dataDir: path.join(work, "pg"),
        persistent: false,
      });
      cleanups.unshift(server.stop);
      adminUrl = server.url;
    }
    const name = `jichiken_bench_${randomBytes(4).toString("hex")}`;
    const admin = createDb(adminUrl, { max: 1 });
    await sql.raw(`create database ${name}`).execute(admin);
    cleanups.unshift(async () => {
      await sql.raw(`drop database if exists ${name} with (force)`).execute(admin);
      await admin.destroy();
    });
    const dbUrl = new URL(adminUrl);
    dbUrl.pathname = `/${name}`;
    const db = createDb(dbUrl.toString());
    cleanups.unshift(() => db.destroy());

    console.log(`== seeding ${TICKETS} confirmed registrations`);
    await migrateToLatest(db);
    await loadDemoData(db);
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
    const app = createApp({
      db,
      build: await loadBuild(),
      appUrl: "http://127.0.0.1",
      devMail: true,
    });
    const server = app.listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    cleanups.unshift(() => new Promise((resolve) => server.close(() => resolve())));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const configFile = path.join(work, "load.json");
    writeFileSync(
      configFile,
      JSON.stringify({
        url,
        cookie,
        listId: list.id,
        tickets,
        connections: CONNECTIONS,
      } satisfies LoadConfig),
    );
    console.log(`== HTTP: autocannon, ${CONNECTIONS} connections, ${TICKETS} distinct tickets`);
    const cpuBefore = process.cpuUsage();
    const http = await child(process.execPath, [
      "--import",
      "tsx",
      fileURLToPath(import.meta.url),
      "--autocannon",
      configFile,
    ]);
    const httpSummary = JSON.parse(http.trim().split("\n").at(-1) ?? "{}") as Summary;
    const cpu = process.cpuUsage(cpuBefore);
    console.log(
      `app process CPU per check-in: ${((cpu.user + cpu.system) / 1000 / TICKETS).toFixed(2)} ms (${(cpu.system / 1000 / TICKETS).toFixed(2)} ms in the kernel)`,
    );
    const httpRows = await countCheckins(db, list.id);
    if (httpRows !== TICKETS || httpSummary.errors > 0) {
      throw new Error(
        `HTTP run: ${httpRows} check-ins for ${TICKETS} tickets, ${httpSummary.errors} errors`,
      );
    }

    // --- SQL, the same transaction -------------------------------------------
    await sql`delete from checkin_scans where event_id = ${event.id}`.execute(db);
    await sql`delete from checkins where checkin_list_id = ${list.id}`.execute(db);
    await sql`delete from audit_log where event_id = ${event.id} and entity = 'checkin'`.execute(
      db,
    );
    await sql`create table bench_tickets (n integer primary key, secret text not null)`.execute(db);
    for (let start = 0; start < tickets.length; start += 1000) {
      await sql`insert into bench_tickets (n, secret) select * from unnest(${sql.val(
        tickets.slice(start, start + 1000).map((_, i) => start + i + 1),
      )}::int[], ${sql.val(tickets.slice(start, start + 1000))}::text[])`.execute(db);
    }
    await sql`create sequence bench_ticket_seq`.execute(db);
    await sql`vacuum analyze`.execute(db);
    const script = path.join(work, "checkin.sql");
    writeFileSync(script, PGBENCH_SCRIPT);
    const pgbench = ["/usr/lib/postgresql/15/bin/pgbench", "pgbench"].find(
      (p) => p === "pgbench" || existsSync(p),
    )!;
    const perClient = Math.floor(TICKETS / CONNECTIONS);
    console.log(`== SQL: pgbench, ${CONNECTIONS} clients, ${perClient * CONNECTIONS} transactions`);
    const logDir = path.join(work, "pgbench-log");
    execFileSync("mkdir", ["-p", logDir]);
    const started = process.hrtime.bigint();
    const pgbenchOut = await child(pgbench, [
      "-n",
      "-M",
      "prepared",
      "-f",
      script,
      "-c",
      String(CONNECTIONS),
      "-j",
      "2",
      "-t",
      String(perClient),
      "-l",
      `--log-prefix=${path.join(logDir, "tx")}`,
      "-D",
      `event=${event.id}`,
      "-D",
      `list=${list.id}`,
      "-D",
      `staff=${reception.id}`,
      dbUrl.toString(),
    ]);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const latencies = readdirSync(logDir)
      .flatMap((f) => readFileSync(path.join(logDir, f), "utf8").trim().split("\n"))
      .filter(Boolean)
      .map((line) => Number(line.split(" ")[2]) / 1000)
      .sort((a, b) => a - b);
    const sqlRows = await countCheckins(db, list.id);
    const failed = /number of failed transactions: (\d+)/.exec(pgbenchOut)?.[1] ?? "0";
    const tps = /tps = ([\d.]+)/.exec(pgbenchOut)?.[1];
    const sqlSummary: Summary = {
      checkins: sqlRows,
      seconds,
      perSecond: tps ? Number(tps) : sqlRows / seconds,
      p50: percentile(latencies, 0.5),
      p99: percentile(latencies, 0.99),
      errors: Number(failed),
    };
    if (sqlRows !== perClient * CONNECTIONS) {
      throw new Error(`pgbench: ${sqlRows} check-ins for ${perClient * CONNECTIONS} transactions`);
    }

    const row = (label: string, s: Summary) =>
      `${label.padEnd(24)} ${s.checkins.toString().padStart(7)} ${s.perSecond.toFixed(0).padStart(12)} ${s.p50.toFixed(2).padStart(9)} ${s.p99.toFixed(2).padStart(9)}`;
    console.log("");
    console.log(
      `${"".padEnd(24)} ${"checkins".padStart(7)} ${"checkins/s".padStart(12)} ${"p50 ms".padStart(9)} ${"p99 ms".padStart(9)}`,
    );
    console.log(row("HTTP (autocannon)", httpSummary));
    console.log(row("SQL only (pgbench)", sqlSummary));
    console.log(
      `ratio HTTP/SQL: ${(httpSummary.perSecond / sqlSummary.perSecond).toFixed(2)} of the database's own rate (${CONNECTIONS} connections, ${os.cpus().length} cores)`,
    );
    const ratio = httpSummary.perSecond / sqlSummary.perSecond;
    report({
      bench: "check-in",
      figure: `check-ins/s, ${TICKETS} distinct tickets`,
      product: `${httpSummary.perSecond.toFixed(0)}/s, p99 ${httpSummary.p99.toFixed(0)} ms`,
      baseline: `${sqlSummary.perSecond.toFixed(0)}/s (pgbench)`,
      ratio,
      target: "≥ 0.5; p99 ≤ 50 ms",
      met: ratio >= 0.5 && httpSummary.p99 <= 50 && httpSummary.errors === 0,
    });
  } finally {
    for (const cleanup of cleanups) {
      try {
        await cleanup();
      } catch (error) {
        console.error("cleanup:", error);
      }
    }
    rmSync(work, { recursive: true, force: true });
  }
}

function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

async function countCheckins(db: ReturnType<typeof createDb>, listId: number) {
  const row = await db
    .selectFrom("checkins")
    .select(sql<number>`count(*)::int`.as("n"))
    .where("checkin_list_id", "=", listId)
    .executeTakeFirstOrThrow();
  return row.n;
}

function child(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const proc = spawn(command, args, { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    proc.stdout.on("data", (d) => {
      out += d;
    });
    proc.stderr.on("data", (d) => {
      err += d;
    });
    proc.on("error", reject);
    proc.on("close", (code) =>
      code === 0
        ? resolve(out + err)
        : reject(new Error(`${command} exited ${code}: ${err || out}`)),
    );
  });
}

/**
 * checkIn() as plain SQL, statement for statement: the list with the event
 * row (key share), the nonce claim, the registration row locked, the check-in
 * insert on conflict do nothing, the webhooks to call, the audit entry, the
 * nonce's answer, and the read that builds the answer (the person and the
 * stamp). The app's connections set lock_timeout once (db/index.ts).
 */
const PGBENCH_SCRIPT = `
\\set nonce random(1, 9000000000000000)
select secret as ticket from bench_tickets where n = (select nextval('bench_ticket_seq')) \\gset
begin;
select l.id, l.name, l.session_id from checkin_lists l join events e on e.id = l.event_id
  where l.id = :list and l.event_id = :event for key share of e;
insert into checkin_scans (client_nonce, event_id, checkin_list_id, result, desk, staff_person_id)
  values ('bench-' || :nonce::text || '-' || :client_id::text, :event, :list, 'unknown_ticket', 'ベンチ', :staff)
  on conflict (client_nonce) do nothing returning client_nonce;
select r.id as reg, r.status from registrations r join people p on p.id = r.person_id
  where r.event_id = :event and r.ticket_secret = :ticket for update of r \\gset
insert into checkins (checkin_list_id, registration_id, checked_in_at, desk, staff_person_id, client_nonce)
  values (:list, :reg, now(), 'ベンチ', :staff, 'bench-' || :nonce::text || '-' || :client_id::text)
  on conflict (checkin_list_id, registration_id) do nothing returning id as checkin \\gset
select w.id from webhooks w join people p on p.id = w.created_by where w.active and 'checkin.created' = any(w.topics)
  and (w.event_id is null or w.event_id = :event)
  and (p.role = 'admin' or p.id in (select person_id from event_staff where event_id = :event and role = 'organiser'));
insert into audit_log (actor_person_id, event_id, entity, entity_id, action, detail)
  values (:staff, :event, 'checkin', :checkin::text, 'checkin',
    jsonb_build_object('list_id', :list::int, 'registration_id', :reg::text, 'desk', 'ベンチ', 'offline', false));
update checkin_scans set result = 'ok', registration_id = :reg, checkin_id = :checkin
  where client_nonce = 'bench-' || :nonce::text || '-' || :client_id::text;
select r.id, r.ticket_code, r.dietary_needs, r.accessibility_needs, p.family_name, p.given_name,
    p.family_name_kana, p.given_name_kana, o.name, coalesce(trim(c.code || ' ' || c.title), ''),
    k.id, k.checked_in_at, k.desk, coalesce(trim(s.family_name || ' ' || s.given_name), '')
  from registrations r join people p on p.id = r.person_id
  left join organisations o on o.id = p.organisation_id left join courses c on c.id = r.course_id
  left join checkins k on k.registration_id = r.id and k.id = :checkin
  left join people s on s.id = k.staff_person_id
  where r.id = :reg;
commit;
`;

if (process.argv[2] === "--autocannon") {
  await runAutocannon(process.argv[3] ?? "");
} else {
  await main();
}
