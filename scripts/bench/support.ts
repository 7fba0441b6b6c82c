/**
 * What the benchmarks share: a throw-away database (embedded, or on
 * DATABASE_URL's server), the app on a free port, autocannon and pgbench run
 * as separate processes, and one line per figure with its ratio.
 */
import { execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { sql } from "kysely";
import { createSession, sessionCookie } from "../../app/domain/auth.server";
import { installQueue } from "../../app/domain/mailer.server";
import { currentEnv } from "../../app/env.server";
import { createApp, loadBuild, serverSettings } from "../../app/server";
import { startEmbeddedPostgres } from "../../db/embedded";
import { createDb, type Database, migrateToLatest } from "../../db/index";
import { loadDemoData } from "../../db/seed/load";

// The app is measured as it runs in production: React's production build.
process.env.NODE_ENV = "production";

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export type Bench = {
  db: Database;
  dbUrl: string;
  work: string;
  /** the app on a free port; closed by `close()` */
  serve: () => Promise<string>;
  /** the app in `n` processes on one free port (as WEB_CONCURRENCY=n); stopped by `close()` */
  serveProcesses: (n: number) => Promise<string>;
  close: () => Promise<void>;
};

/** A fresh migrated database with the demo data, and a scratch folder. */
export async function openBench(name: string): Promise<Bench> {
  const work = mkdtempSync(path.join(os.tmpdir(), `jichiken-bench-${name}-`));
  const cleanups: (() => Promise<unknown>)[] = [
    async () => rmSync(work, { recursive: true, force: true }),
  ];
  // A production build: one made under vitest (NODE_ENV=test) calls jsxDEV.
  execFileSync("npx", ["remix", "build"], {
    cwd: root,
    stdio: "ignore",
    env: { ...process.env, NODE_ENV: "production" },
  });
  let adminUrl = currentEnv().DATABASE_URL;
  if (!adminUrl) {
    const server = await startEmbeddedPostgres({
      dataDir: path.join(work, "pg"),
      persistent: false,
    });
    cleanups.unshift(server.stop);
    adminUrl = server.url;
  }
  const database = `jichiken_bench_${randomBytes(4).toString("hex")}`;
  const admin = createDb(adminUrl, { max: 1 });
  await sql.raw(`create database ${database}`).execute(admin);
  cleanups.unshift(async () => {
    await sql.raw(`drop database if exists ${database} with (force)`).execute(admin);
    await admin.destroy();
  });
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  const dbUrl = url.toString();
  const db = createDb(dbUrl, { max: 20 });
  cleanups.unshift(() => db.destroy());
  await migrateToLatest(db);
  await installQueue(dbUrl);
  await loadDemoData(db);
  return {
    db,
    dbUrl,
    work,
    serve: async () => {
      const app = createApp({
        db,
        build: await loadBuild(),
        appUrl: "http://127.0.0.1",
        devMail: true,
      });
      const server = serverSettings(app.listen(0, "127.0.0.1"));
      await new Promise((resolve) => server.once("listening", resolve));
      cleanups.unshift(() => new Promise((resolve) => server.close(() => resolve(undefined))));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    },
    serveProcesses: async (n: number) => {
      const port = await freePort();
      const proc = spawn(
        process.execPath,
        [
          "--import",
          "tsx",
          path.join(root, "scripts/bench/serve-cluster.ts"),
          dbUrl,
          String(port),
          String(n),
        ],
        {
          cwd: root,
          stdio: ["ignore", "pipe", "inherit"],
          env: { ...process.env, NODE_ENV: "production" },
        },
      );
      cleanups.unshift(async () => {
        proc.kill("SIGTERM");
        await new Promise((resolve) =>
          proc.exitCode !== null ? resolve(undefined) : proc.once("exit", resolve),
        );
      });
      await new Promise<void>((resolve, reject) => {
        proc.stdout.on("data", (d: Buffer) => d.toString().includes("ready") && resolve());
        proc.once("exit", (code) => reject(new Error(`serve-cluster exited ${code}`)));
      });
      return `http://127.0.0.1:${port}`;
    },
    close: async () => {
      for (const cleanup of cleanups) {
        try {
          await cleanup();
        } catch (error) {
          console.error("cleanup:", error);
        }
      }
    },
  };
}

/**
 * The demo event `slug` opened for a benchmark: no limit on the event or its
 * sessions (its seats are decided by its courses alone), its window open for
 * a month, its questions optional; returns the event's id.
 */
export async function withoutEventLimits(db: Database, slug: string): Promise<{ id: number }> {
  const event = await db
    .selectFrom("events")
    .select("id")
    .where("slug", "=", slug)
    .executeTakeFirstOrThrow();
  await db.updateTable("events").set({ capacity: null }).where("id", "=", event.id).execute();
  await db
    .updateTable("event_sessions")
    .set({ capacity: null })
    .where("event_id", "=", event.id)
    .execute();
  await db
    .updateTable("event_questions")
    .set({ required: false })
    .where("event_id", "=", event.id)
    .execute();
  await sql`update registration_windows set opens_at = now() - interval '1 day', closes_at = now() + interval '30 days' where event_id = ${event.id}`.execute(
    db,
  );
  return event;
}

/**
 * `count` confirmed members of 福島市職労 (the events are members-only; a
 * union member is confirmed by their union), inserted 1,000 at a time.
 */
export async function seedMembers(
  db: Database,
  args: { count: number; prefix: string; familyName: string; kana: string },
): Promise<string[]> {
  const union = await db
    .selectFrom("organisations")
    .select("id")
    .where("code", "=", "fukushima-shi")
    .executeTakeFirstOrThrow();
  const ids: string[] = [];
  for (let start = 0; start < args.count; start += 1000) {
    const rows = await db
      .insertInto("people")
      .values(
        Array.from({ length: Math.min(1000, args.count - start) }, (_, i) => ({
          email: `${args.prefix}-${start + i}@example.jp`,
          family_name: args.familyName,
          given_name: String(start + i),
          family_name_kana: args.kana,
          given_name_kana: "ベンチ",
          organisation_id: union.id,
          birth_date: "1990-01-01",
          profile_completed_at: new Date(),
          membership_status: "confirmed" as const,
        })),
      )
      .returning("id")
      .execute();
    ids.push(...rows.map((r) => r.id));
  }
  return ids;
}

/** The Cookie header's pair for a new session of `personId`, as a browser sends it. */
export async function signedIn(db: Database, personId: string): Promise<string> {
  return (await sessionCookie.serialize(await createSession(db, personId))).split(";")[0]!;
}

/** An event's active courses (分科会), by id. */
export async function activeCourseIds(db: Database, eventId: number): Promise<number[]> {
  const rows = await db
    .selectFrom("courses")
    .select("id")
    .where("event_id", "=", eventId)
    .where("status", "=", "active")
    .orderBy("id")
    .execute();
  return rows.map((c) => c.id);
}

/** A TCP port nobody listens on now. */
export async function freePort(): Promise<number> {
  const { createServer } = await import("node:net");
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export type LoadResult = {
  requests: number;
  ok: number;
  errors: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
  /** how many answers of each HTTP status (autocannon runs only) */
  statuses?: Record<string, number>;
  /** the load generator's own CPU time, in ms (autocannon runs only) */
  cpuMs?: number;
  /** the five seconds of the run with the slowest answers (autocannon runs only) */
  slowestSeconds?: { second: number; worst: number; answers: number }[];
};

/** What scripts/bench/load.ts is told to send. */
export type LoadConfig = {
  url: string;
  method: "GET" | "POST";
  path: string;
  connections: number;
  amount?: number;
  duration?: number;
  overallRate?: number;
  cookies?: string[];
  bodies?: string[];
  contentType?: string;
  expectStatus: number;
};

/**
 * autocannon in its own process (scripts/bench/load.ts). Each request takes
 * the next cookie and body from the lists, so every one is a distinct user.
 */
export async function load(bench: Bench, config: LoadConfig): Promise<LoadResult> {
  const file = path.join(bench.work, `load-${randomBytes(4).toString("hex")}.json`);
  writeFileSync(file, JSON.stringify(config));
  const out = await child(process.execPath, [
    "--import",
    "tsx",
    path.join(root, "scripts/bench/load.ts"),
    file,
  ]);
  return JSON.parse(out.trim().split("\n").at(-1) ?? "{}") as LoadResult;
}

/** pgbench on a script, with per-transaction latencies; returns the same figures as load(). */
export async function pgbench(
  bench: Bench,
  args: {
    script: string;
    clients: number;
    transactions: number;
    defines?: Record<string, string | number>;
  },
): Promise<LoadResult> {
  const scriptFile = path.join(bench.work, `bench-${randomBytes(4).toString("hex")}.sql`);
  writeFileSync(scriptFile, args.script);
  const logDir = mkdtempSync(path.join(bench.work, "pgbench-"));
  const binary =
    ["/usr/lib/postgresql/15/bin/pgbench", "/usr/bin/pgbench"].find((p) => existsSync(p)) ??
    "pgbench";
  const perClient = Math.ceil(args.transactions / args.clients);
  const defines = Object.entries(args.defines ?? {}).flatMap(([k, v]) => ["-D", `${k}=${v}`]);
  const started = process.hrtime.bigint();
  const out = await child(binary, [
    "-n",
    "-M",
    "prepared",
    "-f",
    scriptFile,
    "-c",
    String(args.clients),
    "-j",
    "2",
    "-t",
    String(perClient),
    "-l",
    `--log-prefix=${path.join(logDir, "tx")}`,
    ...defines,
    bench.dbUrl,
  ]);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const latencies = readdirSync(logDir)
    .flatMap((f) => readFileSync(path.join(logDir, f), "utf8").trim().split("\n"))
    .filter(Boolean)
    .map((line) => Number(line.split(" ")[2]) / 1000)
    .sort((a, b) => a - b);
  const failed = Number(/number of failed transactions: (\d+)/.exec(out)?.[1] ?? 0);
  const tps = Number(/tps = ([\d.]+)/.exec(out)?.[1] ?? latencies.length / seconds);
  return {
    requests: latencies.length,
    ok: latencies.length - failed,
    errors: failed,
    seconds,
    perSecond: tps,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
  };
}

export function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

export function child(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const proc = spawn(command, args, { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
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
      code === 0 ? resolve(out) : reject(new Error(`${command} exited ${code}: ${err || out}`)),
    );
  });
}

/**
 * One figure: what the product did, the baseline in the same run, their ratio
 * and the target. Printed, and added to BENCH_RESULTS (a Markdown table) when
 * `npm run bench` runs them all.
 */
export function report(row: {
  bench: string;
  figure: string;
  product: string;
  baseline: string;
  ratio: number;
  target: string;
  met: boolean;
}) {
  const line = `${row.bench} | ${row.figure}: ${row.product} (baseline ${row.baseline}) ratio ${row.ratio.toFixed(2)} — target ${row.target}: ${row.met ? "met" : "MISSED"}`;
  console.log(line);
  const file = process.env.BENCH_RESULTS;
  if (file) {
    appendFileSync(
      file,
      `| ${row.bench} | ${row.figure} | ${row.product} | ${row.baseline} | ${row.ratio.toFixed(2)} | ${row.target} | ${row.met ? "✅" : "❌"} |\n`,
    );
  }
}

/**
 * Runs `fn` under the V8 CPU profiler of this (the app's) process when
 * BENCH_PROFILE names a folder, and writes `<name>.cpuprofile` there (open
 * it in Chrome DevTools, or `npx tsx scripts/bench/profile-summary.ts FILE`).
 * Only the load is profiled, not the seeding around it.
 */
export async function profiled<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const dir = process.env.BENCH_PROFILE;
  if (!dir) return fn();
  const { Session } = await import("node:inspector/promises");
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.setSamplingInterval", { interval: 200 });
  await session.post("Profiler.start");
  try {
    return await fn();
  } finally {
    const { profile } = await session.post("Profiler.stop");
    const file = path.join(path.resolve(dir), `${name}.cpuprofile`);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
    console.log(`CPU profile: ${file}`);
  }
}
