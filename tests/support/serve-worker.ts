/**
 * One job worker, as `npm start` runs it, on DATABASE_URL and SMTP_URL:
 * prints `worker running` once started. The tests kill it with SIGKILL to
 * play a crash in the middle of sending.
 *
 *   DATABASE_URL=postgres://… SMTP_URL=smtp://… node --import tsx tests/support/serve-worker.ts
 */
import { startMailWorker } from "../../app/domain/mailer.server";

const connectionString = process.env.DATABASE_URL;
if (!connectionString) throw new Error("DATABASE_URL is required");
const worker = await startMailWorker({
  connectionString,
  smtpUrl: process.env.SMTP_URL,
  appUrl: "http://localhost",
  pollInterval: 200,
  log: (level, message) => console.error(`[${level}] ${message}`),
});
console.log("worker running");
process.on("SIGTERM", () => void worker.stop().then(() => process.exit(0)));
if (process.send) process.on("disconnect", () => void worker.stop().then(() => process.exit(0)));
