/**
 * One production app node: the built app on DATABASE_URL, its share of the
 * job queue, and a stop on SIGTERM that drops no request. Used by
 * scripts/start-prod.ts, once per process (WEB_CONCURRENCY). No state lives
 * in the process that another node needs: sessions, locks, the queue, rate
 * limits and check-ins are all in PostgreSQL (docs/decisions/017-several-nodes.md).
 */
import type { Server } from "node:http";
import express from "express";
import postgres from "postgres";
import { appJobs } from "../app/domain/jobs.server";
import { installQueue, type MailWorker, startMailWorker } from "../app/domain/mailer.server";
import type { Env } from "../app/env.server";
import { createApp, loadBuild, serverSettings } from "../app/server";
import { createDb, migrateToLatest } from "../db/index";

/** Any fixed number: every node of every deployment takes the same lock. */
const MIGRATION_LOCK = 7_160_016;

/**
 * Brings the schema and the job queue's schema up to date, once: nodes that
 * start together wait on a PostgreSQL advisory lock, and the ones after the
 * first find nothing left to do. The lock is held on a connection of its own
 * for the whole run and released when that connection ends, even on a crash.
 */
export async function migrateUnderLock(databaseUrl: string, log: (m: string) => void) {
  const lock = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    await lock`select pg_advisory_lock(${MIGRATION_LOCK})`;
    const db = createDb(databaseUrl, { max: 1 });
    try {
      const result = await migrateToLatest(db);
      const applied = result.results?.filter((r) => r.status === "Success").length ?? 0;
      log(applied > 0 ? `マイグレーションを ${applied} 件適用しました。` : "スキーマは最新です。");
    } finally {
      await db.destroy();
    }
    await installQueue(databaseUrl);
    await lock`select pg_advisory_unlock(${MIGRATION_LOCK})`;
  } finally {
    await lock.end({ timeout: 5 });
  }
}

export type RunningNode = {
  server: Server;
  port: number;
  /** what SIGTERM does: drain, stop the worker, close the pool; resolves when done */
  stop: (reason: string) => Promise<void>;
};

/**
 * Serves the built app on env.PORT with the job queue (unless RUN_WORKER=false).
 * Migrations are not run here (see migrateUnderLock). On SIGTERM or SIGINT
 * the node stops as stopNode describes and exits 0.
 */
export async function startNode(
  env: Env,
  options: { log: (m: string) => void },
): Promise<RunningNode> {
  const { log } = options;
  const databaseUrl = env.DATABASE_URL;
  if (!databaseUrl) throw new Error("DATABASE_URL が必要です");
  const db = createDb(databaseUrl);
  const devMail = env.NODE_ENV !== "production" && !env.SMTP_URL;
  // The worker runs whether or not SMTP is set (webhooks, reminders and the
  // retention purge need it); without SMTP in production the send jobs wait
  // in the queue until SMTP_URL is set, rather than being marked as sent.
  let worker: MailWorker | undefined;
  if (env.RUN_WORKER) {
    worker = await startMailWorker({
      connectionString: databaseUrl,
      smtpUrl: env.SMTP_URL,
      sendMail: Boolean(env.SMTP_URL) || devMail,
      appUrl: env.APP_URL,
      ...appJobs(db, env),
    });
    if (!env.SMTP_URL && !devMail)
      log("SMTP_URL が未設定です。メールは送信待ちのまま保存されます。");
  }

  let draining = false;
  const app = express();
  app.disable("x-powered-by");
  // While stopping: tell the proxy (health check) and close each connection after its answer.
  app.use((req, res, next) => {
    if (!draining) return next();
    res.setHeader("Connection", "close");
    if (req.path === "/healthz") {
      res.status(503).json({ ok: false, error: "停止中です" });
      return;
    }
    next();
  });
  app.use(
    createApp({
      db,
      build: await loadBuild(),
      appUrl: env.APP_URL,
      devMail,
      log: env.LOG_FORMAT,
      devMailbox: env.DEV_MAILBOX,
      trustProxy: env.TRUST_PROXY,
      allowPrivateWebhooks: env.WEBHOOK_ALLOW_PRIVATE,
    }),
  );

  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(env.PORT, () => resolve(s));
    s.once("error", reject);
  });
  serverSettings(server);
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : env.PORT;

  let stopping: Promise<void> | undefined;
  const stop = (reason: string) => {
    stopping ??= (async () => {
      log(`${reason} を受け取りました。受付を止め、処理中のリクエストを終えてから停止します…`);
      draining = true;
      if (env.SHUTDOWN_DELAY > 0) await sleep(env.SHUTDOWN_DELAY * 1000);
      await drain(server, env.SHUTDOWN_TIMEOUT * 1000, log);
      await worker?.stop();
      await db.destroy();
      log("停止しました。");
    })();
    return stopping;
  };
  return { server, port, stop };
}

/**
 * Stops accepting connections, lets the requests in flight finish, and
 * closes keep-alive connections as they fall idle. After `deadlineMs` the
 * connections still open (a stalled download, say) are closed.
 */
async function drain(server: Server, deadlineMs: number, log: (m: string) => void) {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const idle = setInterval(() => server.closeIdleConnections(), 100);
  const deadline = setTimeout(() => {
    log(`${deadlineMs / 1000} 秒たっても終わらない接続を閉じます。`);
    server.closeAllConnections();
  }, deadlineMs);
  await closed;
  clearInterval(idle);
  clearTimeout(deadline);
}

function sleep(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
