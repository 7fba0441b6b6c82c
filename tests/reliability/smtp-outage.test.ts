import { createServer, type Socket } from "node:net";
import { sql } from "kysely";
import { enqueueEmail, type MailWorker, startMailWorker } from "../../app/domain/mailer.server";
import type { EmailMessage } from "../../emails/types";
import { createTestDatabase } from "../support/db";
import { freePort, startSmtpServer, waitFor } from "../support/mail";

/**
 * The SMTP server hangs: it accepts connections and never says a word. Then
 * the real one comes back on the same port. The mail waits, is retried, and
 * every email arrives exactly once (ARCHITECTURE.md rule 4). A server that
 * refuses connections is covered by tests/integration/email.test.ts.
 */

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let worker: MailWorker | undefined;
let smtp: Awaited<ReturnType<typeof startSmtpServer>> | undefined;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await worker?.stop();
  await smtp?.close();
  await database.drop();
});

function loginLink(n: number): EmailMessage {
  return {
    template: "login_link",
    payload: { url: `http://localhost/login/verify?token=hang-${n}`, expiresMinutes: 15 },
  };
}

async function rows(ids: string[]) {
  return database.db
    .selectFrom("outbound_emails")
    .select(["id", "attempts", "sent_at", "last_error"])
    .where("id", "in", ids)
    .orderBy("id")
    .execute();
}

describe("the SMTP server hangs for a while, then comes back", () => {
  it("mail waits and is retried; every email arrives exactly once", async () => {
    const { db } = database;
    const port = await freePort();
    // A server that accepts every connection and never answers, not even the greeting.
    const held: Socket[] = [];
    const hanging = createServer((socket) => {
      held.push(socket);
      socket.on("error", () => {});
    });
    await new Promise<void>((resolve) => hanging.listen(port, "127.0.0.1", resolve));
    const failures: string[] = [];
    worker = await startMailWorker({
      connectionString: database.url,
      smtpUrl: `smtp://127.0.0.1:${port}`,
      appUrl: "http://localhost",
      pollInterval: 100,
      log: (_level, message) => {
        if (message.startsWith("Failed task")) failures.push(message);
      },
    });
    const recipients = [1, 2, 3, 4, 5, 6].map((n) => `hang${n}@example.jp`);
    const ids: string[] = [];
    for (const [n, to] of recipients.entries()) {
      ids.push(
        await db.transaction().execute((trx) => enqueueEmail(trx, { to, message: loginLink(n) })),
      );
    }

    // nodemailer gives up on a silent server after its 5 s greeting timeout.
    await waitFor(async () => (await rows(ids)).filter((r) => r.attempts >= 1).length >= 2, {
      timeoutMs: 20_000,
      what: "attempts that timed out on the silent server",
    });
    const duringHang = await rows(ids);
    expect(duringHang.every((r) => r.sent_at === null)).toBe(true);
    expect(
      duringHang.filter((r) => r.last_error).every((r) => /greeting/i.test(r.last_error!)),
    ).toBe(true);
    const connectionsHeld = held.length;

    // The real server comes back on the same port; the test fast-forwards the retries.
    await new Promise<void>((resolve) => {
      hanging.close(() => resolve());
      for (const socket of held) socket.destroy();
    });
    smtp = await startSmtpServer({ port });
    await sql`
      select graphile_worker.reschedule_jobs(
        array(select id from graphile_worker.jobs where task_identifier = 'send_email'),
        run_at := now()
      )
    `.execute(db);
    await waitFor(async () => (await rows(ids)).every((r) => r.sent_at !== null), {
      timeoutMs: 20_000,
      what: "every email sent",
    });
    await new Promise((r) => setTimeout(r, 500)); // room for a duplicate to show up

    const after = await rows(ids);
    const received = smtp.received.map((m) => m.messageId);
    console.log(
      `SMTP hung then came back: ${ids.length} emails, ${connectionsHeld} connections held by the silent server, ` +
        `${failures.length} failed attempts, ${smtp.received.length} received, ${received.length - new Set(received).size} duplicates, ` +
        `attempts per email: ${after.map((r) => r.attempts).join(", ")}`,
    );
    expect(connectionsHeld).toBeGreaterThan(0);
    expect(smtp.received).toHaveLength(ids.length);
    expect(new Set(received)).toEqual(new Set(ids.map((id) => `<email-${id}@jichiken.local>`)));
    for (const to of recipients) {
      expect(smtp.received.filter((m) => m.envelopeTo.includes(to))).toHaveLength(1);
    }
  });
});
