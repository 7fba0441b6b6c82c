import { sql } from "kysely";
import { type MailWorker, startMailWorker } from "../../app/domain/mailer.server";
import type { Database } from "../../db/index";
import { loadDemoData } from "../../db/seed/load";
import { createTestDatabase } from "../support/db";
import { browserLike, createMember, seminarForm, signIn } from "../support/factories";
import { startSmtpServer, waitFor } from "../support/mail";
import { type AppProcess, spawnApp, stopAll } from "../support/processes";

/**
 * `kill -9` of the app in the middle of a stream of registrations. What was
 * answered as done is done, with its email; what was cut off mid-way left
 * nothing behind; the mail worker sends every email exactly once.
 */

const SLUG = "online-seminar-next";
const MEMBERS = 40;
const CLIENTS = 6;
const KILL_AFTER = 12;

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let db: Database;
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
let worker: MailWorker | undefined;
const processes: AppProcess[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.db;
  await loadDemoData(db);
  smtp = await startSmtpServer();
});
afterAll(async () => {
  await stopAll(processes);
  await worker?.stop();
  await smtp.close();
  await database.drop();
});

type Attempt =
  | { kind: "registered"; id: string }
  | { kind: "already_registered" }
  | { kind: "no_answer"; error: string }
  | { kind: "other"; status: number };

async function attempt(url: string, cookie: string, form: Record<string, string>) {
  try {
    const r = await browserLike(url, cookie).post(`/events/${SLUG}/register`, form);
    const body = await r.text();
    const location = r.headers.get("location") ?? "";
    const id = location.match(/^\/me\?registered=(\d+)$/)?.[1];
    if (r.status === 302 && id) return { kind: "registered", id } as const;
    // The refusal answers 409 and names its code (issue 19's route adapter).
    if (r.status === 409 && body.includes('data-code="already_registered"'))
      return { kind: "already_registered" } as const;
    return { kind: "other", status: r.status } as const;
  } catch (error) {
    return { kind: "no_answer", error: String((error as Error).cause ?? error) } as const;
  }
}

describe("the app process is killed (kill -9) in the middle of a stream of registrations", () => {
  it("every answered registration is kept with its email, nothing is half-written, and every email is sent exactly once", async () => {
    const { eventId, form } = await seminarForm(db, { slug: SLUG });

    let app = await spawnApp({ databaseUrl: database.url, name: "crash-1" });
    processes.push(app);
    const people: { id: string; cookie: string; history: Attempt[] }[] = [];
    for (let i = 0; i < MEMBERS; i++) {
      const m = await createMember(db);
      people.push({ id: m.id, cookie: await signIn(db, m.id), history: [] });
    }
    worker = await startMailWorker({
      connectionString: database.url,
      smtpUrl: smtp.url,
      appUrl: app.url,
      pollInterval: 200,
      log: () => {},
    });

    // CLIENTS members at a time post their registration. After KILL_AFTER
    // successes the process is killed with requests in flight, and started
    // again on the same port; a member who got no answer tries again, as a
    // person would, until they get one.
    const queue = [...people];
    let successes = 0;
    let killed: Promise<void> | undefined;
    let inFlightAtKill = 0;
    let inFlight = 0;
    const restart = async () => {
      inFlightAtKill = inFlight;
      await app.kill();
      app = await spawnApp({ databaseUrl: database.url, port: app.port, name: "crash-2" });
      processes.push(app);
    };
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        for (let person = queue.shift(); person; person = queue.shift()) {
          for (;;) {
            inFlight++;
            const result = await attempt(app.url, person.cookie, form);
            inFlight--;
            person.history.push(result);
            if (result.kind === "registered" && ++successes === KILL_AFTER) killed = restart();
            if (result.kind !== "no_answer") break;
            await (killed ?? new Promise((r) => setTimeout(r, 100)));
          }
        }
      }),
    );
    await killed;

    const answered = people.flatMap((p) =>
      p.history.flatMap((h) => (h.kind === "registered" ? [h.id] : [])),
    );
    const cutOff = people.filter((p) => p.history[0]?.kind === "no_answer");
    const others = people.flatMap((p) => p.history.filter((h) => h.kind === "other"));

    const registrations = await db
      .selectFrom("registrations")
      .select(["id", "person_id", "status", "ticket_code"])
      .where("event_id", "=", eventId)
      .execute();
    const byId = new Map(registrations.map((r) => [r.id, r]));
    const { rows: halfWritten } = await sql<{ id: string; problem: string }>`
      select r.id, 'no registration_sessions row' as problem from registrations r
      where r.event_id = ${eventId}
        and not exists (select 1 from registration_sessions s where s.registration_id = r.id)
      union all
      select r.id, 'no history row' from registrations r
      where r.event_id = ${eventId}
        and not exists (select 1 from registration_history h where h.registration_id = r.id)
      union all
      select r.id, 'not exactly one email row' from registrations r
      where r.event_id = ${eventId}
        and (select count(*) from outbound_emails e
             where e.template = 'registration' and e.payload->>'ticketCode' = r.ticket_code) <> 1
      union all
      select e.id, 'an email row with no registration' from outbound_emails e
      where e.template = 'registration'
        and not exists (select 1 from registrations r where r.ticket_code = e.payload->>'ticketCode')
    `.execute(db);

    // Every email row is sent, by the worker, to the SMTP server, once.
    const emails = await db
      .selectFrom("outbound_emails")
      .select("id")
      .where("template", "=", "registration")
      .execute();
    await waitFor(
      async () => {
        const left = await db
          .selectFrom("outbound_emails")
          .select((eb) => eb.fn.countAll<string>().as("n"))
          .where("sent_at", "is", null)
          .executeTakeFirstOrThrow();
        return Number(left.n) === 0 && smtp.received.length >= emails.length;
      },
      { timeoutMs: 30_000, what: "every email sent" },
    );
    await new Promise((r) => setTimeout(r, 500)); // room for a duplicate to show up
    const received = smtp.received.map((m) => m.messageId);
    const duplicates = received.length - new Set(received).size;

    console.log(
      `kill -9 after ${KILL_AFTER} registrations: ${MEMBERS} members, ${people.reduce((n, p) => n + p.history.length, 0)} attempts, ` +
        `${inFlightAtKill} requests in flight at the kill, ${cutOff.length} cut off (${cutOff.filter((p) => registrations.some((r) => r.person_id === p.id && p.history.some((h) => h.kind === "already_registered"))).length} of them had been written, then answered already_registered), ` +
        `${answered.length} answered as registered, ${registrations.length} registrations in the database, ${halfWritten.length} half-written, ${others.length} other answers; ` +
        `emails: ${emails.length} rows, ${smtp.received.length} received, ${duplicates} duplicates`,
    );

    expect(others).toEqual([]);
    expect(inFlightAtKill).toBeGreaterThan(0);
    // What was answered as done is there.
    for (const id of answered) expect(byId.get(id)?.status).toMatch(/^(confirmed|waitlisted)$/);
    // Everyone ends with exactly one registration, whether their first try was cut off or not.
    expect(registrations).toHaveLength(MEMBERS);
    expect(new Set(registrations.map((r) => r.person_id)).size).toBe(MEMBERS);
    // A member told "already registered" on a retry was registered by the killed process.
    for (const p of people) {
      const told = p.history.filter(
        (h) => h.kind === "registered" || h.kind === "already_registered",
      );
      expect(told).toHaveLength(1);
    }
    expect(halfWritten).toEqual([]);
    expect(emails).toHaveLength(MEMBERS);
    expect(new Set(received)).toEqual(new Set(emails.map((e) => `<email-${e.id}@jichiken.local>`)));
    expect(duplicates).toBe(0);
  });
});
