import { createHash } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { sql } from "kysely";
import express from "express";
import { createApp, loadBuild, sendResponse } from "../../app/server";
import { loadDemoData } from "../../db/seed/load";
import { startTestApp } from "../support/app";
import { createTestDatabase } from "../support/db";
import { signIn } from "../support/factories";
import { waitFor } from "../support/mail";

/**
 * A big export to a client that stops reading: the server must wait for the
 * socket (and stop reading rows) instead of writing the whole file into
 * memory, and must end the export when the client goes away or stays stuck.
 *
 * What shows how far the export got is its audit_log row, which the export
 * writes only when it ends (finished, or broken off), with the rows written.
 * The app runs in this process, so what it holds of the file shows in
 * process.memoryUsage().arrayBuffers after a full garbage collection. Neither
 * check depends on how fast the machine is: the wait is three times what a
 * full export took on it, and a server that waits for the socket never ends
 * the export while the client reads nothing, however long that is.
 */

const ROWS = 20_000;
// About 1.2 kB a row, so the file (~25 MB) is many times what the sockets' buffers hold (~4 MB).
const NOTE = "車いすを使用しています。会場内の移動に介助が必要です。".repeat(16);

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let app: Awaited<ReturnType<typeof startTestApp>>;
let cookie: string;
let eventId: number;
let exportPath: string;

beforeAll(async () => {
  database = await createTestDatabase();
  const { db } = database;
  await loadDemoData(db);
  eventId = (
    await db
      .selectFrom("events")
      .select("id")
      .where("slug", "=", "kenshukai-20")
      .executeTakeFirstOrThrow()
  ).id;
  await sql`
    insert into people (email, family_name, given_name, family_name_kana, given_name_kana,
                        organisation_id, workplace, phone, profile_completed_at)
    select 'bulk-' || i || '@example.jp', '佐藤', '花子', 'サトウ', 'ハナコ',
           (select id from organisations where kind = 'local_union' order by id offset (i % 3) limit 1),
           '市役所', '090-0000-0000', now()
    from generate_series(1, ${ROWS}) as i`.execute(db);
  await sql`
    insert into registrations (event_id, person_id, status, ticket_secret, ticket_code,
                               accessibility_needs, answers, confirmed_at)
    select ${eventId}, p.id, 'confirmed', md5('s' || p.id) || md5('t' || p.id),
           'BP' || lpad(p.id::text, 8, '0'), ${NOTE}, '{}'::jsonb, now()
    from people p where p.email like 'bulk-%'`.execute(db);
  await sql`analyze`.execute(db);
  const organiser = await db
    .selectFrom("people")
    .select("id")
    .where("email", "=", "organiser@example.jp")
    .executeTakeFirstOrThrow();
  cookie = await signIn(db, organiser.id);
  exportPath = `/admin/events/${eventId}/export.csv?encoding=utf8&columns=name&columns=kana&columns=union&columns=accessibility&columns=ticket_code`;
  app = await startTestApp(db);
});
afterAll(async () => {
  await app?.close();
  await database?.drop();
});

/** The audit rows of this event's exports, oldest first. */
async function exportAudits(): Promise<{ rows: number; completed: boolean }[]> {
  const rows = await database.db
    .selectFrom("audit_log")
    .select("detail")
    .where("entity", "=", "export")
    .where("event_id", "=", eventId)
    .orderBy("id")
    .execute();
  return rows.map((r) => r.detail as { rows: number; completed: boolean });
}

/** Starts a download and stops reading it as soon as the answer begins. */
function openPaused(baseUrl: string) {
  return new Promise<{ request: http.ClientRequest; response: http.IncomingMessage }>(
    (resolve, reject) => {
      // No Accept-Encoding: the file comes as it is, not gzipped.
      const request = http.get(
        `${baseUrl}${exportPath}`,
        { headers: { Cookie: cookie }, agent: false },
        (response) => {
          response.pause();
          resolve({ request, response });
        },
      );
      request.on("error", reject);
    },
  );
}

function readAll(response: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    response.on("data", (chunk: Buffer) => chunks.push(chunk));
    response.on("end", () => resolve(Buffer.concat(chunks)));
    response.on("error", reject);
    response.resume();
  });
}

/**
 * A full garbage collection, so that memory measured is memory held. Twice:
 * V8 frees the memory of dead buffers on a background thread after a
 * collection, and the next collection waits for that to finish. With one, a
 * loaded machine could count chunks already handed to the kernel.
 */
const gc = (() => {
  setFlagsFromString("--expose-gc");
  const collect = runInNewContext("gc") as () => void;
  return () => {
    collect();
    collect();
  };
})();

const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("a big export to a client that reads slowly", () => {
  it("while the client reads nothing, the server neither finishes the export nor holds the file in memory; then sends it whole", async () => {
    // The whole export, read as fast as it comes: its bytes, and how long it takes on this machine.
    const started = performance.now();
    const full = await fetch(app.url + exportPath, { headers: { Cookie: cookie } });
    expect(full.status).toBe(200);
    const fullBytes = Buffer.from(await full.arrayBuffer());
    const took = performance.now() - started;
    expect(fullBytes.length).toBeGreaterThan(16 * 1024 * 1024);
    await waitFor(async () => (await exportAudits()).length === 1, { what: "the first export" });
    expect((await exportAudits())[0]).toMatchObject({ rows: ROWS, completed: true });

    gc();
    const before = process.memoryUsage().arrayBuffers;
    const { response } = await openPaused(app.url);
    expect(response.statusCode).toBe(200);
    // Three times as long as the whole export took here: a server that writes
    // without waiting for the socket produces the whole file well within that
    // (into memory), so its export would have finished and written its audit row.
    const deadline = Date.now() + Math.min(30_000, Math.max(5_000, 3 * took));
    let exportsEnded = 1;
    let held = 0;
    try {
      while (Date.now() < deadline) {
        exportsEnded = Math.max(exportsEnded, (await exportAudits()).length);
        await sleep(200);
      }
      // What the app holds once the client has read nothing all that time. A
      // server that writes without waiting holds the rest of the file here,
      // until the client reads; a passing moment (a chunk on its way into the
      // socket, a read of the database) is not what this measures.
      gc();
      held = process.memoryUsage().arrayBuffers - before;
      expect(exportsEnded).toBe(1);
      // The app runs in this process: what it holds of the file is in arrayBuffers.
      expect(held).toBeLessThan(fullBytes.length / 4);
    } catch (error) {
      // The paused export would keep its place and fail the tests after this
      // one; its audit row, written when it ends, must not be counted by them.
      response.destroy();
      await waitFor(async () => (await exportAudits()).length >= 2, {
        what: "the paused export to end",
        timeoutMs: 30_000,
      }).catch(() => {});
      throw error;
    }

    // Reading again, the client gets the same file byte for byte, and the export ends.
    const body = await readAll(response);
    expect(body.length).toBe(fullBytes.length);
    expect(sha256(body)).toBe(sha256(fullBytes));
    await waitFor(async () => (await exportAudits()).length === 2, {
      what: "the paused export to finish",
      timeoutMs: 30_000,
    });
    expect((await exportAudits())[1]).toMatchObject({ rows: ROWS, completed: true });
  }, 120_000);

  it("a client that goes away mid-file ends the export (recorded as broken off), and the app goes on serving", async () => {
    const already = (await exportAudits()).length;
    const { request, response } = await openPaused(app.url);
    expect(response.statusCode).toBe(200);
    await sleep(200);
    request.destroy();
    await waitFor(async () => (await exportAudits()).length === already + 1, {
      what: "the export to end after the client left",
      timeoutMs: 30_000,
    });
    const last = (await exportAudits()).at(-1);
    expect(last?.completed).toBe(false);
    expect(last?.rows).toBeLessThan(ROWS);
    const next = await fetch(`${app.url}/admin/events/${eventId}/export.csv?columns=name`, {
      headers: { Cookie: cookie },
    });
    expect(next.status).toBe(200);
    expect((await next.text()).split("\r\n").length).toBeGreaterThan(ROWS);
  }, 60_000);

  it("a client that takes nothing for longer than the stall limit is dropped, and its export ends, as no error of the app", async () => {
    // The same app with a one-second stall limit instead of a minute, and a
    // last error handler that sees what would reach Express's (which logs
    // it with its stack in production).
    const errors: unknown[] = [];
    const server = createApp({
      db: database.db,
      build: await loadBuild(),
      appUrl: "http://localhost",
      devMail: true,
      stalledResponseMs: 1_000,
    })
      .use((error: unknown, _req: unknown, _res: unknown, next: (error: unknown) => void) => {
        errors.push(error);
        next(error);
      })
      .listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const already = (await exportAudits()).length;
      const { response } = await openPaused(url);
      expect(response.statusCode).toBe(200);
      await waitFor(async () => (await exportAudits()).length === already + 1, {
        what: "the stalled export to be dropped",
        timeoutMs: 30_000,
      });
      const last = (await exportAudits()).at(-1);
      expect(last?.completed).toBe(false);
      expect(last?.rows).toBeLessThan(ROWS);
      // What was already in the sockets still arrives, then the connection ends short.
      const ended = new Promise<boolean>((resolve) => response.once("close", () => resolve(true)));
      response.on("error", () => {});
      response.resume();
      expect(await ended).toBe(true);
      expect(response.complete).toBe(false);
      expect(errors).toEqual([]);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  }, 60_000);
});

describe("exports running at once", () => {
  it("a fourth export while three stream is refused at once with a Japanese 503; HEAD requests hold no place", async () => {
    for (let i = 0; i < 4; i++) {
      const head = await fetch(app.url + exportPath, {
        method: "HEAD",
        headers: { Cookie: cookie },
      });
      expect(head.status).toBe(200);
    }
    const already = (await exportAudits()).length;
    const paused = [
      await openPaused(app.url),
      await openPaused(app.url),
      await openPaused(app.url),
    ];
    for (const p of paused) expect(p.response.statusCode).toBe(200);
    const fourth = await fetch(app.url + exportPath, { headers: { Cookie: cookie } });
    expect(fourth.status).toBe(503);
    expect(await fourth.text()).toContain("ほかのダウンロードが多く実行中のため");
    for (const p of paused) p.request.destroy();
    await waitFor(async () => (await exportAudits()).length === already + 3, {
      what: "the three broken-off exports to end",
      timeoutMs: 30_000,
    });
    const after = await fetch(`${app.url}/admin/events/${eventId}/export.csv?columns=name`, {
      headers: { Cookie: cookie },
    });
    expect(after.status).toBe(200);
    expect((await after.text()).split("\r\n").length).toBeGreaterThan(ROWS);
  }, 90_000);
});

describe("the response as the app sends it", () => {
  it("keeps the status, every header, and each Set-Cookie as a header of its own", async () => {
    const server = express()
      .get("/", (_req, res, next) => {
        const headers = new Headers({
          "Content-Type": "text/plain; charset=utf-8",
          "X-Row-Count": "2",
        });
        headers.append("Set-Cookie", "a=1; Path=/; HttpOnly");
        headers.append("Set-Cookie", "b=2; Path=/; Max-Age=0");
        sendResponse(res, new Response("作成しました", { status: 201, headers })).catch(next);
      })
      .listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const response = await new Promise<http.IncomingMessage>((resolve) =>
        http.get(`http://127.0.0.1:${port}/`, { agent: false }, resolve),
      );
      expect(response.statusCode).toBe(201);
      expect(response.headers["set-cookie"]).toEqual([
        "a=1; Path=/; HttpOnly",
        "b=2; Path=/; Max-Age=0",
      ]);
      expect(response.headers["x-row-count"]).toBe("2");
      expect(response.headers["content-type"]).toBe("text/plain; charset=utf-8");
      expect((await readAll(response)).toString("utf8")).toBe("作成しました");
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
