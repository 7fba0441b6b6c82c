import { randomInt } from "node:crypto";
import { EventEmitter } from "node:events";
import { Logger, run, runMigrations, type WorkerEvents } from "graphile-worker";
import { sql, type Transaction } from "kysely";
import nodemailer from "nodemailer";
import { z } from "zod";
import { createDb, type Database, type DB } from "../../db/index";
import { emailSubject, renderEmail } from "../../emails/render";
import type { EmailMessage, RenderedEmail } from "../../emails/types";
import { inTransaction } from "./transactions.server";

/**
 * The outbox (ARCHITECTURE.md rule 4). An email is a row in outbound_emails
 * plus a graphile-worker job, both written in the transaction that causes
 * the email; only the worker talks to SMTP, with retries and backoff, and a
 * row marked sent is never sent again.
 */

const TASK = "send_email";
const MAX_ATTEMPTS = 25;
const DEFAULT_FROM = '"自治研イベント" <no-reply@jichiken.local>';

/** The Message-ID an email always carries, so a receiver can drop a redelivery. */
export function messageIdFor(id: string): string {
  return `<email-${id}@jichiken.local>`;
}

/**
 * An email as two CTEs for a statement that writes it with its cause in one
 * round trip (recordRegistrationChange): `email` (the outbound_emails row,
 * returning id) and `email_job` (its send_email job), which the statement
 * must read for it to run, e.g. `(select count(*) from email_job)`.
 */
export function emailJobCtes(args: { to: string; message: EmailMessage }) {
  const to = args.to.trim();
  if (!to) throw new Error("enqueueEmail: the recipient is empty");
  return sql`email as (
      insert into outbound_emails (to_address, subject, template, payload)
      values (${to}, ${emailSubject(args.message)}, ${args.message.template}, ${args.message.payload}::jsonb)
      returning id
    ), email_job as (
      select graphile_worker.add_job(
        ${TASK}, json_build_object('id', email.id::text), job_key := 'email:' || email.id,
        max_attempts := ${MAX_ATTEMPTS}::int
      ) from email
    )`;
}

/**
 * Queues an email in the caller's transaction: the outbound_emails row and
 * its send_email job commit or roll back with the cause (a registration, a
 * login request). Returns the email's id. Needs a transaction by its type, so
 * an email can never be written without its cause.
 */
export async function enqueueEmail(
  trx: Transaction<DB>,
  args: { to: string; message: EmailMessage },
): Promise<string> {
  const { rows } = await sql<{ id: string }>`with ${emailJobCtes(args)}
    select email.id, (select count(*) from email_job) as jobs from email`.execute(trx);
  const id = rows[0]?.id;
  if (!id) throw new Error("enqueueEmail: no row written");
  return id;
}

/**
 * Creates or upgrades the graphile_worker schema. Idempotent; opens its own
 * pool and closes it before returning, so the database is left with no
 * connection (a test template must have none when it is cloned).
 */
export async function installQueue(connectionString: string): Promise<void> {
  await runMigrations({ connectionString, logger: workerLogger(() => {}) });
}

type LogFunction = (level: "error" | "warning", message: string) => void;

function defaultLog(level: "error" | "warning", message: string) {
  // One line per problem: graphile-worker appends a stack to failures.
  console.warn(`[mail ${level}] ${message.split("\n")[0]}`);
}

/** graphile-worker's logger, reduced to errors and warnings. */
function workerLogger(log: LogFunction): Logger {
  return new Logger(() => (level, message) => {
    if (level === "error" || level === "warning") log(level, message);
  });
}

const jobPayload = z.object({ id: z.union([z.string(), z.number()]).transform(String) });

export type MailWorker = { stop(): Promise<void> };

/**
 * How long an email waits before it is tried again after a failed send:
 * doubling from 2 s, but never more than a minute during its first hour (an
 * SMTP outage of a few minutes delays mail by about as long, not by the
 * hours graphile-worker's own backoff would reach), then up to an hour. After
 * four days, undefined: the job fails for good as graphile-worker decides.
 */
export function emailRetryDelayMs(args: { attempts: number; ageMs: number }): number | undefined {
  if (args.ageMs > 4 * 24 * 3_600_000) return undefined;
  const cap = args.ageMs < 3_600_000 ? 60_000 : 3_600_000;
  return Math.min(cap, 1_000 * 2 ** Math.min(Math.max(args.attempts, 1), 22));
}

/** The advisory-lock class of the queue workers' owners (with the owner as the second key). */
const WORKER_LOCK_CLASS = 0x4a4b5751;

/**
 * Frees the jobs locked by the workers of app processes that are gone (a
 * `kill -9`, a crash, a lost machine), which graphile-worker would otherwise
 * keep locked for 4 hours: a live process holds a session advisory lock on
 * its owner key, so an owner whose lock can be taken is dead. Returns how
 * many jobs were freed.
 */
export async function freeDeadWorkers(db: Database): Promise<number> {
  const owners = await db.selectFrom("queue_workers").select("owner").distinct().execute();
  let freed = 0;
  for (const { owner } of owners) {
    freed += await inTransaction(db, async (trx) => {
      const { rows } = await sql<{ dead: boolean }>`
        select pg_try_advisory_xact_lock(${WORKER_LOCK_CLASS}, ${owner}) as dead`.execute(trx);
      if (!rows[0]?.dead) return 0;
      const workers = await trx
        .deleteFrom("queue_workers")
        .where("owner", "=", owner)
        .returning("worker_id")
        .execute();
      const ids = workers.map((w) => w.worker_id);
      const { rows: locked } = await sql<{ n: number }>`
        select count(*)::int as n from graphile_worker.jobs where locked_by = any(${ids}::text[])`.execute(
        trx,
      );
      await sql`select graphile_worker.force_unlock_workers(${ids}::text[])`.execute(trx);
      return locked[0]?.n ?? 0;
    });
  }
  return freed;
}

/**
 * Checks the SMTP server (connects, greets, logs in) without sending; a
 * Japanese sentence on what failed, or undefined when it answers.
 */
export async function checkMailServer(smtpUrl: string): Promise<string | undefined> {
  const transport = nodemailer.createTransport({
    url: smtpUrl,
    connectionTimeout: 5_000,
    greetingTimeout: 5_000,
    socketTimeout: 10_000,
  });
  try {
    await transport.verify();
    return undefined;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return `メールサーバー (${new URL(smtpUrl).host}) に接続できません: ${reason}。SMTP_URL を確認してください。メールは送信待ちとして保存され、接続できるようになってから送られます。`;
  } finally {
    transport.close();
  }
}

/**
 * Runs the send_email task until stopped. With `smtpUrl` each email goes out
 * through that SMTP server; without it, the email is only marked as delivered
 * to the dev mailbox (/dev/mail). A failure (SMTP down, timeout) is recorded
 * on the row and rethrown, so graphile-worker retries with exponential
 * backoff, up to 25 times.
 *
 * Sent once: the row is locked while it is sent and marked sent in the same
 * transaction, so two jobs for one email (two workers, or a repeated job)
 * send it once. If the process dies after the SMTP server accepted the mail
 * but before the commit, it is sent again with the same Message-ID.
 */
export async function startMailWorker(options: {
  connectionString: string;
  smtpUrl?: string;
  /**
   * false: no email is sent, and none is marked sent: send jobs wait in the
   * queue (production without SMTP_URL) while the other tasks run. Default
   * true (without smtpUrl, mail is only marked delivered to /dev/mail).
   */
  sendMail?: boolean;
  appUrl: string;
  concurrency?: number;
  pollInterval?: number;
  /** the From header; default "自治研イベント" <no-reply@jichiken.local> */
  from?: string;
  /** where errors and warnings go; default one line on stderr */
  log?: LogFunction;
  /** more jobs run by the same worker (webhooks, the day-before reminders), and when to run periodic ones */
  tasks?: Record<string, (payload: unknown) => Promise<unknown>>;
  crontab?: string;
}): Promise<MailWorker> {
  const concurrency = options.concurrency ?? 2;
  const db = createDb(options.connectionString, { max: concurrency + 1 });
  // This process's key: held (a session advisory lock on a connection of its
  // own) for as long as it lives, so that freeDeadWorkers knows it is alive.
  const owner = randomInt(1, 2 ** 31 - 1);
  const holder = createDb(options.connectionString, { max: 1 });
  const log = options.log ?? defaultLog;
  const events: WorkerEvents = new EventEmitter();
  let registering = Promise.resolve();
  // Jobs are locked in the name of the pool (graphile-worker 0.17 fetches
  // for its workers as "pool-…") or of a worker: both are recorded.
  const record = (workerId: string) => {
    registering = registering
      .then(async () => {
        await db
          .insertInto("queue_workers")
          .values({ worker_id: workerId, owner })
          .onConflict((oc) => oc.doNothing())
          .execute();
      })
      .catch((error: unknown) => log("warning", `queue worker not recorded: ${String(error)}`));
  };
  events.on("pool:create", ({ workerPool }) => record(workerPool.id));
  events.on("worker:create", ({ worker }) => record(worker.workerId));
  const transport = options.smtpUrl
    ? nodemailer.createTransport({
        url: options.smtpUrl,
        connectionTimeout: 5_000,
        greetingTimeout: 5_000,
        socketTimeout: 15_000,
      })
    : undefined;
  const from = options.from ?? DEFAULT_FROM;

  const send = transport
    ? async (row: OutboundRow, email: RenderedEmail) => {
        await transport.sendMail({
          from,
          to: row.to_address,
          subject: email.subject,
          html: email.html,
          text: email.text,
          messageId: messageIdFor(row.id),
          attachments: email.attachments.map((a) => ({
            filename: a.filename,
            content: a.content,
            contentType: a.contentType,
            ...(a.cid ? { cid: a.cid, contentDisposition: "inline" as const } : {}),
          })),
        });
      }
    : async () => {};

  let runner: Awaited<ReturnType<typeof run>>;
  try {
    await sql`select pg_advisory_lock(${WORKER_LOCK_CLASS}, ${owner})`.execute(holder);
    const freed = await freeDeadWorkers(db);
    if (freed > 0) log("warning", `停止したプロセスが処理中だったジョブ ${freed} 件を再開します`);
    runner = await run({
      events,
      connectionString: options.connectionString,
      concurrency,
      maxPoolSize: Math.max(4, concurrency + 2),
      pollInterval: options.pollInterval ?? 2_000,
      noHandleSignals: true,
      crontab: options.crontab ?? "",
      logger: workerLogger(options.log ?? defaultLog),
      taskList: {
        ...Object.fromEntries(
          Object.entries(options.tasks ?? {}).map(([name, task]) => [
            name,
            async (payload: unknown) => void (await task(payload)),
          ]),
        ),
        // Without sendMail the task is not listed, so its jobs wait in the queue.
        ...(options.sendMail === false
          ? {}
          : {
              [TASK]: async (payload, helpers) => {
                const { id } = jobPayload.parse(payload);
                try {
                  await deliverOnce(db, { id, appUrl: options.appUrl, send });
                } catch (error) {
                  const retry = await retryEmailLater(db, id);
                  if (retry === undefined) throw error;
                  // A new job in its place (graphile-worker moves the key to
                  // it), at our pace rather than graphile-worker's backoff.
                  await helpers.addJob(
                    TASK,
                    { id },
                    { jobKey: `email:${id}`, runAt: retry, maxAttempts: MAX_ATTEMPTS },
                  );
                  log(
                    "warning",
                    `email ${id} not sent (${error instanceof Error ? error.message : String(error)}); retrying at ${retry.toISOString()}`,
                  );
                }
              },
            }),
      },
    });
  } catch (error) {
    transport?.close();
    await db.destroy();
    await holder.destroy();
    throw error;
  }
  runner.promise.catch((error: unknown) => {
    (options.log ?? defaultLog)("error", `mail worker stopped: ${String(error)}`);
  });

  let stopped = false;
  return {
    async stop() {
      if (stopped) return;
      stopped = true;
      await runner.stop();
      transport?.close();
      // Stopped cleanly: graphile-worker has unlocked its jobs.
      await registering;
      await db
        .deleteFrom("queue_workers")
        .where("owner", "=", owner)
        .execute()
        .catch(() => {});
      await db.destroy();
      await holder.destroy();
    },
  };
}

/** When a failed email is tried next, or undefined once it is too old to go on. */
async function retryEmailLater(db: Database, id: string): Promise<Date | undefined> {
  const row = await db
    .selectFrom("outbound_emails")
    .select(["attempts", "created_at", "sent_at"])
    .where("id", "=", id)
    .executeTakeFirst();
  if (!row || row.sent_at) return undefined;
  const delay = emailRetryDelayMs({
    attempts: row.attempts,
    ageMs: Date.now() - row.created_at.getTime(),
  });
  return delay === undefined ? undefined : new Date(Date.now() + delay);
}

type OutboundRow = { id: string; to_address: string; template: string; payload: unknown };

/**
 * Sends one email unless it was already sent. The row lock makes a second job
 * for the same email wait, then see sent_at and do nothing.
 */
async function deliverOnce(
  db: Database,
  args: {
    id: string;
    appUrl: string;
    send: (row: OutboundRow, email: RenderedEmail) => Promise<void>;
  },
): Promise<void> {
  const failure = await inTransaction(db, async (trx) => {
    const row = await trx
      .selectFrom("outbound_emails")
      .select(["id", "to_address", "template", "payload", "sent_at"])
      .where("id", "=", args.id)
      .forUpdate()
      .executeTakeFirst();
    // No row: its cause was deleted since; nothing is owed to anyone.
    if (!row || row.sent_at) return undefined;
    try {
      const email = await renderEmail(storedMessage(row), { appUrl: args.appUrl });
      await args.send(row, email);
    } catch (error) {
      await trx
        .updateTable("outbound_emails")
        .set({
          attempts: sql`attempts + 1`,
          last_error: error instanceof Error ? error.message : String(error),
        })
        .where("id", "=", row.id)
        .execute();
      return error;
    }
    await trx
      .updateTable("outbound_emails")
      .set({ sent_at: sql`now()`, attempts: sql`attempts + 1`, last_error: null })
      .where("id", "=", row.id)
      .where("sent_at", "is", null)
      .execute();
    return undefined;
  });
  if (failure) throw failure;
}

function storedMessage(row: { template: string; payload: unknown }): EmailMessage {
  const payload = typeof row.payload === "string" ? JSON.parse(row.payload) : row.payload;
  return { template: row.template, payload } as EmailMessage;
}

/** An email as the dev mailbox shows it: the row and its rendering. */
export type DevMail = {
  id: string;
  to: string;
  subject: string;
  template: string;
  createdAt: Date;
  sentAt: Date | null;
  attempts: number;
  lastError: string | null;
  html: string;
  text: string;
  /** every http(s) URL in the text, in order */
  links: string[];
  attachments: RenderedEmail["attachments"];
};

type DevMailRow = {
  id: string;
  to_address: string;
  subject: string;
  template: string;
  payload: unknown;
  created_at: Date;
  sent_at: Date | null;
  attempts: number;
  last_error: string | null;
};

const URL_PATTERN = /https?:\/\/[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]+/g;

/** Every http(s) URL in a text, without trailing punctuation. */
export function linksIn(text: string): string[] {
  return (text.match(URL_PATTERN) ?? []).map((url) => url.replace(/[.,;:!?')]+$/, ""));
}

async function toDevMail(row: DevMailRow, appUrl: string): Promise<DevMail> {
  let rendered: RenderedEmail;
  try {
    rendered = await renderEmail(storedMessage(row), { appUrl });
  } catch (error) {
    rendered = {
      subject: row.subject,
      html: "",
      text: `(表示できません: ${error instanceof Error ? error.message : String(error)})`,
      attachments: [],
    };
  }
  return {
    id: row.id,
    to: row.to_address,
    subject: row.subject,
    template: row.template,
    createdAt: row.created_at,
    sentAt: row.sent_at,
    attempts: row.attempts,
    lastError: row.last_error,
    html: rendered.html,
    text: rendered.text,
    links: linksIn(rendered.text),
    attachments: rendered.attachments,
  };
}

const DEV_MAIL_COLUMNS = [
  "id",
  "to_address",
  "subject",
  "template",
  "payload",
  "created_at",
  "sent_at",
  "attempts",
  "last_error",
] as const;

/** The latest emails, newest first, rendered; only for the dev mailbox. */
export async function listDevMail(
  db: Database,
  args: { limit?: number; to?: string; appUrl: string },
): Promise<DevMail[]> {
  const limit = Math.min(Math.max(args.limit ?? 50, 1), 200);
  let query = db.selectFrom("outbound_emails").select(DEV_MAIL_COLUMNS);
  if (args.to) query = query.where(sql<string>`lower(to_address)`, "=", args.to.toLowerCase());
  const rows = await query
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .limit(limit)
    .execute();
  const messages: DevMail[] = [];
  for (const row of rows) messages.push(await toDevMail(row, args.appUrl));
  return messages;
}

/** One email, rendered, or undefined; only for the dev mailbox. */
export async function getDevMail(
  db: Database,
  args: { id: string; appUrl: string },
): Promise<DevMail | undefined> {
  if (!/^\d{1,18}$/.test(args.id)) return undefined;
  const row = await db
    .selectFrom("outbound_emails")
    .select(DEV_MAIL_COLUMNS)
    .where("id", "=", args.id)
    .executeTakeFirst();
  return row ? toDevMail(row, args.appUrl) : undefined;
}
