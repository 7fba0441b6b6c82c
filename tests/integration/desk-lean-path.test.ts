/**
 * The desk's scan and sync skip Remix's route matching (app/server.ts,
 * LEAN_ROUTES; docs/decisions/023-speed.md). This shows that every security
 * mechanism still applies on that path, as it did through Remix: the
 * permission check, the body limit (by Content-Length and while reading),
 * the origin check, the security headers, and the audit entry.
 */
import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import { ensureCheckinLists, getWholeEventListId } from "../../app/domain/checkin.server";
import { loadDemoData } from "../../db/seed/load";
import { startTestApp } from "../support/app";
import { createTestDatabase } from "../support/db";
import { createMember, eventIdOf, signIn, signInAs } from "../support/factories";

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let app: Awaited<ReturnType<typeof startTestApp>>;
const SLUG = "kenshukai-20";
let eventId: number;
let listId: number;
const cookies = { reception: "", member: "" };

beforeAll(async () => {
  database = await createTestDatabase();
  const { db } = database;
  await loadDemoData(db);
  app = await startTestApp(db);
  eventId = await eventIdOf(db, SLUG);
  await ensureCheckinLists(db, eventId);
  listId = await getWholeEventListId(db, eventId);
  cookies.reception = await signInAs(db, "reception@example.jp");
  cookies.member = await signIn(db, (await createMember(db)).id);
});
afterAll(async () => {
  await app?.close();
  await database?.drop();
});

function post(path: string, body: string | ReadableStream, headers: Record<string, string>) {
  return fetch(`${app.url}/checkin/${SLUG}/${path}`, {
    method: "POST",
    body,
    headers: { Origin: app.url, "Content-Type": "application/json", ...headers },
    ...(typeof body === "string" ? {} : { duplex: "half" }),
  } as RequestInit);
}

async function written() {
  const row = await sql<{ scans: number; checkins: number; audits: number }>`
    select (select count(*)::int from checkin_scans where event_id = ${eventId}) as scans,
      (select count(*)::int from checkins k join checkin_lists l on l.id = k.checkin_list_id where l.event_id = ${eventId}) as checkins,
      (select count(*)::int from audit_log where event_id = ${eventId} and entity = 'checkin') as audits`.execute(
    database.db,
  );
  return row.rows[0];
}

const scan = (ticket = "NOPE-NOPE-NOPE") =>
  JSON.stringify({ list: listId, ticket, desk: "受付A", nonce: randomUUID() });

describe("the desk's lean scan and sync", () => {
  it("refuse a signed-out desk (401), a member (403) and a foreign site (403), writing nothing", async () => {
    const before = await written();
    const signedOut = await post("scan", scan(), {});
    expect(signedOut.status).toBe(401);
    expect((await signedOut.json()).error.code).toBe("login_required");
    const member = await post("scan", scan(), { Cookie: cookies.member });
    expect(member.status).toBe(403);
    expect((await member.json()).error.code).toBe("forbidden");
    const foreign = await post("sync", JSON.stringify({ scans: [] }), {
      Cookie: cookies.reception,
      Origin: "https://evil.example",
    });
    expect(foreign.status).toBe(403);
    const otherEvent = await fetch(`${app.url}/checkin/no-such-event/scan`, {
      method: "POST",
      body: scan(),
      headers: { Origin: app.url, "Content-Type": "application/json", Cookie: cookies.reception },
    });
    expect(otherEvent.status).toBe(404);
    // a slug that cannot be one (a NUL PostgreSQL would refuse) is not sent to SQL
    for (const [cookie, status] of [
      [cookies.reception, 404],
      ["", 401],
    ] as const) {
      const badSlug = await fetch(`${app.url}/checkin/a%00b/scan`, {
        method: "POST",
        body: scan(),
        headers: { Origin: app.url, "Content-Type": "application/json", Cookie: cookie },
      });
      expect(badSlug.status).toBe(status);
    }
    expect(await written()).toEqual(before);
  });

  it("ask the desk's access with each scan: taken off the event's staff, or signed out, the next scan is refused and writes nothing", async () => {
    // A scan's first statement reads the session and the desk's part in the
    // event (checkin.server.ts, deskCheckIn): nothing of it is kept between
    // scans, so a change is seen by the very next one, on any process.
    const { db } = database;
    const person = await createMember(db);
    await db.updateTable("people").set({ role: "reception" }).where("id", "=", person.id).execute();
    await db
      .insertInto("event_staff")
      .values({ event_id: eventId, person_id: person.id, role: "reception" })
      .execute();
    const cookie = await signIn(db, person.id);
    // a session last seen two minutes ago is renewed by the scan (after its COMMIT)
    await sql`update auth_sessions set last_seen_at = now() - interval '2 minutes' where person_id = ${person.id}`.execute(
      db,
    );
    const given = await post("scan", scan(), { Cookie: cookie });
    expect(given.status).toBe(200);
    expect((await given.json()).result.code).toBe("unknown_ticket");
    const renewed = await sql<{ fresh: boolean }>`
      select last_seen_at > now() - interval '1 minute' as fresh from auth_sessions where person_id = ${person.id}`.execute(
      db,
    );
    expect(renewed.rows).toEqual([{ fresh: true }]);

    await db
      .deleteFrom("event_staff")
      .where("event_id", "=", eventId)
      .where("person_id", "=", person.id)
      .execute();
    let before = await written();
    const removed = await post("scan", scan(), { Cookie: cookie });
    expect(removed.status).toBe(404);
    expect((await removed.json()).error.code).toBe("not_found");
    expect(await written()).toEqual(before);

    await db
      .insertInto("event_staff")
      .values({ event_id: eventId, person_id: person.id, role: "reception" })
      .execute();
    expect((await post("scan", scan(), { Cookie: cookie })).status).toBe(200);
    const signedOut = await fetch(`${app.url}/logout`, {
      method: "POST",
      headers: { Cookie: cookie, Origin: app.url },
      redirect: "manual",
    });
    expect(signedOut.status).toBe(302);
    before = await written();
    const after = await post("scan", scan(), { Cookie: cookie });
    expect(after.status).toBe(401);
    expect((await after.json()).error.code).toBe("login_required");
    // bad input from a signed-out desk is a 401 too, not a 422 that would answer it
    const bad = await post("scan", JSON.stringify({ list: "abc" }), { Cookie: cookie });
    expect(bad.status).toBe(401);
    expect(await written()).toEqual(before);
  });

  it("refuse a body over the limit, by its length and while reading it, with 413 in Japanese", async () => {
    const before = await written();
    const big = JSON.stringify({
      list: listId,
      ticket: "x".repeat(300 * 1024),
      nonce: randomUUID(),
    });
    const declared = await post("scan", big, { Cookie: cookies.reception });
    expect(declared.status).toBe(413);
    expect((await declared.json()).error.code).toBe("body_too_large");
    // Sent in pieces with no Content-Length: refused once the bytes pass 512 KB.
    const chunk = new TextEncoder().encode(" ".repeat(64 * 1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 12) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const streamed = await post("sync", stream, { Cookie: cookies.reception });
    expect(streamed.status).toBe(413);
    const body = await streamed.json();
    expect(body.error.code ?? body.error).toBe("body_too_large");
    expect(await written()).toEqual(before);
  });

  it("answer reception with the same headers as any page, and audit a check-in", async () => {
    const { db } = database;
    const member = await createMember(db);
    const ticket = randomUUID().replace(/-/g, "").padEnd(43, "A").slice(0, 43);
    await db
      .insertInto("registrations")
      .values({
        event_id: eventId,
        person_id: member.id,
        status: "confirmed",
        ticket_secret: ticket,
        ticket_code: "LEAN-PATH-0001",
        answers: {},
        confirmed_at: new Date(),
      })
      .execute();
    const before = await written();
    const answer = await post("scan", scan(ticket), { Cookie: cookies.reception });
    expect(answer.status).toBe(200);
    expect((await answer.json()).result.code).toBe("ok");
    expect(answer.headers.get("content-security-policy")).toMatch(/frame-ancestors 'none'/);
    expect(answer.headers.get("x-content-type-options")).toBe("nosniff");
    expect(answer.headers.get("cache-control")).toMatch(/no-store/);
    expect(await written()).toEqual({
      scans: before!.scans + 1,
      checkins: before!.checkins + 1,
      audits: before!.audits + 1,
    });
  });
});
