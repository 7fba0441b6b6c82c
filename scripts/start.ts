/**
 * `npm start`: the database (embedded unless DATABASE_URL is set), migrations
 * and the job queue, the demo data on first run, the mail worker, then the
 * web app on PORT (3000).
 */
import { migrateToLatest } from "../db/index";
import { prepareStartData } from "../db/seed/production";
import { installQueue, startMailWorker } from "../app/domain/mailer.server";
import { sendDueReminders } from "../app/domain/reminders.server";
import { deliverWebhook } from "../app/domain/api.server";
import { PURGE_CRONTAB, runRetention } from "../app/domain/privacy.server";
import { createApp, loadBuild } from "../app/server";
import { envAtStart } from "../app/env.server";
import { openDatabase } from "./database";

const env = envAtStart();
console.log(
  env.DATABASE_URL
    ? "DATABASE_URL のデータベースに接続します…"
    : "組み込み PostgreSQL を起動します(./.data/)…",
);
const database = await openDatabase();
await migrateToLatest(database.db);
await installQueue(database.url);
const seeded = await prepareStartData(database, env);
console.log(seeded.loaded ? "デモデータを読み込みました。" : "既存のデータを使います。");

const devMail = env.NODE_ENV !== "production" && !env.SMTP_URL;
// Without SMTP in production, no worker runs: the mail waits in the queue
// until SMTP_URL is set, rather than being marked as sent to nobody.
const mailWorker =
  env.SMTP_URL || devMail
    ? await startMailWorker({
        connectionString: database.url,
        smtpUrl: env.SMTP_URL,
        appUrl: env.APP_URL,
        crontab: `5 * * * * send_reminders\n${PURGE_CRONTAB}`,
        tasks: {
          send_reminders: () => sendDueReminders(database.db, { appUrl: env.APP_URL }),
          deliver_webhook: (payload) =>
            deliverWebhook(database.db, payload, { allowPrivate: env.WEBHOOK_ALLOW_PRIVATE }),
          purge_personal_data: () => runRetention(database.db),
        },
      })
    : undefined;
if (env.SMTP_URL) console.log(`メールは SMTP (${new URL(env.SMTP_URL).host}) で送信します。`);
else if (devMail)
  console.log(
    env.DEV_MAILBOX === "open"
      ? "SMTP_URL が未設定のため、メールは /dev/mail に届きます。DEV_MAILBOX=open: このポートに届く誰でも読めます(ログインリンクも含みます)。"
      : "SMTP_URL が未設定のため、メールは /dev/mail に届きます。読めるのはこの機械(127.0.0.1 / ::1)からだけです。ほかの端末から読むには DEV_MAILBOX=open を設定してください。",
  );
else console.warn("SMTP_URL が未設定です。メールは送信待ちのまま保存されます。");

const app = createApp({
  db: database.db,
  build: await loadBuild(),
  appUrl: env.APP_URL,
  devMail,
  devMailbox: env.DEV_MAILBOX,
  trustProxy: env.TRUST_PROXY,
  allowPrivateWebhooks: env.WEBHOOK_ALLOW_PRIVATE,
  log: env.LOG_FORMAT,
});
if (env.TRUST_PROXY > 0)
  console.log(`TRUST_PROXY=${env.TRUST_PROXY}: 前段のプロキシ ${env.TRUST_PROXY} 段が付けた X-Forwarded-For から接続元を判断します。`);
if (env.WEBHOOK_ALLOW_PRIVATE)
  console.warn("WEBHOOK_ALLOW_PRIVATE=1: Webhook の送信先に内部アドレスを許可しています(開発用)。");
const server = app.listen(env.PORT, () => {
  console.log(`\n自治研イベント: ${env.APP_URL}\n`);
  if (seeded.logins.length) console.log("デモ用ログイン:");
  for (const login of seeded.logins) {
    const how = login.password
      ? `パスワード ${login.password}`
      : "ログインリンク(/dev/mail に届きます)";
    console.log(`  ${login.role.padEnd(10)} ${login.email.padEnd(30)} ${login.name}  ${how}`);
  }
  console.log("\n停止するには Ctrl-C を押してください。");
});

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal} を受け取りました。停止します…`);
  server.close();
  await mailWorker?.stop();
  await database.close();
  process.exit(0);
}
process.on("SIGINT", () => void shutdown("SIGINT"));
process.on("SIGTERM", () => void shutdown("SIGTERM"));
