import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { rm } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { sql } from "kysely";
import { createApp, loadBuild } from "../../app/server";
import { type EmbeddedDatabase, startEmbeddedPostgres } from "../../db/embedded";
import { createDb, type Database, migrateToLatest } from "../../db/index";
import { loadDemoData } from "../../db/seed/load";
import { waitFor } from "../support/mail";
import { databaseUrl } from "../support/urls";

/**
 * Issue 14 (3): PostgreSQL hangs (SIGSTOP: alive for TCP, answering nothing).
 * /healthz answers 503 within 2 s, pages 503 within seconds instead of
 * piling up, and once it runs again (SIGCONT) the same process serves again.
 */

let pg: EmbeddedDatabase | undefined;
let dataDir: string;
let db: Database;
let app: { url: string; close: () => Promise<void> } | undefined;
let stopped = false;

beforeAll(async () => {
  dataDir = path.join(
    os.tmpdir(),
    `jichiken-hang-${process.pid}-${randomBytes(3).toString("hex")}`,
  );
  pg = await startEmbeddedPostgres({ dataDir, persistent: false });
  const admin = createDb(pg.url, { max: 1 });
  await sql`create database hang_test`.execute(admin);
  await admin.destroy();
  db = createDb(databaseUrl(pg.url, "hang_test"), { timeouts: { statementMs: 4_000 } });
  await migrateToLatest(db);
  await loadDemoData(db);
  const server = createApp({
    db,
    build: await loadBuild(),
    appUrl: "http://localhost",
    devMail: false,
  }).listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  app = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
});
afterAll(async () => {
  if (stopped) for (const pid of serverPids()) process.kill(pid, "SIGCONT");
  await app?.close().catch(() => {});
  await db?.destroy().catch(() => {});
  await pg?.stop().catch(() => {});
  for (const dir of [dataDir, pg?.dataDir])
    if (dir) await rm(dir, { recursive: true, force: true });
});

/** The postmaster and its children. */
function serverPids(): number[] {
  const children = execFileSync("ps", ["-o", "pid=", "--ppid", String(pg!.pid)])
    .toString()
    .split("\n")
    .map((l) => Number(l.trim()))
    .filter((n) => n > 0);
  return [pg!.pid, ...children];
}

async function timed(pathname: string) {
  const t = performance.now();
  const response = await fetch(app!.url + pathname, { signal: AbortSignal.timeout(30_000) });
  await response.text();
  return { status: response.status, ms: Math.round(performance.now() - t) };
}

describe("PostgreSQL stopped with SIGSTOP", () => {
  it("/healthz answers 503 within 2 s, pages 503 within seconds, and the app recovers without a restart", async () => {
    expect((await timed("/healthz")).status).toBe(200);
    const before = await timed("/events/online-seminar-next");
    expect(before.status).toBe(200);

    // The postmaster and every backend: the whole server hangs.
    const pids = serverPids();
    for (const pid of pids) process.kill(pid, "SIGSTOP");
    stopped = true;
    const health = [];
    for (let i = 0; i < 3; i++) health.push(await timed("/healthz"));
    // Ten page requests at once, of a page read from the database (not the page cache).
    const pages = await Promise.all(Array.from({ length: 10 }, () => timed("/reports")));
    const moreHealth = await timed("/healthz");
    for (const pid of pids) process.kill(pid, "SIGCONT");
    stopped = false;
    const resumedAt = performance.now();
    await waitFor(async () => (await timed("/healthz")).status === 200, {
      timeoutMs: 30_000,
      what: "/healthz 200 again",
    });
    await waitFor(async () => (await timed("/events/online-seminar-next?after")).status === 200, {
      timeoutMs: 30_000,
      what: "pages again",
    });
    const recoveredMs = Math.round(performance.now() - resumedAt);
    console.log(
      `database hang: /healthz ${[...health, moreHealth].map((h) => `${h.status} in ${h.ms} ms`).join(", ")}; ` +
        `10 pages: ${pages.map((p) => p.status).join(",")}, slowest ${Math.max(...pages.map((p) => p.ms))} ms; ` +
        `recovered ${recoveredMs} ms after SIGCONT, same process`,
    );
    for (const h of [...health, moreHealth]) {
      expect(h.status).toBe(503);
      expect(h.ms).toBeLessThan(2_000);
    }
    for (const p of pages) expect(p.status).toBe(503);
    expect(Math.max(...pages.map((p) => p.ms))).toBeLessThan(10_000);
  }, 120_000);
});
