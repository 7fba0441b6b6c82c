import http from "node:http";
import net, { type AddressInfo } from "node:net";
import iconv from "iconv-lite";
import { sql } from "kysely";
import { deliverWebhook } from "../../app/domain/webhooks.server";
import { listReportEvents } from "../../app/domain/reports.server";
import { createApp, loadBuild } from "../../app/server";
import { safeRedirect } from "../../app/utils/redirect";
import { loadDemoData } from "../../db/seed/load";
import { startTestApp } from "../support/app";
import { createTestDatabase } from "../support/db";
import { browserLike, createMember, seminarForm, signIn, signInAs } from "../support/factories";

/**
 * Issue 13: what an outside review broke, each attack shown failing and the
 * legitimate use shown working, over HTTP against the built app. The offline
 * sync's clamp is in checkin.test.ts ("an offline scan is dated no earlier
 * than the desk's roster…"), the hostile-input forms in the bad-input corpus.
 */

let database: Awaited<ReturnType<typeof createTestDatabase>>;
/** TRUST_PROXY unset: X-Forwarded-For means nothing */
let direct: Awaited<ReturnType<typeof startTestApp>>;
/** TRUST_PROXY=1: one proxy in front, whose X-Forwarded-For names the client */
let proxied: Awaited<ReturnType<typeof startTestApp>>;
const PASSWORD = "jichiken-demo-2026";

beforeAll(async () => {
  database = await createTestDatabase();
  await loadDemoData(database.db);
  direct = await startTestApp(database.db);
  proxied = await startTestApp(database.db, { trustProxy: 1 });
}, 120_000);
afterAll(async () => {
  await direct?.close();
  await proxied?.close();
  await database?.drop();
});

const count = async (
  table: "webhooks" | "registrations" | "api_tokens" | "reports" | "login_tokens",
) =>
  (
    await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(
      database.db,
    )
  ).rows[0]!.n;

function post(url: string, fields: Record<string, string>, headers: Record<string, string> = {}) {
  return fetch(url, {
    method: "POST",
    headers: {
      Origin: new URL(url).origin,
      "Content-Type": "application/x-www-form-urlencoded",
      ...headers,
    },
    body: new URLSearchParams(fields),
    redirect: "manual",
  });
}

const HOSTILE_NEXT = [
  "/\\evil.example/phish",
  "/%5Cevil.example/phish",
  "/%5cevil.example",
  "//evil.example/phish",
  "/\t/evil.example",
  "https://evil.example/",
  "https:evil.example",
  "javascript:alert(1)",
  "/%2F/evil.example",
];

describe("1. one safeRedirect for every next and redirectTo", () => {
  it("keeps a path on this site and refuses every way out of it", () => {
    for (const next of HOSTILE_NEXT) expect(safeRedirect(next, "/me")).toBe("/me");
    expect(safeRedirect("/groups/3?answered=5#meeting-5")).toBe("/groups/3?answered=5#meeting-5");
    expect(safeRedirect("/admin/events/12/attendees", "/admin")).toBe("/admin/events/12/attendees");
  });

  it("staff sign-in never sends the browser off-site, and still goes back to the page asked for", async () => {
    for (const next of HOSTILE_NEXT) {
      const answer = await post(`${direct.url}/admin/login?next=${encodeURIComponent(next)}`, {
        email: "organiser@example.jp",
        password: PASSWORD,
      });
      expect(answer.status, next).toBe(302);
      expect(answer.headers.get("location"), next).toBe("/admin");
    }
    const ok = await post(`${direct.url}/admin/login?next=${encodeURIComponent("/admin/api")}`, {
      email: "organiser@example.jp",
      password: PASSWORD,
    });
    expect(ok.headers.get("location")).toBe("/admin/api");
  });

  it("a member's sign-in link never carries an off-site next", async () => {
    for (const [i, next] of [...HOSTILE_NEXT, "/events/kenshukai-20"].entries()) {
      const email = `redirect${i}@example.jp`;
      const answer = await post(
        `${proxied.url}/login`,
        { email, next },
        { "X-Forwarded-For": `203.0.113.${i + 1}` },
      );
      expect(answer.status).toBe(200);
      const row = await database.db
        .selectFrom("login_tokens")
        .select("next_path")
        .where("email", "=", email)
        .executeTakeFirstOrThrow();
      expect(row.next_path).toBe(next.startsWith("/events") ? next : "/me");
    }
  });
});

describe("2. rate limits keyed on the client's address (TRUST_PROXY) and the account", () => {
  it("a forged X-Forwarded-For does not buy more sign-in links: the 31st from one host is a 429 with Retry-After", async () => {
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < 31; i++) {
      last = await post(
        `${direct.url}/login`,
        { email: `flood${i}@example.jp` },
        { "X-Forwarded-For": `10.9.${i}.1` },
      );
      statuses.push(last.status);
    }
    expect(statuses.slice(0, 30).every((s) => s === 200)).toBe(true);
    expect(last!.status).toBe(429);
    expect(Number(last!.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await last!.text()).toMatch(/短時間に多くの操作がありました。約\d+分待ってから/);
    expect(await count("login_tokens")).toBeGreaterThanOrEqual(30);
    // Behind a proxy (TRUST_PROXY=1), another client is not held up by that host.
    const other = await post(
      `${proxied.url}/login`,
      { email: "someone.else@example.jp" },
      { "X-Forwarded-For": "198.51.100.20" },
    );
    expect(other.status).toBe(200);
  });

  it("wrong passwords slow the guessing address down, 429 + Retry-After, while the owner signs in from elsewhere", async () => {
    const attacker = { "X-Forwarded-For": "198.51.100.66" };
    const answers: Response[] = [];
    for (let i = 0; i < 7; i++) {
      answers.push(
        await post(
          `${proxied.url}/admin/login`,
          { email: "secretary@example.jp", password: `guess-${i}` },
          attacker,
        ),
      );
    }
    expect(answers.slice(0, 5).map((a) => a.status)).toEqual([401, 401, 401, 401, 401]);
    expect(await answers[0]!.text()).toContain("メールアドレスまたはパスワードが正しくありません");
    const refused = answers.at(-1)!;
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await refused.text()).toContain("短時間に多くの操作がありました");
    // Even the right password from the attacking address waits.
    expect(
      (
        await post(
          `${proxied.url}/admin/login`,
          { email: "secretary@example.jp", password: PASSWORD },
          attacker,
        )
      ).status,
    ).toBe(429);
    // The owner, from their own address, is not locked out.
    const owner = await post(
      `${proxied.url}/admin/login`,
      { email: "secretary@example.jp", password: PASSWORD },
      { "X-Forwarded-For": "198.51.100.77" },
    );
    expect(owner.status).toBe(302);
    expect(owner.headers.get("set-cookie")).toMatch(/^sid=/);
  });
});

describe("3. webhooks only to public addresses", () => {
  it("refuses loopback, private, link-local, CGNAT and metadata targets when saved, and saves a public one", async () => {
    const organiser = browserLike(direct.url, await signInAs(database.db, "organiser@example.jp"));
    const before = await count("webhooks");
    for (const url of [
      "http://127.0.0.1:8080/hook",
      "http://localhost/hook",
      "http://169.254.169.254/latest/meta-data/",
      "http://10.0.0.5/hook",
      "http://192.168.1.10/hook",
      "http://100.64.0.1/hook",
      "http://[::1]/hook",
      "http://[fd00::1]/hook",
      "http://[::ffff:127.0.0.1]/hook",
      "http://0.0.0.0/hook",
    ]) {
      const answer = await organiser.post("/admin/api", {
        intent: "webhook",
        url,
        topics: "registration.created",
      });
      expect(answer.status, url).toBe(422);
      expect(await answer.text(), url).toContain("内部のアドレス");
    }
    expect(await count("webhooks")).toBe(before);
    const ok = await organiser.post("/admin/api", {
      intent: "webhook",
      url: "http://93.184.216.34/hook",
      topics: "registration.created",
    });
    expect(ok.status).toBe(200);
    expect(await count("webhooks")).toBe(before + 1);
  });

  it("refuses at delivery a URL that now points inside, and follows no redirect; WEBHOOK_ALLOW_PRIVATE=1 allows a local one", async () => {
    const hits: string[] = [];
    const server = http.createServer((req, res) => {
      hits.push(req.url ?? "");
      if (req.url === "/moved") res.writeHead(302, { Location: "/inside" }).end();
      else res.writeHead(204).end();
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const person = await database.db
        .selectFrom("people")
        .select("id")
        .where("email", "=", "organiser@example.jp")
        .executeTakeFirstOrThrow();
      const hook = async (url: string) =>
        (
          await database.db
            .insertInto("webhooks")
            .values({ created_by: person.id, url, secret: "s", topics: ["registration.created"] })
            .returning("id")
            .executeTakeFirstOrThrow()
        ).id;
      const body = JSON.stringify({
        type: "registration.created",
        eventId: 1,
        createdAt: "",
        data: {},
      });
      // Saved when it was public (here: written straight in), now loopback: not sent, not retried.
      await deliverWebhook(database.db, { webhookId: await hook(`${base}/hook`), body });
      await deliverWebhook(database.db, {
        webhookId: await hook(`http://localhost:${new URL(base).port}/hook`),
        body,
      });
      expect(hits).toEqual([]);
      // A redirect is a failure (retried later), never followed.
      await expect(
        deliverWebhook(
          database.db,
          { webhookId: await hook(`${base}/moved`), body },
          { allowPrivate: true },
        ),
      ).rejects.toThrow(/HTTP 302/);
      expect(hits).toEqual(["/moved"]);
      // Development: allowed on purpose.
      await deliverWebhook(
        database.db,
        { webhookId: await hook(`${base}/hook`), body },
        { allowPrivate: true },
      );
      expect(hits).toEqual(["/moved", "/hook"]);
    } finally {
      server.close();
    }
  });
});

describe("4. a secretary learns nothing of other unions' members", () => {
  it("the proxy form answers the same for another union's member and for an unknown address, and registers neither outsider", async () => {
    const { db } = database;
    const outsider = await createMember(db, { union: "koriyama-shi", familyName: "他組合" });
    const secretary = browserLike(direct.url, await signInAs(db, "secretary@example.jp"));
    const { eventId, form } = await seminarForm(db, { slug: "online-seminar-next" });
    const fukushima = await db
      .selectFrom("organisations")
      .select("id")
      .where("code", "=", "fukushima-shi")
      .executeTakeFirstOrThrow();
    const fields = (email: string) => ({
      family_name: "代理",
      given_name: "一郎",
      family_name_kana: "ダイリ",
      given_name_kana: "イチロウ",
      organisation_id: String(fukushima.id),
      workplace: "福島市役所",
      phone: "024-000-0001",
      course: form.course!,
      email,
      // The secretary attests the colleague's consent (issue 17).
      consent_attested: "on",
    });
    const path = `/admin/events/${eventId}/attendees/new`;
    const known = await secretary.post(path, fields(outsider.email));
    const unknown = await secretary.post(path, fields("nobody.yet@example.jp"));
    expect(known.status).toBe(unknown.status);
    const message = (html: string) => html.match(/role="status">([^<]*)</)?.[1];
    const [a, b] = [message(await known.text()), message(await unknown.text())];
    expect(a).toBe(
      "代理 一郎さんの代理申込を受け付けました。申込の結果は、ご本人にメールでお知らせします。",
    );
    expect(b).toBe(a);
    // The outsider is not registered, and is told by email; the new colleague is registered.
    const registered = (email: string) =>
      db
        .selectFrom("registrations")
        .innerJoin("people", "people.id", "registrations.person_id")
        .select("registrations.id")
        .where("people.email", "=", email)
        .where("registrations.event_id", "=", eventId)
        .executeTakeFirst();
    expect(await registered(outsider.email)).toBeUndefined();
    expect(await registered("nobody.yet@example.jp")).toBeDefined();
    const mail = await db
      .selectFrom("outbound_emails")
      .select("subject")
      .where("to_address", "=", outsider.email)
      .execute();
    expect(mail.map((m) => m.subject).join()).toContain("代理申込についてのお知らせ");
  });

  it("the CSV preview says nothing about an outsider's registration", async () => {
    const { db } = database;
    const { eventId, form } = await seminarForm(db, { slug: "online-seminar-next" });
    const outsider = await createMember(db, { union: "koriyama-shi", familyName: "登録済" });
    const own = browserLike(direct.url, await signIn(db, outsider.id));
    expect((await own.post("/events/online-seminar-next/register", form)).status).toBe(302);
    const header = "姓,名,セイ,メイ,メールアドレス,単組,職場,電話番号,コース";
    const course = await db
      .selectFrom("courses")
      .select("code")
      .where("id", "=", Number(form.course))
      .executeTakeFirstOrThrow();
    const row = (email: string) =>
      `取込,花子,トリコミ,ハナコ,${email},福島市職員労働組合,福島市役所,024-111-1111,${course.code}`;
    const preview = async (email: string) => {
      const body = new FormData();
      body.set("intent", "preview");
      body.set(
        "file",
        new File([`${header}\r\n${row(email)}\r\n`], "list.csv", { type: "text/csv" }),
      );
      const response = await fetch(`${direct.url}/admin/events/${eventId}/attendees/import`, {
        method: "POST",
        body,
        headers: { Cookie: await signInAs(db, "secretary@example.jp"), Origin: direct.url },
      });
      const html = await response.text();
      // The result table and messages, with what differs by design (the address, the per-request nonce) taken out.
      return (html.match(/<main[\s\S]*<\/main>/)?.[0] ?? html)
        .replaceAll(email, "EMAIL")
        .replace(/name="content" value="[^"]*"/, "")
        .replace(/nonce="[^"]*"/g, "");
    };
    const known = await preview(outsider.email);
    expect(known).not.toContain("既に申込済み");
    expect(known).toBe(await preview("never.seen@example.jp"));
  });
});

describe("5. the dev mailbox", () => {
  it("is served to this machine, explained, and to no other address unless DEV_MAILBOX=open", async () => {
    const local = await fetch(`${direct.url}/dev/mail`);
    expect(local.status).toBe(200);
    expect(await local.text()).toContain("サーバーと同じ機械(127.0.0.1 / ::1)からだけ表示できます");
    // A forged header does not make a request local.
    expect(
      (await fetch(`${proxied.url}/dev/mail.json`, { headers: { "X-Forwarded-For": "127.0.0.1" } }))
        .status,
    ).toBe(200);
    const build = await loadBuild();
    for (const [mode, status] of [
      ["loopback", 404],
      ["open", 200],
    ] as const) {
      const app = createApp({
        db: database.db,
        build,
        appUrl: "http://localhost",
        devMail: true,
        devMailbox: mode,
        trustProxy: 1,
      });
      const server = app.listen(0, "0.0.0.0");
      await new Promise((r) => server.once("listening", r));
      const { port } = server.address() as AddressInfo;
      try {
        const outside = (await import("node:os")).networkInterfaces();
        const address = Object.values(outside)
          .flat()
          .find((a) => a && a.family === "IPv4" && !a.internal)?.address;
        if (!address) continue;
        for (const path of ["/dev/mail", "/dev/mail.json"]) {
          const answer = await fetch(`http://${address}:${port}${path}`, {
            headers: { "X-Forwarded-For": "127.0.0.1" },
          });
          expect(answer.status, `${mode} ${path}`).toBe(status);
        }
      } finally {
        await new Promise((r) => server.close(r));
      }
    }
  });
});

describe("6. body limits before parsing", () => {
  it("a large form is refused 413 in Japanese, by its length or as it arrives, and changes nothing", async () => {
    const before = await count("login_tokens");
    const big = `email=${"a".repeat(2 * 1024 * 1024)}%40example.jp`;
    const declared = await fetch(`${direct.url}/login`, {
      method: "POST",
      headers: { Origin: direct.url, "Content-Type": "application/x-www-form-urlencoded" },
      body: big,
    });
    expect(declared.status).toBe(413);
    expect(await declared.text()).toContain("送信された内容が大きすぎます");
    const chunked = await fetch(`${direct.url}/login`, {
      method: "POST",
      headers: { Origin: direct.url, "Content-Type": "application/x-www-form-urlencoded" },
      body: new Response(big).body,
      duplex: "half",
    } as RequestInit);
    expect(chunked.status).toBe(413);
    expect(await chunked.text()).toContain("送信された内容が大きすぎます");
    const json = await fetch(`${direct.url}/api/v1/checkins`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: "Bearer jk_whatever-token" },
      body: JSON.stringify({ pad: "x".repeat(1024 * 1024) }),
    });
    expect(json.status).toBe(413);
    expect((await json.json()) as unknown).toMatchObject({ error: { code: "body_too_large" } });
    expect(await count("login_tokens")).toBe(before);
    // The legitimate use, on the same server.
    expect(
      (
        await post(
          `${proxied.url}/login`,
          { email: "small@example.jp" },
          { "X-Forwarded-For": "203.0.113.200" },
        )
      ).status,
    ).toBe(200);
  });

  it("a refused form echoes no more of a value than its field takes", async () => {
    const long = `${"a".repeat(100_000)}@example.jp`;
    const answer = await post(
      `${proxied.url}/login`,
      { email: long },
      { "X-Forwarded-For": "203.0.113.201" },
    );
    expect(answer.status).toBe(422);
    const html = await answer.text();
    expect(html).toContain("メールアドレスが長すぎます");
    expect(html).not.toContain("a".repeat(255));
    expect(html.length).toBeLessThan(60_000);
  });
});

describe("7. security headers from one place", () => {
  it("a page carries a nonce CSP (no unsafe-inline scripts, no framing), nosniff and same-origin referrers; its scripts carry the nonce", async () => {
    for (const path of ["/", "/events/kenshukai-20", "/events/kenshukai-20", "/login"]) {
      const answer = await fetch(direct.url + path);
      const csp = answer.headers.get("content-security-policy") ?? "";
      const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
      expect(nonce, path).toBeTruthy();
      const scriptSrc = csp.split(";").find((d) => d.trim().startsWith("script-src")) ?? "";
      expect(scriptSrc).not.toContain("unsafe-inline");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(answer.headers.get("x-content-type-options")).toBe("nosniff");
      expect(answer.headers.get("referrer-policy")).toBe("same-origin");
      const html = await answer.text();
      const inline = [...html.matchAll(/<script(?![^>]*\bsrc=)([^>]*)>/g)];
      expect(inline.length, path).toBeGreaterThan(0);
      for (const tag of inline) expect(tag[1], path).toContain(`nonce="${nonce}"`);
    }
    // Static files and the JSON API get them too.
    expect(
      (await fetch(`${direct.url}/manifest.webmanifest`)).headers.get("x-content-type-options"),
    ).toBe("nosniff");
  });

  it("signed-in pages and JSON are never stored: Cache-Control private, no-store; a public page keeps its own", async () => {
    const member = await createMember(database.db);
    const me = await browserLike(direct.url, await signIn(database.db, member.id)).get("/me");
    expect(me.status).toBe(200);
    expect(me.headers.get("cache-control")).toBe("private, no-store");
    const json = await fetch(`${direct.url}/api/v1/events`);
    expect(json.headers.get("cache-control")).toContain("no-store");
    const publicPage = await fetch(`${direct.url}/events/kenshukai-20`);
    expect(publicPage.headers.get("cache-control")).toContain("public");
    // The same for everyone: a visitor's session cookie does not make it private.
    const signedInPublic = await browserLike(direct.url, await signIn(database.db, member.id)).get(
      "/events/kenshukai-20",
    );
    expect(signedInPublic.headers.get("cache-control")).toContain("public");
  });
});

describe("8. the session cookie", () => {
  it("is Secure when APP_URL is https, and works as before on plain http", async () => {
    const https = await startTestApp(database.db, { appUrl: "https://events.example.jp" });
    try {
      const answer = await post(`${https.url}/admin/login`, {
        email: "admin@example.jp",
        password: PASSWORD,
      });
      expect(answer.status).toBe(302);
      expect(answer.headers.get("set-cookie")).toMatch(/^sid=.*; Secure/i);
      expect(answer.headers.get("strict-transport-security")).toContain("max-age=");
    } finally {
      await https.close();
    }
    const plain = await post(`${direct.url}/admin/login`, {
      email: "admin@example.jp",
      password: PASSWORD,
    });
    expect(plain.headers.get("set-cookie")).not.toMatch(/Secure/i);
  });
});

describe("10. CSV import: bytes that are not the chosen encoding", () => {
  it("refuses the file naming the row and the column, and reads a clean Shift_JIS file", async () => {
    const { db } = database;
    const { eventId } = await seminarForm(db, { slug: "online-seminar-next" });
    const header = "姓,名,セイ,メイ,メールアドレス,単組,職場,電話番号,コース";
    const good =
      "取込,花子,トリコミ,ハナコ,sjis@example.jp,福島市職員労働組合,福島市役所,024-111-1111,コース①";
    const clean = iconv.encode(`${header}\r\n${good}\r\n`, "cp932");
    // Row 3: the 職場 column holds 0x81 0x20, which is no Shift_JIS character.
    const broken = Buffer.concat([
      iconv.encode(
        `${header}\r\n${good}\r\n取込,次郎,トリコミ,ジロウ,sjis2@example.jp,福島市職員労働組合,`,
        "cp932",
      ),
      Buffer.from([0x81, 0x20]),
      iconv.encode(",024-111-1111,コース①\r\n", "cp932"),
    ]);
    const send = async (bytes: Buffer, encoding: string) => {
      const body = new FormData();
      body.set("intent", "preview");
      body.set("encoding", encoding);
      body.set("file", new File([new Uint8Array(bytes)], "list.csv", { type: "text/csv" }));
      const response = await fetch(`${direct.url}/admin/events/${eventId}/attendees/import`, {
        method: "POST",
        body,
        headers: { Cookie: await signInAs(db, "admin@example.jp"), Origin: direct.url },
      });
      return response.text();
    };
    const before = await count("registrations");
    for (const encoding of ["shift_jis", "auto"]) {
      const html = await send(broken, encoding);
      expect(html, encoding).toContain("3行目の「職場」の列に");
      expect(html, encoding).toContain("読めない文字があります");
      expect(html, encoding).not.toMatch(/\d+名を登録する/);
    }
    expect(await send(clean, "shift_jis")).toContain("1名を登録する");
    expect(await count("registrations")).toBe(before);
  });
});

describe("11. the smaller items", () => {
  it("revoking another person's API token is refused truthfully, and leaves it working", async () => {
    const token = async (email: string) => {
      const html = await (
        await browserLike(direct.url, await signInAs(database.db, email)).post("/admin/api", {
          intent: "token",
          name: "mine",
        })
      ).text();
      return html.match(/jk_[A-Za-z0-9_-]{43}/)?.[0] ?? "";
    };
    const theirs = await token("admin@example.jp");
    const row = await database.db
      .selectFrom("api_tokens")
      .select("id")
      .orderBy("id", "desc")
      .executeTakeFirstOrThrow();
    const organiser = browserLike(direct.url, await signInAs(database.db, "organiser@example.jp"));
    const refused = await organiser.post("/admin/api", { intent: "revoke", id: String(row.id) });
    expect(refused.status).toBe(404);
    const text = await refused.text();
    expect(text).toContain("このトークンは見つからないか、すでに無効です");
    expect(text).not.toContain("トークンを無効にしました");
    expect(
      (
        await fetch(`${direct.url}/api/v1/events`, {
          headers: { Authorization: `Bearer ${theirs}` },
        })
      ).status,
    ).toBe(200);
    // Their own: revoked.
    const mine = await token("organiser@example.jp");
    const own = await database.db
      .selectFrom("api_tokens")
      .select("id")
      .orderBy("id", "desc")
      .executeTakeFirstOrThrow();
    expect(
      await (await organiser.post("/admin/api", { intent: "revoke", id: String(own.id) })).text(),
    ).toContain("トークンを無効にしました");
    expect(
      (await fetch(`${direct.url}/api/v1/events`, { headers: { Authorization: `Bearer ${mine}` } }))
        .status,
    ).toBe(401);
  });

  it("GET /api/v1/checkins answers in the API's error format", async () => {
    const answer = await fetch(`${direct.url}/api/v1/checkins`);
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.status).toBeLessThan(500);
    const body = (await answer.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("method_not_allowed");
    expect(body.error.message).toMatch(/メソッド/);
  });

  it("a member files a report under their own union only", async () => {
    const { db } = database;
    const [event] = await listReportEvents(db);
    expect(event).toBeDefined();
    const member = await createMember(db, { union: "fukushima-shi" });
    const unions = await db
      .selectFrom("organisations")
      .select(["id", "code"])
      .where("code", "in", ["fukushima-shi", "koriyama-shi"])
      .execute();
    const union = (code: string) => String(unions.find((u) => u.code === code)!.id);
    const cookie = await signIn(db, member.id);
    const submit = (organisationId: string) => {
      const body = new FormData();
      body.set("event", String(event!.id));
      body.set("title", "地域の自治研");
      body.set("authors", "福島 花子");
      body.set("organisation_id", organisationId);
      body.set("file", new File(["%PDF-1.4\n%%EOF\n"], "report.pdf", { type: "application/pdf" }));
      return fetch(`${direct.url}/reports/new`, {
        method: "POST",
        body,
        headers: { Cookie: cookie, Origin: direct.url },
        redirect: "manual",
      });
    };
    const before = await count("reports");
    const foreign = await submit(union("koriyama-shi"));
    expect(await foreign.text()).toContain("ご自身の所属単組の名義でのみ提出できます");
    expect(await count("reports")).toBe(before);
    const own = await submit(union("fukushima-shi"));
    expect(own.status).toBe(302);
    expect(await count("reports")).toBe(before + 1);
  });

  it("ids are plain decimal digits: /admin/events/0x0c is a 404 where /admin/events/12 is the event", async () => {
    const { db } = database;
    const admin = browserLike(direct.url, await signInAs(db, "admin@example.jp"));
    const { eventId } = await seminarForm(db, { slug: "online-seminar-next" });
    expect((await admin.get(`/admin/events/${eventId}`)).status).toBe(200);
    for (const id of [
      `0x${eventId.toString(16)}`,
      `${eventId}.0`,
      `0${eventId}`,
      `${eventId}e0`,
      `+${eventId}`,
    ]) {
      expect((await admin.get(`/admin/events/${id}`)).status, id).toBe(404);
    }
    const token = (
      await (await admin.post("/admin/api", { intent: "token", name: "ids" })).text()
    ).match(/jk_[A-Za-z0-9_-]{43}/)?.[0];
    const api = await fetch(`${direct.url}/api/v1/events/0x${eventId.toString(16)}/registrations`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(api.status).toBe(404);
  });

  it("a Host that cannot be a URL's host is a 400 in Japanese on every route, logged as no error; behind a proxy, so is such an X-Forwarded-Host", async () => {
    /** One request as raw bytes: fetch and node:http would refuse to send such a Host. */
    const raw = (url: string, head: string, body = "") =>
      new Promise<string>((resolve, reject) => {
        const { port } = new URL(url);
        const socket = net.connect(Number(port), "127.0.0.1");
        let answer = "";
        socket.on("connect", () => socket.write(`${head}\r\nConnection: close\r\n\r\n${body}`));
        socket.on("data", (chunk: Buffer) => {
          answer += chunk.toString("utf8");
        });
        socket.on("close", () => resolve(answer));
        socket.on("error", reject);
      });
    const errors: unknown[] = [];
    const spy = vi.spyOn(console, "error").mockImplementation((...args) => {
      errors.push(args);
    });
    try {
      for (const head of [
        "GET / HTTP/1.1\r\nHost: a b",
        "GET /healthz HTTP/1.1\r\nHost: a b",
        "GET /events/kenshukai-20 HTTP/1.1\r\nHost: a<b",
        "POST /checkin/kenshukai-20/scan HTTP/1.1\r\nHost: a b\r\nContent-Type: application/json\r\nContent-Length: 2",
      ]) {
        const answer = await raw(direct.url, head, head.startsWith("POST") ? "{}" : "");
        expect(answer.split("\r\n")[0], head).toBe("HTTP/1.1 400 Bad Request");
        expect(answer, head).toContain("入力内容");
      }
      // behind the proxy, the host is the proxy's X-Forwarded-Host
      const forwarded = await raw(
        proxied.url,
        "GET / HTTP/1.1\r\nHost: localhost\r\nX-Forwarded-Host: a b",
      );
      expect(forwarded.split("\r\n")[0]).toBe("HTTP/1.1 400 Bad Request");
      expect(errors).toEqual([]);
    } finally {
      spy.mockRestore();
    }
    // and a request with a good Host is served as before
    expect((await fetch(`${direct.url}/healthz`)).status).toBe(200);
  });
});
