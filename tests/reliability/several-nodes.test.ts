import net from "node:net";
import { sql } from "kysely";
import { ensureCheckinLists } from "../../app/domain/checkin.server";
import { loadDemoData } from "../../db/seed/load";
import { hasCommand, type ProdNode, spawnProdNode, startCaddy } from "../support/cluster";
import { createTestDatabase } from "../support/db";
import { CONSENT_FIELDS, browserLike, createMember, eventIdOf, signIn } from "../support/factories";
import { freePort, startSmtpServer, waitFor } from "../support/mail";

/**
 * Several app nodes, as a national convention runs them: two `npm run
 * start:prod` processes (each with its job queue worker) behind a real
 * Caddy (round robin, health checks), on one PostgreSQL. Nothing a node
 * keeps in memory may be needed by another: sessions, seats, mail, the
 * desk's counters and roster all come from the database; the page cache is
 * per node and at most one second old. Then a rolling restart under steady
 * registration load must lose no request.
 *
 * The nodes start on an empty database, at the same moment: the migrations
 * run once, under start:prod's advisory lock.
 */

const SLUG = "online-seminar-next";
const SEATS = 8;
const ATTEMPTS = 4 * SEATS;

const skip = !hasCommand("caddy");
if (skip)
  console.warn("caddy is not installed (apt-get install caddy): several-nodes test skipped");

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
let caddy: Awaited<ReturnType<typeof startCaddy>>;
const nodes: ProdNode[] = [];
let nodeEnv: Record<string, string>;
let eventId: number;
const courses = { open: 0, scarce: 0 };
let wholeList: number;
let form: Record<string, string>;

beforeAll(async () => {
  if (skip) return;
  database = await createTestDatabase({ empty: true });
  smtp = await startSmtpServer();
  const ports = [await freePort(), await freePort()];
  nodeEnv = {
    DATABASE_URL: database.url,
    SMTP_URL: smtp.url,
    APP_URL: "https://events.example.jp",
    SHUTDOWN_DELAY: "1",
    SHUTDOWN_TIMEOUT: "5",
    LOG_FORMAT: "json",
  };
  // Both at once on an empty database: each waits for the migration lock.
  nodes.push(...(await Promise.all(ports.map((port) => spawnProdNode({ port, env: nodeEnv })))));
  caddy = await startCaddy(ports);

  const { db } = database;
  await loadDemoData(db);
  eventId = await eventIdOf(db, SLUG);
  await ensureCheckinLists(db, eventId);
  wholeList = (
    await db
      .selectFrom("checkin_lists")
      .select("id")
      .where("event_id", "=", eventId)
      .where("session_id", "is", null)
      .executeTakeFirstOrThrow()
  ).id;
  const rows = await db
    .selectFrom("courses")
    .select(["id", "key"])
    .where("event_id", "=", eventId)
    .execute();
  courses.open = rows.find((r) => r.key === "course-1")!.id;
  courses.scarce = rows.find((r) => r.key === "course-2")!.id;
  await db.updateTable("events").set({ capacity: null }).where("id", "=", eventId).execute();
  await db
    .updateTable("courses")
    .set({ capacity: 100_000 })
    .where("id", "=", courses.open)
    .execute();
  await db
    .updateTable("courses")
    .set({ capacity: SEATS })
    .where("id", "=", courses.scarce)
    .execute();
  const question = await db
    .selectFrom("event_questions")
    .select("id")
    .where("event_id", "=", eventId)
    .where("label", "=", "自治研活動の経験")
    .executeTakeFirstOrThrow();
  form = {
    [`q_${question.id}`]: "単組・職場で取り組んだことがある",
    waitlist: "on",
    ...CONSENT_FIELDS,
  };
}, 240_000);

afterAll(async () => {
  if (skip) return;
  for (const node of nodes) await node.stop().catch(() => {});
  await caddy?.stop();
  await smtp?.close();
  await database?.drop();
});

async function members(n: number): Promise<string[]> {
  return (await signedInMembers(n)).map((m) => m.cookie);
}

async function signedInMembers(n: number): Promise<{ id: string; cookie: string }[]> {
  const out: { id: string; cookie: string }[] = [];
  for (let i = 0; i < n; i++) {
    const m = await createMember(database.db);
    out.push({ id: String(m.id), cookie: await signIn(database.db, m.id) });
  }
  return out;
}

function register(baseUrl: string, cookie: string, course: number) {
  return browserLike(baseUrl, cookie).post(`/events/${SLUG}/register`, {
    ...form,
    course: String(course),
  });
}

/** A POST whose body never arrives in full: a request in flight until the server gives up. */
async function stuckRequest(port: number): Promise<{ closed: Promise<void> }> {
  const socket = net.connect(port, "127.0.0.1");
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
  const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  socket.on("error", () => {});
  socket.resume(); // read what comes, so that 'end' and 'close' are emitted
  socket.write(
    // the staff sign-in reads the whole form before it answers
    `POST /admin/login HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\nemail=a`,
  );
  // The node reads the headers while it still serves (SHUTDOWN_DELAY, 1 s) after SIGTERM.
  return { closed };
}

async function staffLogin(baseUrl: string): Promise<string> {
  const response = await browserLike(baseUrl).post("/admin/login", {
    email: "admin@example.jp",
    password: "jichiken-demo-2026",
  });
  expect(response.status).toBe(302);
  return response.headers.get("set-cookie")?.split(";")[0] ?? "";
}

describe.skipIf(skip)("two app nodes behind Caddy on one PostgreSQL", () => {
  it("migrated the empty database once, both nodes starting together", async () => {
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from kysely_migration
    `.execute(database.db);
    expect(rows[0]?.n).toBeGreaterThan(0);
    const applied = nodes.map((n) => /マイグレーションを (\d+) 件適用/.exec(n.output())?.[1]);
    // one node applied them all, the other found the schema up to date
    expect(applied.filter(Boolean)).toEqual([String(rows[0]?.n)]);
    expect(nodes.filter((n) => n.output().includes("スキーマは最新です"))).toHaveLength(1);
  });

  it("a staff session made on one node works on the other", async () => {
    const [a, b] = nodes as [ProdNode, ProdNode];
    const cookie = await staffLogin(a.url);
    expect(cookie).toMatch(/^sid=/);
    const onB = await browserLike(b.url, cookie).get("/admin");
    expect(onB.status).toBe(200);
    expect(await onB.text()).toContain("ログアウト");
    // and without the cookie, node b sends the visitor to sign in
    expect((await browserLike(b.url).get("/admin")).status).toBe(302);
  });

  it("logs one JSON line per request with a request id, and no personal data", async () => {
    const [a] = nodes as [ProdNode];
    const token = "Zk3v9Qw-TOKEN-abcdefghijklmnopqrstuvwxyz";
    await fetch(`${a.url}/login/verify?token=${token}&email=hanako.sato@example.jp`);
    await fetch(`${a.url}/groups/answer/${token}`, {
      headers: { "X-Request-Id": "req-from-proxy-1" },
    });
    await browserLike(a.url).post("/admin/login", {
      email: "admin@example.jp",
      password: "jichiken-demo-2026",
    });
    const lines = await waitFor(
      () => {
        const found = a
          .output()
          .split("\n")
          .filter((l) => l.startsWith("{") && l.includes('"req"'));
        return found.some((l) => l.includes("/admin/login")) ? found : undefined;
      },
      { what: "the request log lines" },
    );
    for (const line of lines) {
      const entry = JSON.parse(line) as {
        req: { id: string; path: string };
        res: { status: number };
      };
      expect(entry.req.id).toBeTruthy();
      expect(typeof entry.res.status).toBe("number");
    }
    expect(lines.some((l) => l.includes('"id":"req-from-proxy-1"'))).toBe(true);
    const text = lines.join("\n");
    expect(text).not.toContain(token);
    expect(text).not.toContain("@example.jp");
    expect(text).not.toContain("jichiken-demo");
    expect(text).not.toContain("sid=");
  });

  it(`${ATTEMPTS} registrations through the proxy for ${SEATS} seats: exactly ${SEATS} confirmed, the rest waitlisted, nothing but the ticket or "busy, try again"`, async () => {
    const people = await signedInMembers(ATTEMPTS);
    const started = Date.now();
    const answers = await Promise.all(
      people.map((m) => register(caddy.url, m.cookie, courses.scarce)),
    );
    console.log(`several nodes: ${ATTEMPTS} registrations answered in ${Date.now() - started} ms`);
    // Each answer is the redirect to the ticket or, on a machine too loaded
    // for it, a designed 503 that asks to try again (Retry-After): "busy" when
    // the 分科会's row was not had within lock_timeout, "unavailable" when no
    // pooled connection came within DB_ACQUIRE_TIMEOUT_MS (seen in CI: the 32
    // took 12.9 s). Such an answer must have written nothing. Anything else is
    // shown.
    const busy: { id: string; cookie: string }[] = [];
    const refused: string[] = [];
    for (const [i, r] of answers.entries()) {
      if (r.status === 302) continue;
      const text = await r.text();
      if (r.status === 503 && r.headers.has("retry-after")) {
        busy.push(people[i]!);
      } else refused.push(`${r.status} ${text.slice(0, 300)}`);
    }
    expect(refused).toEqual([]);
    if (busy.length > 0) {
      console.log(`several nodes: ${busy.length} answered 503 under load; trying them again`);
      const written = await database.db
        .selectFrom("registrations")
        .select("person_id")
        .where("event_id", "=", eventId)
        .where(
          "person_id",
          "in",
          busy.map((m) => m.id),
        )
        .execute();
      expect(written).toEqual([]);
      // one after another, as members who read the page and try again
      for (const m of busy) {
        expect((await register(caddy.url, m.cookie, courses.scarce)).status).toBe(302);
      }
    }
    const rows = await database.db
      .selectFrom("registrations")
      .select("status")
      .select((eb) => eb.fn.countAll<string>().as("n"))
      .where("course_id", "=", courses.scarce)
      .groupBy("status")
      .execute();
    const by = Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
    console.log(`several nodes: ${ATTEMPTS} attempts for ${SEATS} seats →`, by);
    expect(by.confirmed).toBe(SEATS);
    expect(by.waitlisted).toBe(ATTEMPTS - SEATS);
    const course = await database.db
      .selectFrom("courses")
      .select("taken")
      .where("id", "=", courses.scarce)
      .executeTakeFirstOrThrow();
    expect(course.taken).toBe(SEATS);
  });

  it("the event page is never more than its one second stale on any node", async () => {
    const page = `/events/${SLUG}`;
    // Warm both nodes' caches: the second request is a hit.
    for (const node of nodes) {
      await fetch(node.url + page);
      const hit = await fetch(node.url + page);
      expect(hit.headers.get("x-cache")).toBe("hit");
    }
    const before = await database.db
      .selectFrom("courses")
      .select(["capacity", "taken"])
      .where("id", "=", courses.open)
      .executeTakeFirstOrThrow();
    const left = (before.capacity ?? 0) - before.taken;
    const [cookie] = await members(1);
    const answer = await register(nodes[0]!.url, cookie!, courses.open);
    expect(answer.status).toBe(302);
    const changedAt = Date.now();
    // Ask every node for 2 s; a request sent 1.5 s after the change (one
    // second of cache, plus a render that was in flight) must see it.
    const stale: string[] = [];
    const seen = nodes.map(() => false);
    while (Date.now() - changedAt < 2_000) {
      for (const [i, node] of nodes.entries()) {
        const sentAt = Date.now() - changedAt;
        const html = await (await fetch(node.url + page)).text();
        const fresh = html.includes(`残り${left - 1}席`);
        if (fresh) seen[i] = true;
        else if (sentAt > 1_500) stale.push(`node ${i} at +${sentAt} ms`);
        else expect(html).toContain(`残り${left}席`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(stale).toEqual([]);
    expect(seen).toEqual([true, true]);
  });

  it("a check-in on one node shows in the desk counters and the offline roster of the other", async () => {
    const [a, b] = nodes as [ProdNode, ProdNode];
    const cookie = await staffLogin(a.url);
    const [member] = await members(1);
    expect((await register(caddy.url, member!, courses.open)).status).toBe(302);
    const ticket = await database.db
      .selectFrom("registrations")
      .select(["id", "ticket_secret"])
      .where("event_id", "=", eventId)
      .orderBy("id", "desc")
      .executeTakeFirstOrThrow();
    const call = (node: ProdNode, path: string, body?: unknown) =>
      fetch(node.url + path, {
        method: body ? "POST" : "GET",
        headers: {
          Cookie: cookie,
          Origin: node.url,
          "Content-Type": "application/json",
          Accept: "application/json",
        },
        body: body ? JSON.stringify(body) : undefined,
      });
    const counts = async (node: ProdNode) =>
      (
        (await (await call(node, `/checkin/${SLUG}/counts`)).json()) as {
          lists: { id: number; checkedIn: number; expected: number }[];
        }
      ).lists.find((l) => l.id === wholeList);
    const beforeA = await counts(a);
    expect(await counts(b)).toEqual(beforeA);

    const scan = await call(a, `/checkin/${SLUG}/scan`, {
      list: wholeList,
      ticket: ticket.ticket_secret,
      desk: "受付A",
    });
    expect(scan.status).toBe(200);
    expect(((await scan.json()) as { result: { code: string } }).result.code).toBe("ok");

    const afterA = await counts(a);
    const afterB = await counts(b);
    expect(afterA?.checkedIn).toBe((beforeA?.checkedIn ?? 0) + 1);
    expect(afterB).toEqual(afterA);

    const roster = (await (await call(b, `/checkin/${SLUG}/roster`)).json()) as {
      entries: { id: string; checkins: Record<string, { desk: string }> }[];
    };
    const entry = roster.entries.find((e) => e.id === String(ticket.id));
    expect(entry?.checkins[String(wholeList)]?.desk).toBe("受付A");
  });

  it("a rolling restart of both nodes under steady registration load loses no request, each node exits 0, and every email goes out exactly once", async () => {
    // The load lasts until the restarts are done, however long they take: each
    // client signs in a new member for each registration. (A fixed list of 700
    // ran out on a quiet machine once registrations got faster, and the
    // restarted node then never saw a request.)
    let sent = 0;
    const failures: string[] = [];
    let running = true;
    // Four clients, each registering one member after another through Caddy.
    const client = async () => {
      while (running) {
        const [cookie] = await members(1);
        sent++;
        try {
          const r = await register(caddy.url, cookie!, courses.open);
          const location = r.headers.get("location") ?? "";
          if (r.status !== 302 || !location.startsWith("/me?registered="))
            failures.push(`${r.status} ${(await r.text()).slice(0, 200)}`);
        } catch (error) {
          failures.push(String(error));
        }
        await new Promise((r) => setTimeout(r, 30));
      }
    };
    const clients = [client(), client(), client(), client()];
    const restarts: string[] = [];
    try {
      await waitFor(() => sent > 20, { timeoutMs: 30_000, what: "the load to start" });
      for (const [i, old] of nodes.entries()) {
        const startedAt = Date.now();
        // On the first node, a request that never finishes sending its body: the
        // node waits SHUTDOWN_TIMEOUT (5 s here) for it, then closes it and exits 0.
        const stuck = i === 0 ? await stuckRequest(old.port) : undefined;
        const code = await old.stop();
        expect(code, old.output()).toBe(0);
        expect(old.output()).toContain("停止しました。");
        if (stuck) {
          await stuck.closed;
          expect(old.output()).toContain("5 秒たっても終わらない接続を閉じます");
        }
        const fresh = await spawnProdNode({ port: old.port, env: nodeEnv });
        nodes[i] = fresh;
        await waitFor(() => fetch(`${fresh.url}/healthz`).then((r) => r.ok), {
          timeoutMs: 30_000,
          what: "the restarted node",
        });
        // and until Caddy's health check has taken it back: it is sent a
        // registration of the load (its request log shows one). Stopping the
        // other node before that left Caddy with no node to send to, and a
        // request was answered 503 on a busy machine.
        await waitFor(() => fresh.output().includes('"method":"POST"'), {
          timeoutMs: 30_000,
          what: "Caddy to send the restarted node a request",
        });
        restarts.push(`node ${i} in ${Date.now() - startedAt} ms`);
      }
      const after = sent;
      await waitFor(() => sent > after + 20, {
        timeoutMs: 30_000,
        what: "load after the restarts",
      });
    } finally {
      running = false;
      await Promise.all(clients);
    }
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from registrations where event_id = ${eventId}
    `.execute(database.db);
    console.log(
      `rolling restart (${restarts.join(", ")}): ${sent} registrations sent, ${failures.length} lost; ${rows[0]?.n} registrations in the event`,
    );
    // A lost request says who answered it: Caddy's own log (a 503 with no body
    // is Caddy's "no upstream available", seen once in CI) or the nodes'.
    if (failures.length > 0) {
      console.log(`Caddy's log:\n${caddy.output().slice(-4000)}`);
      for (const [i, node] of nodes.entries()) {
        console.log(`node ${i}'s log:\n${node.output().slice(-2000)}`);
      }
    }
    expect(failures).toEqual([]);
    expect(sent).toBeGreaterThan(40);

    // Every email of this file (confirmations and waitlist notices) goes out, once each.
    const emails = await waitFor(
      async () => {
        const all = await database.db
          .selectFrom("outbound_emails")
          .select(["id", "sent_at"])
          .execute();
        return all.every((e) => e.sent_at) && smtp.received.length >= all.length ? all : undefined;
      },
      { timeoutMs: 90_000, what: "every email to be sent" },
    );
    const ids = smtp.received.map((m) => m.messageId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(emails.length);
    console.log(`several nodes: ${emails.length} emails, each sent once`);
  }, 300_000);
});
