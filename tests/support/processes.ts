import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { sql } from "kysely";
import type { Database } from "../../db/index";
import { freePort, waitFor } from "./mail";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export type AppProcess = {
  url: string;
  port: number;
  pid: number;
  /** what the process wrote on stderr, for a failing test's message */
  stderr: () => string;
  /** SIGTERM and wait: the app closes its pool and exits */
  stop: () => Promise<void>;
  /** SIGKILL and wait: a crash, with requests and transactions in flight */
  kill: () => Promise<void>;
};

/**
 * The database URL with an application_name, so the test can tell this
 * process's connections apart in pg_stat_activity (postgres.js passes query
 * parameters of the URL on to the server).
 */
export function withApplicationName(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set("application_name", name);
  return parsed.toString();
}

/**
 * A real Node process serving the built app (tests/support/serve-app.ts) on
 * `databaseUrl`, on `port` (a free one by default; pass the old port to
 * restart "the same" server). Resolves once it listens.
 */
export async function spawnApp(options: {
  databaseUrl: string;
  port?: number;
  name?: string;
}): Promise<AppProcess> {
  const port = options.port ?? (await freePort());
  const name = options.name ?? `app-${port}`;
  const child = spawn(process.execPath, ["--import", "tsx", "tests/support/serve-app.ts"], {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: withApplicationName(options.databaseUrl, name),
      PORT: String(port),
      APP_URL: `http://127.0.0.1:${port}`,
    },
    stdio: ["ignore", "pipe", "pipe", "ipc"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  await new Promise<void>((resolve, reject) => {
    let stdout = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`app process did not start in 90 s: ${stderr}`));
    }, 90_000);
    child.stdout?.on("data", (chunk: Buffer) => {
      stdout += chunk.toString("utf8");
      if (stdout.includes("listening on ")) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`app process exited with ${code} before listening: ${stderr}`));
    });
  });
  const signal = (sig: NodeJS.Signals) => async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill(sig);
    await exited;
  };
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    pid: child.pid ?? 0,
    stderr: () => stderr,
    stop: signal("SIGTERM"),
    kill: signal("SIGKILL"),
  };
}

/** Stops every process given, whatever state it is in (for afterAll). */
export async function stopAll(processes: (AppProcess | ChildProcess | undefined)[]) {
  for (const p of processes) {
    if (!p) continue;
    if ("stop" in p) await p.stop().catch(() => {});
    else if (p.exitCode === null) p.kill("SIGKILL");
  }
}

/**
 * Waits until no backend of `applicationName` is left: a backend flushes its
 * statistics (pg_stat_database.deadlocks among them) when it exits.
 */
export async function waitForBackendsGone(db: Database, applicationName: string): Promise<void> {
  await waitFor(
    async () => {
      const { rows } = await sql<{ n: number }>`
        select count(*)::int as n from pg_stat_activity
        where datname = current_database() and application_name = ${applicationName}
      `.execute(db);
      return rows[0]?.n === 0;
    },
    { timeoutMs: 10_000, what: `the backends of ${applicationName} to exit` },
  );
}

/** Deadlocks PostgreSQL has detected in this database since its statistics were reset. */
export async function deadlockCount(db: Database): Promise<number> {
  await sql`select pg_stat_clear_snapshot()`.execute(db);
  const { rows } = await sql<{ n: number }>`
    select deadlocks::int as n from pg_stat_database where datname = current_database()
  `.execute(db);
  return rows[0]?.n ?? 0;
}
