import { createRequire } from "node:module";
import jsQR from "jsqr";
import { sql } from "kysely";
import { enqueueEmail, type MailWorker, startMailWorker } from "../../app/domain/mailer.server";
import { createApp, loadBuild } from "../../app/server";
import type { Database } from "../../db/index";
import type { EmailEvent, EmailMessage, RegistrationEmail } from "../../emails/types";
import { startTestApp } from "../support/app";
import { createTestDatabase } from "../support/db";
import { freePort, type ReceivedMail, startSmtpServer, waitFor } from "../support/mail";

// pngjs comes with qrcode and has no types of its own; this is the part we use.
const { PNG } = createRequire(import.meta.url)("pngjs") as {
  PNG: { sync: { read(data: Buffer): { width: number; height: number; data: Buffer } } };
};

const APP_URL = "http://localhost:3000";

const seminar: EmailEvent = {
  title: "オンラインセミナー「自治研って何?」",
  slug: "online-seminar-2023",
  startsAt: "2023-08-18T09:00:00.000Z",
  endsAt: "2023-08-18T11:00:00.000Z",
  venueName: "",
  venueAddress: "",
  mapUrl: "",
  onlineLabel: "オンライン(Zoom)",
  onlineUrl: "https://us02web.zoom.us/j/81234567890?pwd=jichiken2023",
  programme: [
    { startsAt: "2023-08-18T09:00:00.000Z", title: "開会・趣旨説明", speaker: "自治労福島県本部" },
    { startsAt: "2023-08-18T09:15:00.000Z", title: "コース別グループ討論", speaker: "" },
  ],
};

/** The seminar also held in a room: a reception desk scans the QR, and the Zoom link still goes out. */
const hybrid: EmailEvent = { ...seminar, venueName: "自治労会館 3階会議室" };

const convention: EmailEvent = {
  title: "第19回自治研福島県集会",
  slug: "kenshukai-19",
  startsAt: "2024-05-24T04:30:00.000Z",
  endsAt: "2024-05-25T02:30:00.000Z",
  venueName: "ホテル華の湯",
  venueAddress: "福島県郡山市熱海町高玉字中ノ目1",
  mapUrl: "https://maps.google.com/?q=%E3%83%9B%E3%83%86%E3%83%AB%E8%8F%AF%E3%81%AE%E6%B9%AF",
  onlineLabel: "",
  programme: [],
};

function registration(overrides: Partial<RegistrationEmail> = {}): EmailMessage {
  return {
    template: "registration",
    payload: {
      kind: "confirmed",
      name: "佐藤 花子",
      event: seminar,
      ticketSecret: "tkt_3q9Vn2xL8pWc5RmZ0aYbKd7HfJ4sTgE6",
      ticketCode: "K7Q2-9XMA",
      course: "コース② 【中級編】よりよい地域をめざして",
      sessions: [],
      manageUrl: `${APP_URL}/me`,
      ...overrides,
    },
  };
}

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let db: Database;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.db;
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterAll(async () => {
  await database.drop();
});

/** As registration will: the email is written in the transaction of its cause. */
function enqueue(to: string, message: EmailMessage): Promise<string> {
  return db.transaction().execute((trx) => enqueueEmail(trx, { to, message }));
}

async function worker(options: {
  smtpUrl?: string;
  concurrency?: number;
  log?: (level: string, message: string) => void;
}): Promise<MailWorker> {
  const started = await startMailWorker({
    connectionString: database.url,
    appUrl: APP_URL,
    pollInterval: 100,
    log: () => {},
    ...options,
  });
  cleanups.push(() => started.stop());
  return started;
}

async function smtp(options: { port?: number; delayMs?: number } = {}) {
  const server = await startSmtpServer(options);
  cleanups.push(server.close);
  return server;
}

/** send_email jobs not yet done (for one email, or all); the public view has no payload. */
async function pendingJobs(emailId?: string): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    select count(*)::int as n
    from graphile_worker._private_jobs jobs
    join graphile_worker._private_tasks tasks on tasks.id = jobs.task_id
    where tasks.identifier = 'send_email'
      and (${emailId ?? null}::text is null or jobs.payload->>'id' = ${emailId ?? null}::text)
  `.execute(db);
  return rows[0]?.n ?? 0;
}

function emailRow(id: string) {
  return db
    .selectFrom("outbound_emails")
    .selectAll()
    .where("id", "=", id)
    .executeTakeFirstOrThrow();
}

function to(received: ReceivedMail[], address: string): ReceivedMail[] {
  return received.filter((m) => m.envelopeTo.includes(address));
}

describe("registration emails over SMTP", () => {
  it("a confirmed registration arrives with the date, the Zoom link, a QR of the ticket and an .ics", async () => {
    const server = await smtp();
    await worker({ smtpUrl: server.url });
    const id = await enqueue("hanako@example.jp", registration({ event: hybrid }));

    const [mail] = await waitFor(
      () =>
        to(server.received, "hanako@example.jp").length === 1 &&
        to(server.received, "hanako@example.jp"),
      { what: "the email" },
    );
    if (!mail) throw new Error("no mail");

    expect(mail.subject).toBe("【申込完了】オンラインセミナー「自治研って何?」");
    expect(mail.messageId).toBe(`<email-${id}@jichiken.local>`);
    const text = mail.text ?? "";
    expect(text).toContain("佐藤 花子 様");
    expect(text).toContain("2023年8月18日(金) 18:00〜20:00");
    expect(text).toContain("https://us02web.zoom.us/j/81234567890?pwd=jichiken2023");
    expect(text).toContain("コース② 【中級編】よりよい地域をめざして");
    expect(text).toContain("K7Q2-9XMA");
    expect(text).toContain("18:15 コース別グループ討論");
    expect(text).toContain(`${APP_URL}/me`);
    expect(mail.html).toContain("2023年8月18日(金) 18:00〜20:00");

    // The QR is an inline image the HTML points at, and it holds exactly the ticket secret.
    const qr = mail.attachments.find((a) => a.contentType === "image/png");
    expect(qr?.cid).toBeTruthy();
    expect(mail.html).toContain(`src="cid:${qr?.cid}"`);
    const png = PNG.sync.read(qr!.content);
    const decoded = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
    expect(decoded?.data).toBe("tkt_3q9Vn2xL8pWc5RmZ0aYbKd7HfJ4sTgE6");

    // The calendar file: the event in UTC (18:00 JST = 09:00Z), with the Zoom link.
    const ics = mail.attachments.find((a) => a.filename === "event.ics");
    expect(ics?.contentType).toBe("text/calendar");
    const calendar = ics!.content.toString("utf8").replace(/\r\n[ \t]/g, "");
    expect(calendar).toContain("METHOD:PUBLISH");
    expect(calendar).toContain("BEGIN:VEVENT");
    expect(calendar).toContain("DTSTART:20230818T090000Z");
    expect(calendar).toContain("DTEND:20230818T110000Z");
    expect(calendar).toContain("SUMMARY:オンラインセミナー「自治研って何?」");
    expect(calendar).toContain("URL:https://us02web.zoom.us/j/81234567890?pwd=jichiken2023");
    expect(calendar).toContain(`${APP_URL}/me`);

    // Marked sent once the SMTP server has accepted it.
    const row = await waitFor(async () => {
      const r = await emailRow(id);
      return r.sent_at && r;
    });
    expect(row.sent_at).toBeInstanceOf(Date);
    expect(row.attempts).toBe(1);
    expect(row.last_error).toBeNull();
  });

  it("an online-only seminar leads with the Zoom link and how to join, has no QR for a reception it does not have, and says the event's course word and the cancellation deadline", async () => {
    const server = await smtp();
    await worker({ smtpUrl: server.url });
    await enqueue(
      "online@example.jp",
      registration({
        event: {
          ...seminar,
          courseWord: "コース",
          cancellationDeadline: "2023-08-17T14:59:00.000Z",
        },
      }),
    );
    await enqueue(
      "convention@example.jp",
      registration({
        event: { ...convention, courseWord: "分科会" },
        course: "第2分科会 避難所運営",
      }),
    );
    const [online] = await waitFor(
      () =>
        to(server.received, "online@example.jp").length === 1 &&
        to(server.received, "online@example.jp"),
      { what: "the online email" },
    );
    const [venue] = await waitFor(
      () =>
        to(server.received, "convention@example.jp").length === 1 &&
        to(server.received, "convention@example.jp"),
      { what: "the convention email" },
    );
    const text = online!.text ?? "";
    expect(online!.attachments.filter((a) => a.contentType === "image/png")).toEqual([]);
    expect(online!.html).not.toContain("受付でこのQRコード");
    expect(text).not.toContain("受付で");
    expect(text.indexOf("■ 参加方法(Zoom)")).toBeGreaterThan(-1);
    expect(text.indexOf(seminar.onlineUrl!)).toBeLessThan(text.indexOf("■ イベント"));
    expect(text).toContain("■ コース\nコース② 【中級編】よりよい地域をめざして");
    expect(text).toContain("■ キャンセル期限\n2023年8月17日(木) 23:59まで");
    expect(online!.attachments.some((a) => a.filename === "event.ics")).toBe(true);

    const venueText = venue!.text ?? "";
    expect(venue!.attachments.filter((a) => a.contentType === "image/png")).toHaveLength(1);
    expect(venueText).toContain("受付で、このメールのQRコード");
    expect(venueText).toContain("■ 分科会\n第2分科会 避難所運営");
    expect(venueText).not.toContain("■ キャンセル期限");
    // Both jobs finished before the worker stops, so no job is left locked for the next test.
    await waitFor(async () => (await pendingJobs()) === 0, { what: "an empty queue" });
  });

  it("waitlist, cancellation and sign-in emails say what happened, and only a seat carries a QR", async () => {
    const server = await smtp();
    await worker({ smtpUrl: server.url });
    await enqueue(
      "wait@example.jp",
      registration({
        kind: "waitlisted",
        event: { ...seminar, onlineUrl: undefined },
        ticketSecret: undefined,
        waitlistPosition: 2,
      }),
    );
    await enqueue(
      "cancel@example.jp",
      registration({ kind: "cancelled", event: convention, course: undefined }),
    );
    await enqueue("login@example.jp", {
      template: "login_link",
      payload: { url: `${APP_URL}/login/verify?token=abc123`, expiresMinutes: 15 },
    });
    await waitFor(() => server.received.length === 3, { what: "three emails" });

    const [waitlisted] = to(server.received, "wait@example.jp");
    expect(waitlisted?.subject).toBe("【キャンセル待ち】オンラインセミナー「自治研って何?」");
    expect(waitlisted?.text).toContain("キャンセル待ち");
    expect(waitlisted?.text).toContain("2番目");
    expect(waitlisted?.text).not.toContain("zoom.us");
    expect(waitlisted?.attachments).toHaveLength(0);

    const [cancelled] = to(server.received, "cancel@example.jp");
    expect(cancelled?.subject).toBe("【キャンセル受付】第19回自治研福島県集会");
    expect(cancelled?.text).toContain("2024年5月24日(金) 13:30〜5月25日(土) 11:30");
    expect(cancelled?.text).toContain("ホテル華の湯");
    expect(cancelled?.text).toContain("福島県郡山市熱海町高玉字中ノ目1");
    expect(cancelled?.text).toContain(convention.mapUrl);
    // A cancellation holds no seat: no QR, no calendar entry, even if the secret was passed.
    expect(cancelled?.attachments).toHaveLength(0);
    expect(cancelled?.html).not.toContain("cid:");

    const [login] = to(server.received, "login@example.jp");
    expect(login?.subject).toBe("自治研イベント ログインリンク");
    expect(login?.text).toContain(`${APP_URL}/login/verify?token=abc123`);
    expect(login?.text).toContain("15分");
    expect(login?.text).toContain("1回だけ");
  });
});

describe("the outbox never loses an email and never sends one twice", () => {
  it("an email rolled back with its cause leaves no row and no job", async () => {
    const rowsBefore = await db.selectFrom("outbound_emails").select("id").execute();
    const jobsBefore = await pendingJobs();

    await expect(
      db.transaction().execute(async (trx) => {
        await enqueueEmail(trx, { to: "rollback@example.jp", message: registration() });
        throw new Error("the registration failed");
      }),
    ).rejects.toThrow("the registration failed");
    expect(await db.selectFrom("outbound_emails").select("id").execute()).toEqual(rowsBefore);
    expect(await pendingJobs()).toBe(jobsBefore);

    // The control: committed, the same call leaves its row and a job keyed by it.
    const id = await enqueue("commit@example.jp", registration());
    const { rows } = await sql<{ key: string; max_attempts: number }>`
      select key, max_attempts from graphile_worker.jobs where task_identifier = 'send_email'
    `.execute(db);
    expect(rows).toContainEqual({ key: `email:${id}`, max_attempts: 25 });
    await sql`select graphile_worker.remove_job(${`email:${id}`})`.execute(db);

    // Outside a transaction it does not even compile; `npm run typecheck` checks this line.
    const outsideATransaction = () =>
      // @ts-expect-error enqueueEmail takes a Transaction<DB>, not the pool
      enqueueEmail(db, { to: "x@example.jp", message: registration() });
    expect(outsideATransaction).toBeTypeOf("function");
  });

  it("while SMTP is down mail waits and retries; once it is back every email arrives exactly once", async () => {
    const port = await freePort(); // nothing listens: connections are refused
    const failures: string[] = [];
    await worker({
      smtpUrl: `smtp://127.0.0.1:${port}`,
      log: (_level, message) => {
        if (message.startsWith("Failed task")) failures.push(message);
      },
    });
    const recipients = [1, 2, 3, 4, 5].map((n) => `down${n}@example.jp`);
    const ids: string[] = [];
    for (const address of recipients) ids.push(await enqueue(address, registration()));

    // Each email fails, then graphile-worker's own backoff (e^1 ≈ 2.7 s) retries it.
    await waitFor(
      async () => {
        const rows = await db
          .selectFrom("outbound_emails")
          .select(["attempts", "sent_at"])
          .where("id", "in", ids)
          .execute();
        return rows.every((r) => r.attempts >= 2 && r.sent_at === null);
      },
      { timeoutMs: 12_000, what: "two failed attempts per email" },
    );
    const failed = await db
      .selectFrom("outbound_emails")
      .select("last_error")
      .where("id", "in", ids)
      .execute();
    expect(failed.every((r) => r.last_error?.includes("ECONNREFUSED"))).toBe(true);

    // SMTP comes back on the same port; the test fast-forwards the next retry.
    const server = await smtp({ port });
    await sql`
      select graphile_worker.reschedule_jobs(
        array(select id from graphile_worker.jobs where task_identifier = 'send_email'),
        run_at := now()
      )
    `.execute(db);
    await waitFor(
      async () => {
        const rows = await db
          .selectFrom("outbound_emails")
          .select("sent_at")
          .where("id", "in", ids)
          .execute();
        return rows.every((r) => r.sent_at !== null);
      },
      { timeoutMs: 10_000, what: "every email sent" },
    );
    // This test's own jobs: an earlier test's worker, stopped at its end, may leave one of its own locked.
    await waitFor(
      async () => {
        for (const id of ids) if ((await pendingJobs(id)) > 0) return false;
        return true;
      },
      { what: "an empty queue" },
    );
    await new Promise((r) => setTimeout(r, 300)); // room for a duplicate to show up

    const messageIds = server.received.map((m) => m.messageId);
    expect(server.received).toHaveLength(5);
    expect(new Set(messageIds)).toEqual(new Set(ids.map((id) => `<email-${id}@jichiken.local>`)));
    for (const address of recipients) expect(to(server.received, address)).toHaveLength(1);
    const rows = await db
      .selectFrom("outbound_emails")
      .select(["id", "attempts", "sent_at"])
      .where("id", "in", ids)
      .orderBy("id")
      .execute();
    console.log(
      `SMTP down then up: ${server.received.length} emails received, ${failures.length} failed attempts logged, attempts per email: ${rows.map((r) => r.attempts).join(", ")}`,
    );
    expect(rows.every((r) => r.sent_at !== null && r.attempts >= 3)).toBe(true);
  });

  it("jobs repeated for one email, even at the same moment, send it once", async () => {
    const server = await smtp({ delayMs: 300 }); // a slow server, so the jobs overlap
    const id = await enqueue("twice@example.jp", registration());
    // Two more jobs for the same email, as a duplicate enqueue or a second process would make.
    for (let i = 0; i < 2; i++) {
      await sql`select graphile_worker.add_job('send_email', json_build_object('id', ${id}::bigint))`.execute(
        db,
      );
    }
    expect(await pendingJobs(id)).toBe(3);
    await worker({ smtpUrl: server.url, concurrency: 3 });
    await waitFor(async () => (await pendingJobs(id)) === 0, { what: "three jobs done" });
    expect(to(server.received, "twice@example.jp")).toHaveLength(1);

    // And once more after it was sent.
    await sql`select graphile_worker.add_job('send_email', json_build_object('id', ${id}::text))`.execute(
      db,
    );
    await waitFor(async () => (await pendingJobs(id)) === 0, { what: "the late job done" });
    await new Promise((r) => setTimeout(r, 300));
    expect(to(server.received, "twice@example.jp")).toHaveLength(1);
    const row = await emailRow(id);
    expect(row.attempts).toBe(1);
    console.log(`4 jobs for email ${id}: ${server.received.length} message received`);
  });
});

describe("the dev mailbox", () => {
  type DevMailJson = {
    messages: {
      id: string;
      to: string;
      subject: string;
      text: string;
      links: string[];
      createdAt: string;
      sentAt: string | null;
    }[];
  };

  it("lists each email with its links at /dev/mail.json and shows it at /dev/mail", async () => {
    const app = await startTestApp(db);
    cleanups.push(app.close);
    const loginUrl = `${APP_URL}/login/verify?token=dev-mailbox-token`;
    const loginId = await enqueue("devbox@example.jp", {
      template: "login_link",
      payload: { url: loginUrl, expiresMinutes: 15 },
    });
    const ticketId = await enqueue(
      "devbox@example.jp",
      registration({ name: "鈴木 一郎", event: hybrid }),
    );

    const json = async (query: string) =>
      (await (await fetch(`${app.url}/dev/mail.json${query}`)).json()) as DevMailJson;
    const listed = await json("?to=devbox@example.jp");
    expect(listed.messages.map((m) => m.id)).toEqual([ticketId, loginId]); // newest first
    const login = listed.messages[1]!;
    expect(login.subject).toBe("自治研イベント ログインリンク");
    expect(login.links).toContain(loginUrl);
    expect(login.sentAt).toBeNull();
    expect(listed.messages[0]!.links).toEqual(
      expect.arrayContaining([seminar.onlineUrl, `${APP_URL}/me`]),
    );
    expect((await json("?to=nobody@example.jp")).messages).toEqual([]);

    // With no SMTP server configured, the worker delivers to this mailbox.
    await worker({});
    const delivered = await waitFor(
      async () => {
        const now = await json("?to=devbox@example.jp");
        return now.messages.every((m) => m.sentAt) && now;
      },
      { what: "dev delivery" },
    );
    expect(delivered.messages).toHaveLength(2);

    const page = await fetch(`${app.url}/dev/mail`);
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(html).toContain("【申込完了】オンラインセミナー「自治研って何?」");
    expect(html).toContain("自治研イベント ログインリンク");
    expect(html).toContain(`src="/dev/mail/${ticketId}"`);
    expect(html).toContain("event.ics");

    const frame = await fetch(`${app.url}/dev/mail/${ticketId}`);
    const frameHtml = await frame.text();
    expect(frame.status).toBe(200);
    expect(frame.headers.get("content-type")).toContain("text/html");
    expect(frame.headers.get("content-security-policy")).toContain("default-src 'none'");
    expect(frameHtml).toContain("鈴木 一郎 様");
    expect(frameHtml).toContain('src="data:image/png;base64,');
    expect(frameHtml).not.toContain("cid:");

    expect((await fetch(`${app.url}/dev/mail/999999999`)).status).toBe(404);
    expect((await fetch(`${app.url}/dev/mail/not-a-number`)).status).toBe(404);
  });

  it("does not exist when the dev mailbox is off", async () => {
    const app = createApp({ db, build: await loadBuild(), appUrl: APP_URL, devMail: false });
    const server = app.listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    cleanups.push(
      () =>
        new Promise((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections(); // fetch keeps connections alive
        }),
    );
    const address = server.address();
    const base = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
    for (const path of ["/dev/mail", "/dev/mail.json", "/dev/mail/1"]) {
      expect((await fetch(base + path)).status, path).toBe(404);
    }
  });
});
