import type { AddressInfo } from "node:net";
import { sql } from "kysely";
import { createApp, loadBuild } from "../../app/server";
import { createDb, type Database } from "../../db/index";
import { loadDemoData } from "../../db/seed/load";
import { createTestDatabase } from "../support/db";
import { browserLike, CONSENT_FIELDS, createMember, signIn } from "../support/factories";
import {
  type AppProcess,
  deadlockCount,
  spawnApp,
  stopAll,
  waitForBackendsGone,
  withApplicationName,
} from "../support/processes";

/**
 * ARCHITECTURE.md rule 1 under load: ten people for every seat, all at the
 * same moment, through real app processes over HTTP. Exactly N get a seat,
 * nobody gets an error, PostgreSQL counts no deadlock.
 */

const N = 10;
const ATTEMPTS = 10 * N;

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let db: Database;
const processes: AppProcess[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.db;
  await loadDemoData(db);
});
afterAll(async () => {
  await stopAll(processes);
  await database.drop();
});

async function eventId(slug: string): Promise<number> {
  const row = await db
    .selectFrom("events")
    .select("id")
    .where("slug", "=", slug)
    .executeTakeFirstOrThrow();
  return row.id;
}

async function questionId(event: number, label: string): Promise<number> {
  const row = await db
    .selectFrom("event_questions")
    .select("id")
    .where("event_id", "=", event)
    .where("label", "=", label)
    .executeTakeFirstOrThrow();
  return row.id;
}

/** `n` members, each with a session cookie. */
async function members(n: number): Promise<{ id: string; cookie: string }[]> {
  const out = [];
  for (let i = 0; i < n; i++) {
    const m = await createMember(db);
    out.push({ id: m.id, cookie: await signIn(db, m.id) });
  }
  return out;
}

type Outcome = "confirmed" | "refused_full" | "error";

/**
 * What one answer means: a redirect to /me?registered= is a registration, the
 * form again with the "full" message a clean refusal; anything else (a 5xx,
 * the "busy" message of a lock timeout or deadlock, a network error) is an error.
 */
async function outcome(response: Promise<Response>, fullMessage: string): Promise<Outcome> {
  try {
    const r = await response;
    const body = await r.text();
    if (r.status === 302 && r.headers.get("location")?.startsWith("/me?registered=")) {
      return "confirmed";
    }
    // a refusal for a full event answers 409 with its message (errors.server.ts, event_full)
    if (r.status === 409 && body.includes(fullMessage)) return "refused_full";
    return "error";
  } catch {
    return "error";
  }
}

function tally(outcomes: Outcome[]) {
  return {
    redirected: outcomes.filter((o) => o === "confirmed").length,
    refused: outcomes.filter((o) => o === "refused_full").length,
    errors: outcomes.filter((o) => o === "error").length,
  };
}

async function registrationCounts(event: number) {
  const rows = await db
    .selectFrom("registrations")
    .select("status")
    .select((eb) => eb.fn.countAll<string>().as("n"))
    .where("event_id", "=", event)
    .groupBy("status")
    .execute();
  const by = Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
  return { confirmed: by.confirmed ?? 0, waitlisted: by.waitlisted ?? 0 };
}

/**
 * The app in this process, on a pool of its own named `name`, so that its
 * backends can be told apart and waited for when it closes.
 */
async function appInThisProcess(name: string) {
  const pool = createDb(withApplicationName(database.url, name));
  const server = createApp({
    db: pool,
    build: await loadBuild(),
    appUrl: "http://localhost",
    devMail: false,
  }).listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: async () => {
      await new Promise((resolve) => server.close(resolve));
      await pool.destroy();
    },
  };
}

/**
 * The deadlocks PostgreSQL counted while these apps ran. A backend may hold
 * its counts for up to 10 s before it reports them, and always reports them
 * when it exits: so the apps are stopped, and their backends waited for.
 */
async function deadlocksSince(
  before: number,
  apps: { stop: () => Promise<void> }[],
  names: string[],
) {
  for (const app of apps) await app.stop();
  for (const name of names) await waitForBackendsGone(db, name);
  return (await deadlockCount(db)) - before;
}

describe("ten people for every seat, all at once", () => {
  it(`one app: ${ATTEMPTS} attempts for a course of ${N} seats give ${N} seats and ${ATTEMPTS - N} places on the waitlist, with no error and no deadlock`, async () => {
    const event = await eventId("online-seminar-next");
    const course = await db
      .selectFrom("courses")
      .select("id")
      .where("event_id", "=", event)
      .where("key", "=", "course-2")
      .executeTakeFirstOrThrow();
    await db.updateTable("courses").set({ capacity: N }).where("id", "=", course.id).execute();
    await db.updateTable("events").set({ capacity: null }).where("id", "=", event).execute();
    const form = {
      course: String(course.id),
      [`q_${await questionId(event, "自治研活動の経験")}`]: "単組・職場で取り組んだことがある",
      waitlist: "on",
      ...CONSENT_FIELDS,
    };
    const people = await members(ATTEMPTS);
    const app = await appInThisProcess("oversell-single");
    const deadlocksBefore = await deadlockCount(db);
    const before = await registrationCounts(event);

    const started = Date.now();
    const outcomes = await Promise.all(
      people.map((p) =>
        outcome(
          browserLike(app.url, p.cookie).post("/events/online-seminar-next/register", form),
          "満席",
        ),
      ),
    );
    const ms = Date.now() - started;
    const deadlocks = await deadlocksSince(deadlocksBefore, [app], ["oversell-single"]);
    const after = await registrationCounts(event);
    const taken = await db
      .selectFrom("courses")
      .select("taken")
      .where("id", "=", course.id)
      .executeTakeFirstOrThrow();
    const t = tally(outcomes);
    const confirmed = after.confirmed - before.confirmed;
    const waitlisted = after.waitlisted - before.waitlisted;
    console.log(
      `oversell, 1 app: ${ATTEMPTS} attempts for ${N} seats in ${ms} ms → ${t.redirected} registered (${confirmed} confirmed, ${waitlisted} waitlisted), course taken ${taken.taken}/${N}, ${t.errors} errors, ${deadlocks} deadlocks`,
    );
    expect(t.errors).toBe(0);
    expect(t.redirected).toBe(ATTEMPTS);
    expect(confirmed).toBe(N);
    expect(waitlisted).toBe(ATTEMPTS - N);
    expect(taken.taken).toBe(N);
    expect(deadlocks).toBe(0);
  });

  it(`two app processes on one database: ${ATTEMPTS} attempts for an event of ${N} seats give exactly ${N}, the rest a clear "full", with no error and no deadlock`, async () => {
    const event = await eventId("zenkoku-40-shimane");
    // The event's own seats are the scarce ones; every attempt also takes a
    // seat in the plenary and in one of the 分科会, so each transaction locks
    // several capacity rows, in the order registrations always lock them.
    await db.updateTable("events").set({ capacity: N }).where("id", "=", event).execute();
    const courses = await db
      .selectFrom("courses")
      .select("id")
      .where("event_id", "=", event)
      .orderBy("position")
      .execute();
    const report = await questionId(event, "分科会でのレポート発表");
    const lodging = await questionId(event, "宿泊の手配");
    const reception = await db
      .selectFrom("event_sessions")
      .select("id")
      .where("event_id", "=", event)
      .where("optional", "=", true)
      .executeTakeFirstOrThrow();
    // The two processes start while the members are made.
    const starting = Promise.all([
      spawnApp({ databaseUrl: database.url, name: "oversell-a" }),
      spawnApp({ databaseUrl: database.url, name: "oversell-b" }),
    ]);
    const people = await members(ATTEMPTS);
    const [a, b] = await starting;
    processes.push(a, b);
    const deadlocksBefore = await deadlockCount(db);

    const started = Date.now();
    const outcomes = await Promise.all(
      people.map((p, i) => {
        const form: Record<string, string | string[]> = {
          course: String(courses[i % courses.length]!.id),
          [`q_${report}`]: "発表しない",
          [`q_${lodging}`]: "宿泊しない",
          session: i % 2 === 0 ? [String(reception.id)] : [],
          ...CONSENT_FIELDS,
        };
        const app = i % 2 === 0 ? a : b;
        return outcome(
          browserLike(app.url, p.cookie).post("/events/zenkoku-40-shimane/register", form),
          "定員に達したため",
        );
      }),
    );
    const ms = Date.now() - started;
    const deadlocks = await deadlocksSince(deadlocksBefore, [a, b], ["oversell-a", "oversell-b"]);
    const after = await registrationCounts(event);
    const seats = await db
      .selectFrom("events")
      .select(["taken", "capacity"])
      .where("id", "=", event)
      .executeTakeFirstOrThrow();
    const { rows: overfull } = await sql<{ n: number }>`
      select (select count(*)::int from event_sessions where event_id = ${event} and taken > capacity)
           + (select count(*)::int from courses where event_id = ${event} and taken > capacity) as n
    `.execute(db);
    const t = tally(outcomes);
    console.log(
      `oversell, 2 processes: ${ATTEMPTS} attempts for ${N} seats in ${ms} ms → ${t.redirected} confirmed, ${t.refused} refused as full, event taken ${seats.taken}/${seats.capacity}, ${t.errors} errors, ${deadlocks} deadlocks`,
    );
    expect(t.errors).toBe(0);
    expect(t.redirected).toBe(N);
    expect(t.refused).toBe(ATTEMPTS - N);
    expect(after.confirmed).toBe(N);
    expect(after.waitlisted).toBe(0);
    expect(seats.taken).toBe(N);
    expect(overfull[0]?.n).toBe(0);
    expect(deadlocks).toBe(0);
  });
});
