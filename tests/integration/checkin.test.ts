import { createHash, randomUUID } from "node:crypto";
import { sql } from "kysely";
import type { CheckinResult } from "../../app/checkin/result";
import { ensureCheckinLists } from "../../app/domain/checkin.server";
import { cancelRegistration, register } from "../../app/domain/registrations.server";
import { loadDemoData } from "../../db/seed/load";
import { startTestApp } from "../support/app";
import { createTestDatabase } from "../support/db";
import { CONSENT, createMember, eventIdOf, signIn, signInAs } from "../support/factories";
import { waitFor } from "../support/mail";

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let app: Awaited<ReturnType<typeof startTestApp>>;
const SLUG = "kenshukai-20";
const DESK = `/checkin/${SLUG}`;

let eventId: number;
const lists = { whole: 0, dinner: 0, plenary: 0 };
const sessions = { dinner: 0 };
let courseId: number;
const cookies = { reception: "", organiser: "", admin: "", secretary: "" };

type Ticket = { id: string; personId: string; secret: string; code: string; name: string };

beforeAll(async () => {
  database = await createTestDatabase();
  const { db } = database;
  await loadDemoData(db);
  app = await startTestApp(db);
  eventId = await eventIdOf(db, SLUG);
  const rows = await db
    .selectFrom("checkin_lists as l")
    .leftJoin("event_sessions as s", "s.id", "l.session_id")
    .select(["l.id", "l.session_id", "s.key"])
    .where("l.event_id", "=", eventId)
    .execute();
  lists.whole = rows.find((r) => r.session_id === null)!.id;
  lists.dinner = rows.find((r) => r.key === "dinner")!.id;
  lists.plenary = rows.find((r) => r.key === "day1-plenary")!.id;
  sessions.dinner = rows.find((r) => r.key === "dinner")!.session_id!;
  courseId = (
    await db
      .selectFrom("courses")
      .select("id")
      .where("event_id", "=", eventId)
      .where("key", "=", "bunkakai-1")
      .executeTakeFirstOrThrow()
  ).id;
  // Room for every ticket this file makes; the waitlist test fills a course itself.
  await db.updateTable("events").set({ capacity: null }).where("id", "=", eventId).execute();
  await db
    .updateTable("event_sessions")
    .set({ capacity: null })
    .where("event_id", "=", eventId)
    .execute();
  await db.updateTable("courses").set({ capacity: null }).where("event_id", "=", eventId).execute();
  for (const role of ["reception", "organiser", "admin", "secretary"] as const) {
    cookies[role] = await signInAs(db, `${role}@example.jp`);
  }
});
afterAll(async () => {
  await app.close();
  await database.drop();
});

/** A member with a confirmed registration, through the real register(). */
async function confirmedTicket(
  options: { dinner?: boolean; union?: string; familyName?: string; waitlist?: boolean } = {},
): Promise<Ticket> {
  const { db } = database;
  const member = await createMember(db, {
    union: options.union,
    familyName: options.familyName ?? "受付",
    kana: "ウケツケ",
  });
  const result = await register(db, {
    slug: SLUG,
    personId: member.id,
    input: {
      courseId,
      optionalSessionIds: options.dinner ? [sessions.dinner] : [],
      answers: {},
      dietaryNeeds: "卵アレルギー",
      accessibilityNeeds: "",
      joinWaitlist: options.waitlist ?? false,
    },
    appUrl: "http://localhost",
    consent: CONSENT,
  });
  const row = await db
    .selectFrom("registrations")
    .select(["id", "ticket_secret", "ticket_code", "status"])
    .where("id", "=", result.id)
    .executeTakeFirstOrThrow();
  return {
    id: row.id,
    personId: member.id,
    secret: row.ticket_secret,
    code: row.ticket_code,
    name: `${options.familyName ?? "受付"} 太郎`,
  };
}

function call(cookie: string, path: string, body?: unknown) {
  return fetch(app.url + path, {
    method: body === undefined ? "GET" : "POST",
    headers: {
      Cookie: cookie,
      Origin: app.url,
      "Content-Type": "application/json",
      Accept: "application/json",
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    redirect: "manual",
  });
}

async function scan(
  cookie: string,
  body: Record<string, unknown>,
): Promise<{ status: number; result: CheckinResult; text: string }> {
  const response = await call(cookie, `${DESK}/scan`, {
    list: lists.whole,
    desk: "受付A",
    ...body,
  });
  const text = await response.text();
  const parsed = response.headers.get("content-type")?.includes("json") ? JSON.parse(text) : {};
  return { status: response.status, result: parsed.result, text };
}

async function sync(cookie: string, desk: string, scans: Record<string, unknown>[]) {
  const response = await call(cookie, `${DESK}/sync`, { desk, scans });
  expect(response.status).toBe(200);
  return (await response.json()) as {
    results: { nonce: string; result?: CheckinResult; error?: string }[];
  };
}

/**
 * The desk takes its roster under a desk name, as the page does every minute;
 * `minutesAgo` plays the clock back to when the desk first took it (the
 * earliest its offline scans can be dated).
 */
async function takeRoster(cookie: string, desk: string, minutesAgo = 60) {
  const response = await call(cookie, `${DESK}/roster?desk=${encodeURIComponent(desk)}`);
  expect(response.status).toBe(200);
  await database.db
    .updateTable("checkin_desk_sessions")
    .set({ roster_downloaded_at: new Date(Date.now() - minutesAgo * 60_000) })
    .where("desk", "=", desk)
    .execute();
}

async function checkinsOf(registrationId: string) {
  return database.db
    .selectFrom("checkins")
    .selectAll()
    .where("registration_id", "=", registrationId)
    .execute();
}

/** Waits until some statement of this database waits for a lock (the request started by the test). */
function aLockWaiter(what: string) {
  return waitFor(
    async () =>
      (
        await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity
          where datname = current_database() and wait_event_type = 'Lock'`.execute(database.db)
      ).rows[0]!.n > 0,
    { what },
  );
}

async function auditCount(action: string, entityId?: string) {
  let query = database.db
    .selectFrom("audit_log")
    .select(sql<number>`count(*)::int`.as("n"))
    .where("event_id", "=", eventId)
    .where("action", "=", action);
  if (entityId) query = query.where("entity_id", "=", entityId);
  return (await query.executeTakeFirstOrThrow()).n;
}

describe("the reception desk page", () => {
  it("opens for reception with 受付(全体) first and a list for each session", async () => {
    const response = await call(cookies.reception, DESK);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain("受付(全体)");
    expect(html).toContain("夕食交流会");
    expect(html).toContain("カメラで読み取る");
    expect(html.indexOf("受付(全体)")).toBeLessThan(html.indexOf("夕食交流会"));
  });

  it("serves the QR decoders from the app itself, the wasm as application/wasm", async () => {
    const wasm = await fetch(`${app.url}/checkin/vendor/zxing_reader.wasm`);
    expect(wasm.status).toBe(200);
    expect(wasm.headers.get("content-type")).toBe("application/wasm");
    expect(new Uint8Array(await wasm.arrayBuffer()).slice(0, 4)).toEqual(
      new Uint8Array([0, 0x61, 0x73, 0x6d]),
    );
    for (const file of ["barcode-detector.js", "jsqr.js"]) {
      const js = await fetch(`${app.url}/checkin/vendor/${file}`);
      expect(js.status).toBe(200);
      expect(js.headers.get("content-type")).toContain("javascript");
    }
    expect((await fetch(`${app.url}/checkin/vendor/..%2Fpackage.json`)).status).toBe(404);
    expect((await fetch(`${app.url}/checkin/sw.js`)).status).toBe(200);
  });

  it("is the event's own: reception of another event gets a 403 naming it and whom to ask (its API a 404), a member 403, a signed-out desk the sign-in page or a 401", async () => {
    const other = await call(cookies.reception, "/checkin/online-seminar-next");
    expect(other.status).toBe(403);
    const refusal = await other.text();
    expect(refusal).toContain("オンラインセミナー「自治研って何?");
    expect(refusal).toContain("主催担当");
    const otherApi = await call(cookies.reception, "/checkin/online-seminar-next/scan", {
      list: lists.whole,
      ticket: "ABCD-EFGH-JKLM",
    });
    expect(otherApi.status).toBe(404);
    expect((await call(cookies.reception, "/checkin/online-seminar-next/roster")).status).toBe(404);
    expect((await call(cookies.reception, "/checkin/no-such-event")).status).toBe(404);

    const member = await createMember(database.db);
    const asMember = await call(await signIn(database.db, member.id), DESK);
    expect(asMember.status).toBe(403);

    const signedOut = await call("", DESK);
    expect(signedOut.status).toBe(302);
    expect(signedOut.headers.get("location")).toContain("/admin/login");
    const signedOutApi = await call("", `${DESK}/counts`);
    expect(signedOutApi.status).toBe(401);
    expect((await signedOutApi.json()).error.message).toContain("ログイン");
  });

  it("makes the lists for an event created later, once, however often it is opened", async () => {
    const { db } = database;
    const source = await db
      .selectFrom("events")
      .selectAll()
      .where("id", "=", eventId)
      .executeTakeFirstOrThrow();
    const { id: _id, ...rest } = source;
    const event = await db
      .insertInto("events")
      .values({ ...rest, slug: "later-event", taken: 0 })
      .returning("id")
      .executeTakeFirstOrThrow();
    await db
      .insertInto("event_sessions")
      .values({
        event_id: event.id,
        key: "s1",
        kind: "plenary",
        title: "全体会",
        starts_at: source.starts_at,
      })
      .execute();
    const reception = await db
      .selectFrom("people")
      .select("id")
      .where("email", "=", "reception@example.jp")
      .executeTakeFirstOrThrow();
    await db
      .insertInto("event_staff")
      .values({ event_id: event.id, person_id: reception.id, role: "reception" })
      .execute();
    await Promise.all([
      call(cookies.reception, "/checkin/later-event"),
      call(cookies.reception, "/checkin/later-event"),
      ensureCheckinLists(db, event.id),
    ]);
    const made = await db
      .selectFrom("checkin_lists")
      .select(["name", "session_id"])
      .where("event_id", "=", event.id)
      .orderBy("id")
      .execute();
    expect(made.map((l) => l.name).sort()).toEqual(["全体会", "受付(全体)"].sort());
  });
});

describe("scanning a ticket", () => {
  it("the same ticket scanned 100 times at once from four desks checks in once; the 99 others hear 'already checked in', none fails", async () => {
    const ticket = await confirmedTicket();
    const desks = ["受付A", "受付B", "受付C", "受付D"];
    const staff = [cookies.reception, cookies.organiser, cookies.admin, cookies.reception];
    const nonces = Array.from({ length: 100 }, () => randomUUID());
    const answers = await Promise.all(
      nonces.map((nonce, i) =>
        scan(staff[i % 4]!, { ticket: ticket.secret, desk: desks[i % 4], nonce }),
      ),
    );
    const statuses = answers.map((a) => a.status);
    console.log(
      `100 scans: ${answers.filter((a) => a.result?.code === "ok").length} ok, ${answers.filter((a) => a.result?.code === "already_checked_in").length} already, ${statuses.filter((s) => s >= 500).length} 5xx`,
    );
    expect(statuses.every((s) => s === 200)).toBe(true);
    expect(answers.filter((a) => a.result.code === "ok")).toHaveLength(1);
    expect(answers.filter((a) => a.result.code === "already_checked_in")).toHaveLength(99);
    const rows = await checkinsOf(ticket.id);
    expect(rows).toHaveLength(1);
    expect(await auditCount("checkin", rows[0]!.id)).toBe(1);
    // each nonce's answer names the one check-in, also for a scan that waited
    // for the row while another desk's check-in was made (not in its snapshot)
    const logged = await database.db
      .selectFrom("checkin_scans")
      .select(["result", "checkin_id", "registration_id"])
      .where("client_nonce", "in", nonces)
      .execute();
    expect(logged).toHaveLength(100);
    expect(logged.filter((l) => l.result === "ok")).toHaveLength(1);
    expect(new Set(logged.map((l) => `${l.checkin_id}/${l.registration_id}`))).toEqual(
      new Set([`${rows[0]!.id}/${ticket.id}`]),
    );
    const winner = answers.find((a) => a.result.code === "ok")!.result;
    expect(winner.tone).toBe("green");
    expect(winner.attendee?.name).toBe(ticket.name);
    expect(winner.attendee?.dietary).toBe("卵アレルギー");
    expect(winner.attendee?.course).toContain("第1分科会");
    const loser = answers.find((a) => a.result.code === "already_checked_in")!.result;
    expect(loser.tone).toBe("amber");
    expect(loser.checkin?.desk).toBe(rows[0]!.desk);
    expect(loser.checkin?.id).toBe(rows[0]!.id);
  });

  it("a check-in leaves its webhook delivery, its audit entry and its nonce's answer; a second scan leaves only its answer", async () => {
    const { db } = database;
    const admin = await db
      .selectFrom("people")
      .select("id")
      .where("email", "=", "admin@example.jp")
      .executeTakeFirstOrThrow();
    const hook = await db
      .insertInto("webhooks")
      .values({
        created_by: admin.id,
        url: "https://hooks.example.jp/checkin",
        topics: ["checkin.created"],
        secret: "s".repeat(32),
        event_id: eventId,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    const deliveries = async () =>
      (
        await sql<{ payload: { webhookId: number; body: string } }>`
          select jobs.payload from graphile_worker._private_jobs jobs
          join graphile_worker._private_tasks tasks on tasks.id = jobs.task_id
          where tasks.identifier = 'deliver_webhook' and (jobs.payload->>'webhookId')::int = ${hook.id}`.execute(
          db,
        )
      ).rows.map((r) => r.payload);
    const answerOf = (nonce: string) =>
      db
        .selectFrom("checkin_scans")
        .select(["result", "registration_id", "checkin_id", "desk"])
        .where("client_nonce", "=", nonce)
        .executeTakeFirstOrThrow();
    try {
      const ticket = await confirmedTicket();
      const nonce = randomUUID();
      const first = await scan(cookies.reception, { ticket: ticket.secret, desk: "受付C", nonce });
      expect(first.result.code).toBe("ok");
      const [checkin] = await checkinsOf(ticket.id);
      const made = await deliveries();
      expect(made).toHaveLength(1);
      // the body is the JSON every delivery has, with the ids the scan's statement made
      expect(made[0]!.body).toMatch(
        /^\{"type":"checkin.created","eventId":\d+,"createdAt":"[^"]+","data":\{/,
      );
      expect(JSON.parse(made[0]!.body)).toEqual({
        type: "checkin.created",
        eventId,
        createdAt: expect.any(String),
        data: {
          checkinId: checkin!.id,
          registrationId: ticket.id,
          listId: lists.whole,
          listName: "受付(全体)",
          desk: "受付C",
          offline: false,
        },
      });
      const entry = await db
        .selectFrom("audit_log")
        .select(["entity", "entity_id", "detail", "actor_person_id"])
        .where("event_id", "=", eventId)
        .where("action", "=", "checkin")
        .where("entity_id", "=", checkin!.id)
        .executeTakeFirstOrThrow();
      expect(entry.entity).toBe("checkin");
      expect(entry.detail).toEqual({
        list_id: lists.whole,
        registration_id: ticket.id,
        desk: "受付C",
        offline: false,
      });
      expect(await answerOf(nonce)).toEqual({
        result: "ok",
        registration_id: ticket.id,
        checkin_id: checkin!.id,
        desk: "受付C",
      });

      const again = randomUUID();
      const second = await scan(cookies.organiser, {
        ticket: ticket.secret,
        desk: "受付D",
        nonce: again,
      });
      expect(second.result.code).toBe("already_checked_in");
      expect(await deliveries()).toHaveLength(1);
      expect(await auditCount("checkin", checkin!.id)).toBe(1);
      expect(await answerOf(again)).toEqual({
        result: "already_checked_in",
        registration_id: ticket.id,
        checkin_id: checkin!.id,
        desk: "受付D",
      });
      const unknown = randomUUID();
      const third = await scan(cookies.reception, { ticket: "X".repeat(43), nonce: unknown });
      expect(third.result.code).toBe("unknown_ticket");
      expect(await answerOf(unknown)).toMatchObject({
        result: "unknown_ticket",
        registration_id: null,
        checkin_id: null,
      });
      expect(await deliveries()).toHaveLength(1);
    } finally {
      await sql`delete from graphile_worker._private_jobs where task_id = (
        select id from graphile_worker._private_tasks where identifier = 'deliver_webhook')`.execute(
        db,
      );
      await db.deleteFrom("webhooks").where("id", "=", hook.id).execute();
    }
  });

  it("a scan that waited for the ticket while another desk checked it in answers that desk's check-in, and so does its nonce", async () => {
    const ticket = await confirmedTicket();
    const nonce = randomUUID();
    let answer: Promise<Awaited<ReturnType<typeof scan>>> | undefined;
    // Another desk's transaction holds the registration's row and checks it
    // in; the scan starts meanwhile, takes its snapshot and waits for the row.
    const other = await database.db.transaction().execute(async (trx) => {
      await trx
        .selectFrom("registrations")
        .select("id")
        .where("id", "=", ticket.id)
        .forUpdate()
        .execute();
      const made = await trx
        .insertInto("checkins")
        .values({ checkin_list_id: lists.whole, registration_id: ticket.id, desk: "受付Z" })
        .returning("id")
        .executeTakeFirstOrThrow();
      answer = scan(cookies.reception, { ticket: ticket.secret, desk: "受付A", nonce });
      await aLockWaiter("the scan to wait for the registration's row");
      return made;
    });
    const waited = await answer!;
    expect(waited.status).toBe(200);
    expect(waited.result.code).toBe("already_checked_in");
    expect(waited.result.checkin?.id).toBe(other.id);
    expect(waited.result.checkin?.desk).toBe("受付Z");
    expect(await checkinsOf(ticket.id)).toHaveLength(1);
    const logged = await database.db
      .selectFrom("checkin_scans")
      .select(["result", "checkin_id", "registration_id"])
      .where("client_nonce", "=", nonce)
      .executeTakeFirstOrThrow();
    expect(logged).toEqual({
      result: "already_checked_in",
      checkin_id: other.id,
      registration_id: ticket.id,
    });
  });

  it("a second scan says when, where and by whom: 'already checked in at 10:02 at 受付A'", async () => {
    const ticket = await confirmedTicket();
    const first = await scan(cookies.reception, { ticket: ticket.secret, desk: "受付A" });
    expect(first.result.code).toBe("ok");
    const second = await scan(cookies.organiser, { ticket: ticket.secret, desk: "受付B" });
    expect(second.status).toBe(200);
    expect(second.result.code).toBe("already_checked_in");
    const at = new Date(first.result.checkin!.at);
    const hhmm = new Intl.DateTimeFormat("en-GB", {
      timeZone: "Asia/Tokyo",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    }).format(at);
    expect(second.result.message).toContain(`既に受付済みです。受付時刻 ${hhmm}(受付A`);
    expect(second.result.message).toContain("受付 担当");
    expect(second.result.checkin?.staffName).toBe("受付 担当");
  });

  it("the audit log reads 「受付 佐藤 花子(受付A)」 with its list, not 「checkin #5」 and JSON", async () => {
    const ticket = await confirmedTicket({ familyName: "監査" });
    const first = await scan(cookies.reception, { ticket: ticket.secret, desk: "受付A" });
    expect(first.result.code).toBe("ok");
    const response = await call(cookies.organiser, `/admin/events/${eventId}/audit`);
    expect(response.status).toBe(200);
    const html = await response.text();
    const row = html.match(
      /<tr data-entity="checkin" data-action="checkin">((?:(?!<\/tr>).)*監査 太郎(?:(?!<\/tr>).)*)<\/tr>/,
    )?.[1];
    expect(row).toBeDefined();
    const cells = [...row!.matchAll(/<td>(.*?)<\/td>/g)].map((m) => m[1]);
    expect(cells.slice(2)).toEqual(["受付", "監査 太郎(受付A)", "リスト: 受付(全体)"]);
    expect(html).not.toContain("checkin #");
    expect(html).not.toContain("{&quot;");
    const stored = await database.db
      .selectFrom("audit_log")
      .select(["entity", "action", "detail"])
      .where("entity", "=", "checkin")
      .where("entity_id", "=", String(first.result.checkin!.id))
      .executeTakeFirstOrThrow();
    expect(stored).toMatchObject({ action: "checkin", detail: { desk: "受付A", offline: false } });
  });

  it("a typed ticket code checks in, in lower case, full width or without dashes", async () => {
    for (const form of [
      (c: string) => c.toLowerCase(),
      (c: string) => c.replace(/[A-Z0-9]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) + 0xfee0)),
      (c: string) => c.replaceAll("-", " "),
    ]) {
      const ticket = await confirmedTicket();
      const answer = await scan(cookies.reception, { ticket: form(ticket.code) });
      expect(answer.result.code).toBe("ok");
      expect(answer.result.attendee?.registrationId).toBe(ticket.id);
    }
  });

  it("refuses in red a waitlisted ticket, a cancelled one and one not registered for the session, naming the person", async () => {
    const { db } = database;
    // A full course puts the next person on the waitlist.
    await db
      .updateTable("courses")
      .set({ capacity: sql`taken` })
      .where("id", "=", courseId)
      .execute();
    const waiting = await confirmedTicket({ waitlist: true });
    await db.updateTable("courses").set({ capacity: null }).where("id", "=", courseId).execute();
    expect(
      (
        await db
          .selectFrom("registrations")
          .select("status")
          .where("id", "=", waiting.id)
          .executeTakeFirstOrThrow()
      ).status,
    ).toBe("waitlisted");
    const waitlisted = await scan(cookies.reception, { ticket: waiting.secret });
    expect(waitlisted.result).toMatchObject({ code: "waitlisted", tone: "red" });
    expect(waitlisted.result.message).toContain("キャンセル待ち");
    expect(waitlisted.result.attendee?.name).toBe(waiting.name);

    const leaving = await confirmedTicket();
    await cancelRegistration(db, {
      registrationId: leaving.id,
      personId: leaving.personId,
      actorId: leaving.personId,
      appUrl: "http://localhost",
    });
    const cancelled = await scan(cookies.reception, { ticket: leaving.secret });
    expect(cancelled.result).toMatchObject({ code: "cancelled", tone: "red" });
    expect(cancelled.result.message).toBe("この申込はキャンセルされています。");

    const noDinner = await confirmedTicket({ dinner: false });
    const refused = await scan(cookies.reception, { ticket: noDinner.secret, list: lists.dinner });
    expect(refused.result).toMatchObject({ code: "not_registered_for_session", tone: "red" });
    expect(refused.result.message).toContain("夕食交流会");

    for (const ticket of [waiting, leaving, noDinner]) {
      expect(await checkinsOf(ticket.id)).toHaveLength(0);
    }
  });

  it("a session list takes only tickets registered for it; the whole-event list takes any confirmed ticket", async () => {
    const diner = await confirmedTicket({ dinner: true });
    const other = await confirmedTicket({ dinner: false });
    expect(
      (await scan(cookies.reception, { ticket: diner.secret, list: lists.dinner })).result.code,
    ).toBe("ok");
    expect(
      (await scan(cookies.reception, { ticket: other.secret, list: lists.dinner })).result.code,
    ).toBe("not_registered_for_session");
    // Everyone registered for the compulsory plenary, and the whole event.
    expect(
      (await scan(cookies.reception, { ticket: other.secret, list: lists.plenary })).result.code,
    ).toBe("ok");
    expect(
      (await scan(cookies.reception, { ticket: other.secret, list: lists.whole })).result.code,
    ).toBe("ok");
    expect(
      (await scan(cookies.reception, { ticket: diner.secret, list: lists.whole })).result.code,
    ).toBe("ok");
    // Checked in on the dinner list is not checked in at the door.
    expect(await checkinsOf(diner.id)).toHaveLength(2);
  });

  it("a forged, altered or guessed ticket answers 'unknown' and leaks nothing about anyone", async () => {
    const ticket = await confirmedTicket({ familyName: "秘密" });
    const last = ticket.secret.at(-1) === "A" ? "B" : "A";
    const altered = ticket.secret.slice(0, -1) + last;
    const otherEvent = await database.db
      .selectFrom("registrations")
      .select("ticket_secret")
      .where("event_id", "!=", eventId)
      .where("status", "=", "confirmed")
      .executeTakeFirst();
    const attempts = [
      altered,
      randomUUID(),
      "x".repeat(43),
      "ZZZZ-ZZZZ-ZZ",
      `${ticket.secret} `.repeat(2),
      "' or 1=1 --",
      ...(otherEvent ? [otherEvent.ticket_secret] : []),
    ];
    for (const attempt of attempts) {
      const answer = await scan(cookies.reception, { ticket: attempt });
      expect(answer.status).toBe(200);
      expect(answer.result).toMatchObject({
        code: "unknown_ticket",
        tone: "red",
        attendee: null,
        checkin: null,
      });
      expect(answer.text).not.toContain("秘密");
      expect(answer.text).not.toContain(ticket.code);
      expect(answer.text).not.toContain("卵アレルギー");
    }
    expect(await checkinsOf(ticket.id)).toHaveLength(0);
  });

  it("a 単組 secretary's desk sees only their union: another union's ticket is unknown", async () => {
    const own = await confirmedTicket({ union: "fukushima-shi" });
    const other = await confirmedTicket({ union: "koriyama-shi", familyName: "郡山" });
    expect((await scan(cookies.secretary, { ticket: own.secret })).result.code).toBe("ok");
    const answer = await scan(cookies.secretary, { ticket: other.secret });
    expect(answer.result.code).toBe("unknown_ticket");
    expect(answer.text).not.toContain("郡山");
    const roster = await (await call(cookies.secretary, `${DESK}/roster`)).json();
    expect(roster.entries.some((e: { id: string }) => e.id === other.id)).toBe(false);
  });

  it("bad input gets a Japanese message naming the field, never a 500", async () => {
    const missing = await call(cookies.reception, `${DESK}/scan`, { list: lists.whole });
    expect(missing.status).toBe(422);
    const body = await missing.json();
    expect(body).toMatchObject({ error: { code: "invalid_input", field: "ticket" } });
    expect(body.error.message).toContain("受付番号");
    const broken = await fetch(`${app.url}${DESK}/scan`, {
      method: "POST",
      headers: { Cookie: cookies.reception, Origin: app.url, "Content-Type": "application/json" },
      body: "{not json",
    });
    expect(broken.status).toBe(422);
    const badList = await call(cookies.reception, `${DESK}/scan`, { list: "abc", ticket: "x" });
    expect(badList.status).toBe(422);
    expect((await badList.json()).error.message).toContain("受付リスト");
    // A list of another event is not this desk's.
    const foreign = await database.db
      .selectFrom("checkin_lists")
      .select("id")
      .where("event_id", "!=", eventId)
      .executeTakeFirstOrThrow();
    const wrongList = await call(cookies.reception, `${DESK}/scan`, {
      list: foreign.id,
      ticket: "ABCD-EFGH-JKLM",
    });
    expect(wrongList.status).toBe(404);
    expect((await wrongList.json()).error.message).toContain("受付リスト");
  });
});

describe("offline desks", () => {
  it("the same nonce twice (a retried request) answers the first answer and checks in once", async () => {
    const ticket = await confirmedTicket();
    const nonce = randomUUID();
    const first = await scan(cookies.reception, { ticket: ticket.secret, nonce });
    const again = await scan(cookies.reception, { ticket: ticket.secret, nonce });
    expect(first.result.code).toBe("ok");
    expect(again.result.code).toBe("ok");
    expect(again.result.replayed).toBe(true);
    expect(again.result.checkin?.id).toBe(first.result.checkin?.id);
    expect(await checkinsOf(ticket.id)).toHaveLength(1);
    const concurrent = randomUUID();
    const other = await confirmedTicket();
    const both = await Promise.all(
      [1, 2, 3].map(() => scan(cookies.reception, { ticket: other.secret, nonce: concurrent })),
    );
    expect(both.every((b) => b.result.code === "ok")).toBe(true);
    expect(await checkinsOf(other.id)).toHaveLength(1);
  });

  it("a nonce claimed by a request still in flight checks nothing in, even for another ticket: the second request waits and gets the first's answer", async () => {
    const { db } = database;
    const ticket = await confirmedTicket();
    const nonce = randomUUID();
    const staff = await db
      .selectFrom("people")
      .select("id")
      .where("email", "=", "reception@example.jp")
      .executeTakeFirstOrThrow();
    const audits = await auditCount("checkin");
    let second: Promise<Awaited<ReturnType<typeof scan>>> | undefined;
    // The first request's claim, not yet committed (it found no ticket).
    await db.transaction().execute(async (trx) => {
      await trx
        .insertInto("checkin_scans")
        .values({
          client_nonce: nonce,
          event_id: eventId,
          checkin_list_id: lists.whole,
          result: "unknown_ticket",
          desk: "受付A",
          staff_person_id: staff.id,
        })
        .execute();
      second = scan(cookies.reception, { ticket: ticket.secret, nonce });
      await aLockWaiter("the second request to wait for the first's claim");
    });
    const answer = await second!;
    expect(answer.status).toBe(200);
    expect(answer.result.code).toBe("unknown_ticket");
    expect(answer.result.replayed).toBe(true);
    expect(await checkinsOf(ticket.id)).toHaveLength(0);
    expect(await auditCount("checkin")).toBe(audits);
    const logged = await db
      .selectFrom("checkin_scans")
      .select(["result", "registration_id", "checkin_id"])
      .where("client_nonce", "=", nonce)
      .executeTakeFirstOrThrow();
    expect(logged).toEqual({ result: "unknown_ticket", registration_id: null, checkin_id: null });
  });

  it("an offline batch sent twice is harmless: the same answers, no new check-in, no new audit entry", async () => {
    const tickets = [await confirmedTicket(), await confirmedTicket(), await confirmedTicket()];
    const base = Date.now() - 10 * 60_000;
    const scans = tickets.map((t, i) => ({
      nonce: randomUUID(),
      list: lists.whole,
      registration: t.id,
      clientTime: new Date(base + i * 1000).toISOString(),
    }));
    // One of them by QR secret, as a desk could queue it too.
    const withSecret = [
      ...scans,
      { ...scans[0]!, nonce: randomUUID(), registration: undefined, ticket: tickets[0]!.secret },
    ];
    await takeRoster(cookies.reception, "受付C");
    const first = await sync(cookies.reception, "受付C", withSecret);
    expect(first.results.map((r) => r.result?.code)).toEqual([
      "ok",
      "already_checked_in",
      "ok",
      "ok",
    ]);
    const audits = await auditCount("checkin");
    const again = await sync(cookies.reception, "受付C", withSecret);
    expect(again.results.map((r) => r.result?.code)).toEqual([
      "ok",
      "already_checked_in",
      "ok",
      "ok",
    ]);
    expect(again.results.every((r) => r.result?.replayed)).toBe(true);
    expect(await auditCount("checkin")).toBe(audits);
    for (const [i, t] of tickets.entries()) {
      const rows = await checkinsOf(t.id);
      expect(rows).toHaveLength(1);
      expect(rows[0]!.desk).toBe("受付C");
      expect(rows[0]!.checked_in_at.toISOString()).toBe(scans[i]!.clientTime);
    }
  });

  it("two desks that scanned one ticket offline: the first to sync checks it in, the other sees a duplicate, and no sync rewrites it", async () => {
    for (const earlierSyncsFirst of [true, false]) {
      const ticket = await confirmedTicket();
      const early = {
        nonce: randomUUID(),
        list: lists.whole,
        registration: ticket.id,
        clientTime: new Date(Date.now() - 30 * 60_000).toISOString(),
      };
      const late = {
        ...early,
        nonce: randomUUID(),
        clientTime: new Date(Date.now() - 20 * 60_000).toISOString(),
      };
      await takeRoster(cookies.reception, "受付A");
      await takeRoster(cookies.organiser, "受付B");
      const send = {
        early: () => sync(cookies.reception, "受付A", [early]),
        late: () => sync(cookies.organiser, "受付B", [late]),
      };
      const [first, second] = earlierSyncsFirst ? [send.early, send.late] : [send.late, send.early];
      const winner = earlierSyncsFirst ? early : late;
      expect((await first()).results[0]!.result!.code).toBe("ok");
      const duplicate = (await second()).results[0]!.result!;
      expect(duplicate.code).toBe("already_checked_in");
      expect(duplicate.checkin?.desk).toBe(earlierSyncsFirst ? "受付A" : "受付B");
      const rows = await checkinsOf(ticket.id);
      expect(rows).toHaveLength(1);
      expect(rows[0]!.desk).toBe(earlierSyncsFirst ? "受付A" : "受付B");
      expect(rows[0]!.checked_in_at.toISOString()).toBe(winner.clientTime);
      expect(rows[0]!.client_nonce).toBe(winner.nonce);
    }
  });

  it("an offline scan is dated no earlier than the desk's roster, under the session's desk name, and never rewrites a check-in", async () => {
    // The attack: a sync claiming 2000-01-01 and another desk's name, for a ticket already checked in.
    const checkedIn = await confirmedTicket();
    await scan(cookies.reception, { ticket: checkedIn.secret, desk: "受付E" });
    const [before] = await checkinsOf(checkedIn.id);
    await takeRoster(cookies.reception, "受付E", 45);
    const forged = await sync(cookies.reception, "本部席", [
      {
        nonce: randomUUID(),
        list: lists.whole,
        registration: checkedIn.id,
        clientTime: "2000-01-01T00:00:00Z",
      },
    ]);
    expect(forged.results[0]!.result!.code).toBe("already_checked_in");
    const [after] = await checkinsOf(checkedIn.id);
    expect(after).toEqual(before);

    // A new ticket: the claimed year 2000 becomes the roster's time; the desk is the session's.
    const fresh = await confirmedTicket();
    const rosterAt = Date.now() - 45 * 60_000;
    const answer = await sync(cookies.reception, "本部席", [
      {
        nonce: randomUUID(),
        list: lists.whole,
        registration: fresh.id,
        clientTime: "2000-01-01T00:00:00Z",
      },
    ]);
    expect(answer.results[0]!.result!.code).toBe("ok");
    const [row] = await checkinsOf(fresh.id);
    expect(row!.desk).toBe("受付E");
    expect(Math.abs(row!.checked_in_at.getTime() - rosterAt)).toBeLessThan(5_000);

    // The legitimate use: a scan made 10 minutes ago, within the window, keeps its time.
    const legit = await confirmedTicket();
    const tenAgo = new Date(Date.now() - 10 * 60_000).toISOString();
    await sync(cookies.reception, "受付E", [
      { nonce: randomUUID(), list: lists.whole, registration: legit.id, clientTime: tenAgo },
    ]);
    expect((await checkinsOf(legit.id))[0]!.checked_in_at.toISOString()).toBe(tenAgo);
  });

  it("a desk clock in the future does not date a check-in after now", async () => {
    const ticket = await confirmedTicket();
    const future = new Date(Date.now() + 24 * 3600_000).toISOString();
    await sync(cookies.reception, "受付D", [
      { nonce: randomUUID(), list: lists.whole, registration: ticket.id, clientTime: future },
    ]);
    const [row] = await checkinsOf(ticket.id);
    expect(row!.checked_in_at.getTime()).toBeLessThanOrEqual(Date.now());
  });

  it("the roster carries hashes of the tickets, never a secret or a ticket code", async () => {
    const ticket = await confirmedTicket({ dinner: true });
    const response = await call(cookies.reception, `${DESK}/roster`);
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const text = await response.text();
    expect(text).not.toContain(ticket.secret);
    expect(text).not.toContain(ticket.code);
    const roster = JSON.parse(text) as {
      entries: {
        id: string;
        h: string;
        c: string;
        sessions: number[];
        attendee: { name: string };
      }[];
    };
    const entry = roster.entries.find((e) => e.id === ticket.id)!;
    expect(entry.h).toBe(createHash("sha256").update(ticket.secret).digest("hex"));
    expect(entry.c).toBe(createHash("sha256").update(ticket.code).digest("hex"));
    expect(entry.sessions).toContain(sessions.dinner);
    expect(entry.attendee.name).toBe(ticket.name);
  });
});

describe("counting and undoing", () => {
  it("the counters show checked in / expected for each list", async () => {
    const before = await (await call(cookies.reception, `${DESK}/counts`)).json();
    const ticket = await confirmedTicket({ dinner: true });
    await scan(cookies.reception, { ticket: ticket.secret, list: lists.dinner });
    const after = await (await call(cookies.reception, `${DESK}/counts`)).json();
    const pick = (
      c: { lists: { id: number; checkedIn: number; expected: number }[] },
      id: number,
    ) => c.lists.find((l) => l.id === id)!;
    expect(pick(after, lists.dinner).checkedIn).toBe(pick(before, lists.dinner).checkedIn + 1);
    expect(pick(after, lists.dinner).expected).toBe(pick(before, lists.dinner).expected + 1);
    expect(pick(after, lists.whole).expected).toBe(pick(before, lists.whole).expected + 1);
    const confirmed = await database.db
      .selectFrom("registrations")
      .select(sql<number>`count(*)::int`.as("n"))
      .where("event_id", "=", eventId)
      .where("status", "=", "confirmed")
      .executeTakeFirstOrThrow();
    expect(pick(after, lists.whole).expected).toBe(confirmed.n);
  });

  it("an organiser can undo a check-in, and it is audited; reception may not", async () => {
    const ticket = await confirmedTicket();
    const nonce = randomUUID();
    const done = await scan(cookies.reception, { ticket: ticket.secret, nonce });
    const checkinId = done.result.checkin!.id!;

    const refused = await call(cookies.reception, `${DESK}/undo`, { checkin: checkinId });
    expect(refused.status).toBe(403);
    expect((await refused.json()).error.code).toBe("undo_not_allowed");
    expect(await checkinsOf(ticket.id)).toHaveLength(1);

    const undone = await call(cookies.organiser, `${DESK}/undo`, { checkin: checkinId });
    expect(undone.status).toBe(200);
    expect(await checkinsOf(ticket.id)).toHaveLength(0);
    const entry = await database.db
      .selectFrom("audit_log")
      .innerJoin("people", "people.id", "audit_log.actor_person_id")
      .select(["audit_log.detail", "people.email"])
      .where("audit_log.action", "=", "checkin_undo")
      .where("audit_log.entity_id", "=", checkinId)
      .executeTakeFirstOrThrow();
    expect(entry.email).toBe("organiser@example.jp");
    expect(entry.detail).toMatchObject({ registration_id: ticket.id, desk: "受付A" });

    // The old request replayed does not bring the check-in back; a new scan does.
    const replay = await scan(cookies.reception, { ticket: ticket.secret, nonce });
    expect(replay.result.replayed).toBe(true);
    expect(await checkinsOf(ticket.id)).toHaveLength(0);
    expect((await scan(cookies.reception, { ticket: ticket.secret })).result.code).toBe("ok");

    const twice = await call(cookies.admin, `${DESK}/undo`, { checkin: checkinId });
    expect(twice.status).toBe(404);
  });
});
