import { randomUUID } from "node:crypto";
import net from "node:net";
import { sql } from "kysely";
import { ensureCheckinLists, getWholeEventListId } from "../../app/domain/checkin.server";
import { createDb, type Database } from "../../db/index";
import { register } from "../../app/domain/registrations.server";
import { CONSENT, createMember, registrationInput, signInAs } from "../support/factories";
import { startTestApp } from "../support/app";
import { withDemoApp } from "../support/demo-app";

/**
 * db/dialect.ts: a transaction's BEGIN goes to PostgreSQL with its first
 * statement, in one write. Counted on the wire: a TCP proxy between the pool
 * and PostgreSQL counts what the app writes; every write after the first of a
 * transaction waits for an answer, so writes are round trips.
 */
const demo = withDemoApp({ app: false });

let proxy: net.Server;
let writes = 0;
/** the statements of each write, by their text (statementsIn) */
const written: string[][] = [];
let db: Database;

beforeAll(async () => {
  const target = new URL(demo.databaseUrl);
  proxy = net.createServer((client) => {
    const server = net.connect(Number(target.port || 5432), target.hostname);
    const decode = statementsIn();
    client.on("data", (chunk: Buffer) => {
      writes++;
      written.push(decode(chunk));
      server.write(chunk);
    });
    server.pipe(client);
    client.on("error", () => server.destroy());
    server.on("error", () => client.destroy());
    client.on("close", () => server.destroy());
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  const url = new URL(demo.databaseUrl);
  url.hostname = "127.0.0.1";
  url.port = String((proxy.address() as net.AddressInfo).port);
  db = createDb(url.toString(), { max: 1 });
  await sql`select 1`.execute(db); // the connection opened and its types read
});

afterAll(async () => {
  await db?.destroy();
  await new Promise((resolve) => proxy.close(resolve));
});

/**
 * A decoder of what the app writes (PostgreSQL's frontend protocol): for each
 * write, the text of every statement it runs, a prepared one (Bind) by the
 * text its Parse gave it earlier on the connection.
 */
function statementsIn() {
  const prepared = new Map<string, string>();
  let rest = Buffer.alloc(0);
  let started = false;
  const cString = (b: Buffer, at: number) => {
    const end = b.indexOf(0, at);
    return { text: b.toString("utf8", at, end), next: end + 1 };
  };
  return (chunk: Buffer): string[] => {
    let b = Buffer.concat([rest, chunk]);
    const statements: string[] = [];
    if (!started && b.length >= 4) {
      // the startup message: its length, with no type byte before it
      started = true;
      b = b.subarray(b.readInt32BE(0));
    }
    while (b.length >= 5) {
      const type = String.fromCharCode(b[0]!);
      const length = b.readInt32BE(1);
      if (b.length < 1 + length) break;
      const body = b.subarray(5, 1 + length);
      if (type === "P") {
        const name = cString(body, 0);
        prepared.set(name.text, cString(body, name.next).text);
      } else if (type === "B") {
        const portal = cString(body, 0);
        statements.push(prepared.get(cString(body, portal.next).text) ?? "?");
      } else if (type === "Q") {
        statements.push(cString(body, 0).text);
      }
      b = b.subarray(1 + length);
    }
    rest = Buffer.from(b);
    return statements;
  };
}

/** The writes `run` makes, once its statements are prepared (a first run describes them). */
async function writesOf(run: () => Promise<unknown>): Promise<number> {
  await run();
  const before = writes;
  await run();
  return writes - before;
}

const slug = "online-seminar-next";
const titleOf = async (on: Database) =>
  (await on.selectFrom("events").select("title").where("slug", "=", slug).executeTakeFirstOrThrow())
    .title;

/** The event's first 分科会 taken first come, first served. */
const firstComeCourse = (eventId: number) =>
  demo.db
    .selectFrom("courses")
    .select("id")
    .where("event_id", "=", eventId)
    .where("status", "=", "active")
    .where("allocation", "=", "first_come")
    .orderBy("id")
    .executeTakeFirstOrThrow();

describe("a transaction's BEGIN", () => {
  it("is written with the first statement: two statements and COMMIT are three round trips", async () => {
    const transaction = () =>
      db.transaction().execute(async (trx) => {
        await titleOf(trx as unknown as Database);
        await sql`select ${1}::int as one`.execute(trx);
      });
    expect(await writesOf(transaction)).toBe(3);
    // the same two statements outside a transaction: two
    expect(
      await writesOf(async () => {
        await titleOf(db);
        await sql`select ${1}::int as one`.execute(db);
      }),
    ).toBe(2);
  });

  it("still comes first: the first statement runs inside the transaction", async () => {
    const [inside] = await db.transaction().execute(async (trx) => {
      const { rows } = await sql<{ xid: string | null; level: string }>`
        select pg_current_xact_id()::text as xid, current_setting('transaction_isolation') as level`.execute(
        trx,
      );
      const again = await sql<{ xid: string }>`select pg_current_xact_id()::text as xid`.execute(
        trx,
      );
      return [{ ...rows[0]!, again: again.rows[0]!.xid }];
    });
    expect(inside!.xid).toBe(inside!.again);
    const serializable = await db
      .transaction()
      .setIsolationLevel("serializable")
      .execute(
        async (trx) =>
          (
            await sql<{
              level: string;
            }>`select current_setting('transaction_isolation') as level`.execute(trx)
          ).rows[0]!.level,
      );
    expect(serializable).toBe("serializable");
  });

  it("rolls back what the first statement wrote when the transaction fails", async () => {
    const before = await titleOf(db);
    await expect(
      db.transaction().execute(async (trx) => {
        await trx.updateTable("events").set({ title: "変更" }).where("slug", "=", slug).execute();
        throw new Error("after the first statement");
      }),
    ).rejects.toThrow("after the first statement");
    expect(await titleOf(db)).toBe(before);
  });

  it("gives the first statement's own error when it fails, and leaves the connection usable", async () => {
    const before = await titleOf(db);
    const error = await db
      .transaction()
      .execute(async (trx) => {
        await trx
          .updateTable("events")
          .set({ slug: "kenshukai-20" }) // taken: unique violation
          .where("slug", "=", slug)
          .execute();
      })
      .catch((e: { code?: string }) => e);
    expect((error as { code?: string }).code).toBe("23505");
    expect(await titleOf(db)).toBe(before);
    await db.transaction().execute(async (trx) => {
      await trx.updateTable("events").set({ title: before }).where("slug", "=", slug).execute();
    });
  });

  it("is not sent at all by a transaction that runs no statement", async () => {
    expect(await writesOf(() => db.transaction().execute(async () => "nothing"))).toBe(0);
    expect(
      await writesOf(() =>
        db
          .transaction()
          .execute(async () => {
            throw new Error("before any statement");
          })
          .catch(() => {}),
      ),
    ).toBe(0);
  });
});

describe("a confirmed registration", () => {
  it("holds its seats for three round trips: the seats, one write, COMMIT", async () => {
    // The rows of a 分科会 (and of an event or session with a limit) are
    // locked from the seats' statement to COMMIT, against every other
    // registration for them: the opening minute of a convention queues there.
    // (A new registration with a seat; one on the waitlist writes its email
    // after its place in line is known, and one after a cancellation reuses
    // its row: decision 023, point 10.)
    const eventId = await demo.event("kenshukai-20");
    const course = await firstComeCourse(eventId);
    const registerOn = async (on: Database) =>
      register(on, {
        slug: "kenshukai-20",
        personId: (await createMember(demo.db)).id,
        input: registrationInput(course.id, { joinWaitlist: true }),
        appUrl: "http://localhost",
        consent: CONSENT,
      });
    expect((await registerOn(db)).status).toBe("confirmed"); // its statements prepared
    const from = written.length;
    const { id, status } = await registerOn(db);
    expect(status).toBe("confirmed");
    // A write the kernel split would show as a chunk with no message of its own.
    const trips = written.slice(from).filter((t) => t.length > 0);
    const seats = trips.findIndex((t) => t.some((s) => /update courses set taken/.test(s)));
    expect(seats).toBeGreaterThan(0);
    const held = trips
      .slice(seats)
      .map((t) =>
        t.map((s) =>
          /update courses set taken/.test(s)
            ? "seats"
            : /insert into "registrations"/.test(s)
              ? "registration, history, email, webhooks"
              : s,
        ),
      );
    expect(held).toEqual([["seats"], ["registration, history, email, webhooks"], ["commit"]]);
    // and just before the seats, one statement reads the privacy notice in
    // force, locks the person's registration and reads what the email says
    // (registrationReadsQuery)
    const reads = trips[seats - 1]!;
    expect(reads).toHaveLength(1);
    expect(reads[0]).toMatch(/from "privacy_notices"/);
    expect(reads[0]).toMatch(/for update/);
    expect(reads[0]).toMatch(/"people"\."email"/);
    console.log(
      `a confirmed registration: ${trips.length} round trips, ${held.length} with its seats`,
    );
    // and that one write wrote all of it
    const [history, email] = await Promise.all([
      demo.db
        .selectFrom("registration_history")
        .select("action")
        .where("registration_id", "=", id)
        .execute(),
      demo.db
        .selectFrom("outbound_emails")
        .select("payload")
        .where(
          sql<boolean>`payload->>'ticketCode' = (select ticket_code from registrations where id = ${id})`,
        )
        .execute(),
    ]);
    expect(history.map((h) => h.action)).toEqual(["registered"]);
    expect(email).toHaveLength(1);
  });
});

describe("a desk's scan", () => {
  it("is three round trips: its access asked with the claim, the check-in, COMMIT", async () => {
    // The desk's session and its part in the event are read by the scan's
    // first statement, not by a query of their own before the transaction
    // (checkin.server.ts, deskCheckIn; decision 023, point 11).
    const app = await startTestApp(db);
    try {
      const eventId = await demo.event("kenshukai-20");
      await ensureCheckinLists(demo.db, eventId);
      const list = await getWholeEventListId(demo.db, eventId);
      const cookie = await signInAs(demo.db, "reception@example.jp");
      const course = await firstComeCourse(eventId);
      const ticket = async () => {
        const { id } = await register(demo.db, {
          slug: "kenshukai-20",
          personId: (await createMember(demo.db)).id,
          input: registrationInput(course.id, { joinWaitlist: true }),
          appUrl: "http://localhost",
          consent: CONSENT,
        });
        const row = await demo.db
          .selectFrom("registrations")
          .select(["ticket_secret", "status"])
          .where("id", "=", id)
          .executeTakeFirstOrThrow();
        expect(row.status).toBe("confirmed");
        return row.ticket_secret;
      };
      const scan = (ticket: string) =>
        fetch(`${app.url}/checkin/kenshukai-20/scan`, {
          method: "POST",
          headers: { Cookie: cookie, Origin: app.url, "Content-Type": "application/json" },
          body: JSON.stringify({ list, ticket, desk: "受付A", nonce: randomUUID() }),
        });
      const [first, second] = [await ticket(), await ticket()];
      expect((await scan(first)).status).toBe(200); // its statements prepared
      const from = written.length;
      const answer = await scan(second);
      expect(answer.status).toBe(200);
      expect((await answer.json()).result.code).toBe("ok");
      const trips = written
        .slice(from)
        .filter((t) => t.length > 0)
        .map((t) =>
          t.map((s) =>
            /^begin/i.test(s)
              ? "begin"
              : /from "auth_sessions"/.test(s) && /insert into "checkin_scans"/.test(s)
                ? "access, list, claim"
                : /insert into "checkins"/.test(s)
                  ? "check-in"
                  : s,
          ),
        );
      expect(trips).toEqual([["begin", "access, list, claim"], ["check-in"], ["commit"]]);
    } finally {
      await app.close();
    }
  });
});
