import { randomBytes } from "node:crypto";
import { rm } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { sql } from "kysely";
import { installQueue } from "../../app/domain/mailer.server";
import { createApp, loadBuild } from "../../app/server";
import { type EmbeddedDatabase, freePort, startEmbeddedPostgres } from "../../db/embedded";
import { createDb, type Database, migrateToLatest } from "../../db/index";
import { loadDemoData } from "../../db/seed/load";
import { browserLike, createMember, seminarForm, signIn } from "../support/factories";
import { waitFor } from "../support/mail";
import { databaseUrl } from "../support/urls";

/**
 * PostgreSQL stops and starts again while people use the app. Meanwhile the
 * app answers 503 with a Japanese message (never a 500), and afterwards it
 * serves again by itself: the same process, the same pool, no restart.
 */

const MESSAGE = "ただいまデータベースに接続できません。しばらくしてから再度お試しください。";
const SLUG = "online-seminar-next";

let pg: EmbeddedDatabase | undefined;
let dataDir: string;
let port: number;
let db: Database;
let app: { url: string; close: () => Promise<void> } | undefined;

async function startPostgres() {
  pg = await startEmbeddedPostgres({ dataDir, port, persistent: true });
  return pg;
}

beforeAll(async () => {
  // A PostgreSQL of this test's own, since this test stops it.
  dataDir = path.join(
    os.tmpdir(),
    `jichiken-restart-${process.pid}-${randomBytes(4).toString("hex")}`,
  );
  port = await freePort();
  const server = await startPostgres();
  const admin = createDb(server.url, { max: 1 });
  await sql`create database restart_test`.execute(admin);
  await admin.destroy();
  const url = databaseUrl(server.url, "restart_test");
  db = createDb(url);
  await migrateToLatest(db);
  await installQueue(url);
  await loadDemoData(db);
  const listening = createApp({
    db,
    build: await loadBuild(),
    appUrl: "http://localhost",
    devMail: false,
  }).listen(0, "127.0.0.1");
  await new Promise((resolve) => listening.once("listening", resolve));
  app = {
    url: `http://127.0.0.1:${(listening.address() as AddressInfo).port}`,
    close: () =>
      new Promise((resolve) => {
        listening.close(() => resolve());
        listening.closeAllConnections();
      }),
  };
});
afterAll(async () => {
  await app?.close().catch(() => {});
  await db?.destroy().catch(() => {});
  await pg?.stop().catch(() => {});
  // The data may be in the cache folder instead (db/embedded.ts): remove where it really is.
  for (const dir of [dataDir, pg?.dataDir])
    if (dir) await rm(dir, { recursive: true, force: true });
});

type Answer = {
  at: number;
  /** what PostgreSQL was doing; "transition" when that changed during the request */
  phase: "up" | "stopping" | "down" | "starting" | "back" | "transition";
  what: "page" | "register" | "healthz";
  status: number;
  ms: number;
  body: string;
  registered?: string;
  /** a public page served from the page cache (app/page-cache.ts), not rendered */
  cached: boolean;
};

describe("PostgreSQL stops and starts again under load", () => {
  it("the app answers 503 in Japanese while the database is gone, never a 500, and recovers by itself", async () => {
    const { eventId, form } = await seminarForm(db, { slug: SLUG });
    await db
      .updateTable("courses")
      .set({ capacity: null })
      .where("event_id", "=", eventId)
      .execute();
    await db.updateTable("events").set({ capacity: null }).where("id", "=", eventId).execute();
    const members: string[] = [];
    for (let i = 0; i < 80; i++) members.push(await signIn(db, (await createMember(db)).id));
    const url = app!.url;

    let phase: Answer["phase"] = "up";
    const answers: Answer[] = [];
    let running = true;
    const started = Date.now();
    const request = async (what: Answer["what"]) => {
      const t = Date.now();
      const p = phase;
      let response: Response;
      let registered: string | undefined;
      if (what === "register") {
        const cookie = members.shift();
        if (!cookie) return;
        response = await browserLike(url, cookie).post(`/events/${SLUG}/register`, form);
        registered = response.headers.get("location")?.match(/registered=(\d+)/)?.[1];
        // Not answered as registered: this member tries again later.
        if (!registered) members.push(cookie);
      } else {
        response = await fetch(`${url}${what === "page" ? `/events/${SLUG}` : "/healthz"}`);
      }
      answers.push({
        at: t - started,
        phase: p === phase ? p : "transition",
        what,
        status: response.status,
        ms: Date.now() - t,
        body: await response.text(),
        registered,
        cached: response.headers.get("x-cache") === "hit",
      });
    };
    // Three clients: the event page, registrations, and the health check.
    const load = Promise.all(
      (["page", "register", "healthz"] as const).map(async (what) => {
        while (running) {
          await request(what);
          await new Promise((r) => setTimeout(r, 25));
        }
      }),
    );
    // A page rendered from the database, not one served from the page cache.
    const seen = (p: Answer["phase"], status: number) =>
      answers.some((a) => a.phase === p && a.status === status && a.what === "page" && !a.cached);
    const timeline = () =>
      answers.map((a) => `${a.at}ms ${a.phase} ${a.what} ${a.status} (${a.ms} ms)`).join("\n");

    let backAt = 0;
    try {
      await waitFor(() => seen("up", 200) && answers.some((a) => a.registered), {
        timeoutMs: 20_000,
        what: "the app serving",
      });
      phase = "stopping";
      await pg!.stop();
      phase = "down";
      await waitFor(
        () =>
          answers.filter((a) => a.phase === "down").length >= 15 &&
          ["page", "register", "healthz"].every((w) =>
            answers.some((a) => a.phase === "down" && a.what === w),
          ),
        { timeoutMs: 20_000, what: "requests while the database is down" },
      );
      phase = "starting";
      await startPostgres();
      phase = "back";
      backAt = Date.now() - started;
      await waitFor(
        () =>
          seen("back", 200) &&
          answers.some((a) => a.phase === "back" && a.what === "register" && a.registered) &&
          answers.some((a) => a.phase === "back" && a.what === "healthz" && a.status === 200),
        { timeoutMs: 20_000, what: "the app serving again, with no restart" },
      );
    } catch (error) {
      console.log(timeline());
      throw error;
    } finally {
      running = false;
      await load;
    }

    const firstPage = answers.find(
      (a) => a.phase === "back" && a.what === "page" && a.status === 200 && !a.cached,
    );
    const recoveredMs = (firstPage?.at ?? 0) + (firstPage?.ms ?? 0) - backAt;
    const count = (p: Answer["phase"], s?: number) =>
      answers.filter((a) => a.phase === p && (s === undefined || a.status === s)).length;
    const down = answers.filter((a) => a.phase === "down");
    const slowest = Math.max(...down.map((a) => a.ms));
    const registered = answers.flatMap((a) => (a.registered ? [a.registered] : []));
    const kept = await db
      .selectFrom("registrations")
      .select("id")
      .where("id", "in", registered)
      .execute();
    const { rows: halfWritten } = await sql<{ n: number }>`
      select count(*)::int as n from registrations r
      where r.event_id = ${eventId}
        and (not exists (select 1 from registration_sessions s where s.registration_id = r.id)
          or not exists (select 1 from outbound_emails e where e.payload->>'ticketCode' = r.ticket_code))
    `.execute(db);
    console.log(
      `database restart: ${answers.length} requests — up: ${count("up", 200) + count("up", 302)} ok; ` +
        `stopping, starting and in between: ${count("stopping") + count("starting") + count("transition")} (${count("stopping", 503) + count("starting", 503) + count("transition", 503)} × 503); ` +
        `down: ${down.length} requests, ${count("down", 503)} × 503, ${down.filter((a) => a.cached).length} pages from the cache, slowest ${slowest} ms; ` +
        `back: the page served again ${recoveredMs} ms after PostgreSQL, ${count("back", 200) + count("back", 302)} ok, ${count("back", 503)} × 503; ` +
        `500s: ${answers.filter((a) => a.status >= 500 && a.status !== 503).length}; ` +
        `${registered.length} registered, ${kept.length} kept, ${halfWritten[0]?.n} half-written`,
    );

    // Never a 500: every failure is a 503 with the Japanese message and no stack trace.
    expect(answers.filter((a) => a.status >= 500 && a.status !== 503)).toEqual([]);
    for (const a of answers.filter((x) => x.status === 503)) {
      expect(a.body).toContain(a.what === "healthz" ? "データベースに接続できません" : MESSAGE);
      expect(a.body).not.toMatch(/at .*\.(js|ts):\d+/);
    }
    // While it is down, everything that needs it is a 503, and answered at once;
    // the public page may still come from the page cache for its last second.
    expect(down.every((a) => a.status === 503 || (a.cached && a.status === 200))).toBe(true);
    expect(slowest).toBeLessThan(5_000);
    // Before and after: served as usual, by the same process.
    expect(answers.filter((a) => a.phase === "up").every((a) => a.status < 400)).toBe(true);
    expect(count("back", 200)).toBeGreaterThan(0);
    // What was answered as registered is there, whole.
    expect(kept).toHaveLength(registered.length);
    expect(halfWritten[0]?.n).toBe(0);
  });
});
