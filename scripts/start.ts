/**
 * `npm start`: the database (embedded unless DATABASE_URL is set), migrations
 * and the job queue, the demo data on first run, the job worker, then the
 * web app on PORT (3000).
 *
 * Ctrl-C or SIGTERM, at any moment (during start-up too), stops what has
 * started in reverse order: the web server, the worker, the pool, then the
 * embedded PostgreSQL, so that no connection is cut under a pool.
 */
import cluster from "node:cluster";
import type { Server } from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { appJobs } from "../app/domain/jobs.server";
import { checkMailServer, installQueue, startMailWorker } from "../app/domain/mailer.server";
import { envAtStart } from "../app/env.server";
import { createApp, loadBuild, serverSettings } from "../app/server";
import { migrateToLatest } from "../db/index";
import { prepareStartData } from "../db/seed/production";
import { openDatabase } from "./database";

const env = envAtStart();
// The worker and the pool close their own connections; they are closed in this order.
const closers: { name: string; close: () => Promise<unknown> }[] = [];
let stopping = false;

async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal} を受け取りました。停止します…`);
  await current;
  for (const { name, close } of closers.reverse()) {
    await close().catch((error: unknown) => {
      console.warn(`${name} の停止中にエラー: ${error instanceof Error ? error.message : error}`);
    });
  }
  console.log("停止しました。");
  process.exit(0);
}
process.on("SIGINT", () => void shutdown("SIGINT"));
process.on("SIGTERM", () => void shutdown("SIGTERM"));

/** The start-up step under way: a stop waits for it, then closes what it opened. */
let current: Promise<unknown> = Promise.resolve();

/**
 * Runs one start-up step, unless a stop has begun (then nothing more
 * starts), and registers what closes what it opened.
 */
function step<T>(
  run: () => Promise<T>,
  closer?: (value: T) => { name: string; close: () => Promise<unknown> },
): Promise<T> {
  if (stopping) return new Promise<T>(() => {});
  const running = run().then((value) => {
    if (closer) closers.push(closer(value));
    return value;
  });
  current = running.catch(() => {});
  return running;
}

try {
  await main();
} catch (error) {
  // A stop during start-up closes what a step was using: not a failure.
  if (!stopping) throw error;
}

async function main() {
  const production = env.NODE_ENV === "production";
  console.log(
    production
      ? "モード: 本番 (NODE_ENV=production)"
      : `モード: 開発 (NODE_ENV=${env.NODE_ENV}${process.env.NODE_ENV ? "" : "、未設定のため"})。本番では NODE_ENV=production を設定してください。`,
  );
  if (env.DATABASE_URL) {
    console.log(`データベース: DATABASE_URL (${new URL(env.DATABASE_URL).host}) に接続します…`);
  } else {
    console.log("データベース: 組み込み PostgreSQL を起動します…");
  }
  const database = await step(
    () => openDatabase(),
    (d) => ({ name: "データベース", close: d.close }),
  );
  if (database.server) {
    const { server } = database;
    console.log(`データの保存先: ${server.dataDir}`);
    if (server.how === "restarted-orphan") {
      console.log(
        "前回強制終了したときの PostgreSQL が残っていたため、停止してから起動し直しました。",
      );
    } else if (server.how === "shared") {
      console.log(
        `このデータは別の起動中のプロセスの PostgreSQL (port ${server.port}) を共用します。停止はそのプロセスが行います。`,
      );
    }
  }
  await step(() => migrateToLatest(database.db));
  await step(() => installQueue(database.url));
  const seeded = await step(() => prepareStartData(database, env));
  console.log(seeded.loaded ? "デモデータを読み込みました。" : "既存のデータを使います。");

  const devMail = !production && !env.SMTP_URL;
  if (env.SMTP_URL) {
    console.log(`メール: SMTP (${new URL(env.SMTP_URL).host}) で送信します。`);
    const problem = await step(() => checkMailServer(env.SMTP_URL!));
    if (problem) console.warn(`警告: ${problem}`);
  } else if (devMail) {
    console.log(
      env.DEV_MAILBOX === "open"
        ? "メール: SMTP_URL が未設定のため、送らずに /dev/mail に表示します。DEV_MAILBOX=open: このポートに届く誰でも読めます(ログインリンクも含みます)。"
        : "メール: SMTP_URL が未設定のため、送らずに /dev/mail に表示します。読めるのはこの機械(127.0.0.1 / ::1)からだけです。ほかの端末から読むには DEV_MAILBOX=open を設定してください。",
    );
  } else {
    console.warn(
      "警告: SMTP_URL が未設定です。メールは送信待ちのまま保存され、SMTP_URL を設定して再起動すると送られます(Webhook とリマインダーは動きます)。",
    );
  }
  // The worker runs in every case: webhooks and reminders need it. Without
  // SMTP in production it leaves the send jobs waiting, rather than marking
  // mail as sent to nobody.
  await step(
    () =>
      startMailWorker({
        connectionString: database.url,
        smtpUrl: env.SMTP_URL,
        sendMail: Boolean(env.SMTP_URL) || devMail,
        appUrl: env.APP_URL,
        ...appJobs(database.db, env),
      }),
    (w) => ({ name: "ジョブワーカー", close: () => w.stop() }),
  );

  if (env.WEB_CONCURRENCY > 1) {
    // N web processes on one port (node:cluster), each as start:prod runs
    // one, on this database; this process keeps the database, the job worker
    // and the pool of the start-up, and stops them after the web processes.
    await step(
      () => serveWithProcesses(env.WEB_CONCURRENCY, database.url),
      (stop) => ({ name: "Webプロセス", close: stop }),
    );
  } else {
    await serveHere(database.db, devMail);
  }
  console.log(`\n自治研イベント: ${env.APP_URL}\n`);
  if (seeded.logins.length) console.log("デモ用ログイン:");
  for (const login of seeded.logins) {
    const how = login.password
      ? `パスワード ${login.password}`
      : devMail
        ? "ログインリンク(/dev/mail に届きます)"
        : "ログインリンク(メールで届きます)";
    console.log(`  ${login.role.padEnd(10)} ${login.email.padEnd(30)} ${login.name}  ${how}`);
  }
  console.log("\n停止するには Ctrl-C を押してください。");
}

/** The web app in this process (WEB_CONCURRENCY=1). */
async function serveHere(db: Parameters<typeof createApp>[0]["db"], devMail: boolean) {
  const build = await step(() => loadBuild());
  const app = createApp({
    db,
    build,
    appUrl: env.APP_URL,
    devMail,
    devMailbox: env.DEV_MAILBOX,
    trustProxy: env.TRUST_PROXY,
    allowPrivateWebhooks: env.WEBHOOK_ALLOW_PRIVATE,
    log: env.LOG_FORMAT,
  });
  if (env.TRUST_PROXY > 0) {
    console.log(
      `TRUST_PROXY=${env.TRUST_PROXY}: 前段のプロキシ ${env.TRUST_PROXY} 段が付けた X-Forwarded-For から接続元を判断します。`,
    );
  }
  if (env.WEBHOOK_ALLOW_PRIVATE) {
    console.warn(
      "WEBHOOK_ALLOW_PRIVATE=1: Webhook の送信先に内部アドレスを許可しています(開発用)。",
    );
  }
  await step(
    () =>
      new Promise<Server>((resolve) => {
        const listening = serverSettings(app.listen(env.PORT, () => resolve(listening)));
      }),
    (server) => ({
      name: "Webサーバー",
      close: () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
          // Requests still running (an export) are cut after a short grace.
          setTimeout(() => server.closeAllConnections(), 3_000).unref();
        }),
    }),
  );
}

/**
 * WEB_CONCURRENCY web processes sharing PORT, each running scripts/start-prod.ts
 * as a cluster worker (no migrations, no job worker: RUN_WORKER=false) on the
 * database this process opened. Resolves once all listen; returns the stop.
 */
async function serveWithProcesses(
  count: number,
  databaseUrl: string,
): Promise<() => Promise<void>> {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
  cluster.setupPrimary({ exec: path.join(root, "scripts/start-prod.ts") });
  const fork = () =>
    cluster.fork({ DATABASE_URL: databaseUrl, RUN_WORKER: "false", WEB_CONCURRENCY: "1" });
  await new Promise<void>((resolve) => {
    let listening = 0;
    for (let i = 0; i < count; i++) {
      fork().on("message", (m: { listening?: number }) => {
        if (m?.listening && ++listening === count) resolve();
      });
    }
  });
  cluster.on("exit", (worker, code, signal) => {
    // Ctrl-C reaches the web processes too: they stop themselves (shutdown() sets stopping).
    if (stopping) return;
    console.warn(
      `Webプロセス ${worker.process.pid} が終了しました (${signal ?? code})。起動し直します。`,
    );
    setTimeout(fork, 1000);
  });
  console.log(
    `WEB_CONCURRENCY=${count}: ${count} 個のWebプロセスが port ${env.PORT} で待ち受けています。`,
  );
  return async () => {
    const workers = Object.values(cluster.workers ?? {}).filter((w) => w !== undefined);
    await Promise.all(
      workers.map(
        (worker) =>
          new Promise<void>((resolve) => {
            if (worker.isDead()) return resolve();
            worker.once("exit", () => resolve());
            try {
              worker.send("shutdown");
            } catch {
              // already gone: its exit resolves
            }
          }),
      ),
    );
  };
}
