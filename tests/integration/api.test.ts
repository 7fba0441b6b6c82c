import { createHash, createHmac } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { deliverWebhook } from "../../app/domain/webhooks.server";
import { startMailWorker } from "../../app/domain/mailer.server";
import { loadDemoData } from "../../db/seed/load";
import { startTestApp } from "../support/app";
import { createTestDatabase } from "../support/db";
import { browserLike, CONSENT_FIELDS, createMember, signIn } from "../support/factories";

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let app: Awaited<ReturnType<typeof startTestApp>>;
const tokens: Record<string, string> = {};
const ids: Record<string, number> = {};

async function staffClient(role: string) {
  const person = await database.db
    .selectFrom("people")
    .select("id")
    .where("email", "=", `${role}@example.jp`)
    .executeTakeFirstOrThrow();
  return browserLike(app.url, await signIn(database.db, person.id));
}

beforeAll(async () => {
  database = await createTestDatabase();
  await loadDemoData(database.db);
  app = await startTestApp(database.db, { allowPrivateWebhooks: true });
  for (const role of ["admin", "organiser", "secretary", "reception"]) {
    const html = await (
      await (await staffClient(role)).post("/admin/api", { intent: "token", name: `${role} test` })
    ).text();
    tokens[role] = html.match(/jk_[A-Za-z0-9_-]{43}/)?.[0] ?? "";
    expect(tokens[role]).toBeTruthy();
  }
  for (const slug of ["online-seminar-next", "zenkoku-40-shimane", "kenshukai-20"]) {
    ids[slug] = (
      await database.db
        .selectFrom("events")
        .select("id")
        .where("slug", "=", slug)
        .executeTakeFirstOrThrow()
    ).id;
  }
});
afterAll(async () => {
  await app.close();
  await database.drop();
});

const api = (role: string | null, path: string, init: RequestInit = {}) =>
  fetch(app.url + path, {
    ...init,
    headers: {
      ...(role ? { Authorization: `Bearer ${tokens[role]}` } : {}),
      "Content-Type": "application/json",
      ...(init.headers ?? {}),
    },
  });

async function registerMember(union: string, name: string) {
  const member = await createMember(database.db, { union, familyName: name });
  const eventId = ids["online-seminar-next"]!;
  const course = await database.db
    .selectFrom("courses")
    .select("id")
    .where("event_id", "=", eventId)
    .where("key", "=", "course-1")
    .executeTakeFirstOrThrow();
  const q = await database.db
    .selectFrom("event_questions")
    .select("id")
    .where("event_id", "=", eventId)
    .where("label", "=", "自治研活動の経験")
    .executeTakeFirstOrThrow();
  const client = browserLike(app.url, await signIn(database.db, member.id));
  expect(
    (
      await client.post("/events/online-seminar-next/register", {
        course: String(course.id),
        [`q_${q.id}`]: "これまで取り組んだことはない",
        ...CONSENT_FIELDS,
      })
    ).status,
  ).toBe(302);
  return database.db
    .selectFrom("registrations")
    .select(["id", "ticket_secret"])
    .where("person_id", "=", member.id)
    .executeTakeFirstOrThrow();
}

describe("the JSON API", () => {
  it("refuses a missing or wrong token with a Japanese 401", async () => {
    for (const auth of [undefined, "Bearer jk_not-a-real-token-at-all"]) {
      const response = await fetch(`${app.url}/api/v1/events`, {
        headers: auth ? { Authorization: auth } : {},
      });
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({
        error: { code: "unauthorized", message: "APIトークンが正しくないか、無効です。" },
      });
    }
  });

  it("lists only the events the token's owner may see", async () => {
    const organiser = (await (await api("organiser", "/api/v1/events")).json()) as {
      events: { slug: string }[];
    };
    const slugs = organiser.events.map((e) => e.slug);
    expect(slugs).toContain("online-seminar-next");
    expect(slugs).not.toContain("zenkoku-40-shimane");
    const admin = (await (await api("admin", "/api/v1/events")).json()) as {
      events: { slug: string }[];
    };
    expect(admin.events.map((e) => e.slug)).toContain("zenkoku-40-shimane");
    // Each call marks its token as used, for /admin/api's 最終使用.
    const used = await database.db
      .selectFrom("api_tokens")
      .select("last_used_at")
      .where("token_hash", "=", createHash("sha256").update(tokens.admin!).digest("base64url"))
      .executeTakeFirstOrThrow();
    expect(used.last_used_at).not.toBeNull();
  });

  it("applies the same checks as the pages to registrations, including guessed ids", async () => {
    const ours = await registerMember("fukushima-shi", "API自組合");
    const theirs = await registerMember("koriyama-shi", "API他組合");
    const list = (await (
      await api("secretary", `/api/v1/events/${ids["online-seminar-next"]}/registrations`)
    ).json()) as { registrations: { familyName: string }[] };
    expect(list.registrations.map((r) => r.familyName)).toContain("API自組合");
    expect(list.registrations.map((r) => r.familyName)).not.toContain("API他組合");
    expect((await api("secretary", `/api/v1/registrations/${theirs.id}`)).status).toBe(404);
    expect((await api("secretary", `/api/v1/registrations/${ours.id}`)).status).toBe(200);
    expect(
      (await api("organiser", `/api/v1/events/${ids["zenkoku-40-shimane"]}/registrations`)).status,
    ).toBe(404);
    expect(
      (await api("reception", `/api/v1/events/${ids["online-seminar-next"]}/registrations`)).status,
    ).toBe(404);
    expect((await api("organiser", "/api/v1/registrations/99999999")).status).toBe(404);
    const one = (await (await api("organiser", `/api/v1/registrations/${theirs.id}`)).json()) as {
      registration: Record<string, unknown>;
    };
    expect(one.registration.familyName).toBe("API他組合");
    expect(JSON.stringify(one)).not.toContain(theirs.ticket_secret);
  });

  it("checks a ticket in, once, for a desk that works the event", async () => {
    const reg = await registerMember("fukushima-shi", "API受付");
    const body = JSON.stringify({
      eventId: ids["online-seminar-next"],
      ticket: reg.ticket_secret,
      desk: "API",
    });
    expect((await api("reception", "/api/v1/checkins", { method: "POST", body })).status).toBe(404); // reception works kenshukai-20 only
    const first = (await (
      await api("organiser", "/api/v1/checkins", { method: "POST", body })
    ).json()) as { result: { code: string } };
    const second = (await (
      await api("organiser", "/api/v1/checkins", { method: "POST", body })
    ).json()) as { result: { code: string } };
    expect(first.result.code).toBe("ok");
    expect(second.result.code).toBe("already_checked_in");
    const bad = await api("organiser", "/api/v1/checkins", { method: "POST", body: "{not json" });
    expect(bad.status).toBe(400);
  });
});

describe("webhooks", () => {
  it("fire on registration.created, signed with HMAC, through the job queue", async () => {
    const received: { headers: http.IncomingHttpHeaders; body: string }[] = [];
    const server = http.createServer((req, res) => {
      let body = "";
      req.on("data", (c) => {
        body += c;
      });
      req.on("end", () => {
        received.push({ headers: req.headers, body });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    const html = await (
      await (
        await staffClient("organiser")
      ).post("/admin/api", { intent: "webhook", url, topics: ["registration.created"] })
    ).text();
    const secret = html.match(/<code class="token">([A-Za-z0-9_-]+)<\/code>/)?.[1];
    expect(secret).toBeTruthy();

    const reg = await registerMember("aizuwakamatsu-shi", "Webhook");
    const worker = await startMailWorker({
      connectionString: database.url,
      appUrl: app.url,
      pollInterval: 100,
      log: () => {},
      tasks: {
        deliver_webhook: (payload) => deliverWebhook(database.db, payload, { allowPrivate: true }),
      },
    });
    try {
      for (let i = 0; i < 100 && received.length === 0; i++)
        await new Promise((r) => setTimeout(r, 100));
    } finally {
      await worker.stop();
      server.close();
    }
    expect(received).toHaveLength(1);
    const [delivery] = received;
    const expected = createHmac("sha256", secret!).update(delivery!.body).digest("hex");
    expect(delivery!.headers["x-jichiken-signature"]).toBe(`sha256=${expected}`);
    expect(delivery!.headers["x-jichiken-event"]).toBe("registration.created");
    const body = JSON.parse(delivery!.body);
    expect(body).toMatchObject({
      type: "registration.created",
      data: { registrationId: reg.id, status: "confirmed" },
    });
    expect(Object.keys(body.data)).toEqual(["registrationId", "status", "courseId"]);
  });
});

/** zod's own wording, which names no field: a person cannot tell what to fix. */
const GENERIC = /無効な|大きすぎる値|小さすぎる値|認識されていないキー|が期待されました/;

describe("/admin/api forms", () => {
  it("answer every bad field with a Japanese message naming it, and change nothing", async () => {
    const client = await staffClient("organiser");
    const count = async () => ({
      tokens: (await database.db.selectFrom("api_tokens").select("id").execute()).length,
      webhooks: (await database.db.selectFrom("webhooks").select("id").execute()).length,
    });
    const before = await count();
    const topic = "registration.created";
    const cases: [Record<string, string | string[]>, string][] = [
      [{}, "操作の種類が正しくありません"],
      [{ intent: "format_disk" }, "操作の種類が正しくありません"],
      [{ intent: "token" }, "トークンの名前を入力してください"],
      [{ intent: "token", name: "   " }, "トークンの名前を入力してください"],
      [
        { intent: "token", name: "あ".repeat(101) },
        "トークンの名前は100文字以内で入力してください",
      ],
      [{ intent: "token", name: "a\u0000b" }, "トークンの名前に使えない文字が含まれています"],
      [{ intent: "revoke" }, "無効にするAPIトークンが指定されていません"],
      [{ intent: "revoke", id: "abc" }, "無効にするAPIトークンが指定されていません"],
      [{ intent: "revoke", id: "99999999999" }, "無効にするAPIトークンが指定されていません"],
      [{ intent: "webhook", topics: [topic] }, "送信先URLを入力してください"],
      [{ intent: "webhook", url: "", topics: [topic] }, "送信先URLを入力してください"],
      [
        { intent: "webhook", url: `https://example.jp/${"a".repeat(600)}`, topics: [topic] },
        "送信先URLは500文字以内で入力してください",
      ],
      [
        { intent: "webhook", url: "not a url", topics: [topic] },
        "送信先URLの形式が正しくありません",
      ],
      [
        { intent: "webhook", url: "ftp://example.jp/hook", topics: [topic] },
        "送信先URLは http:// または https:// で始まるURLを入力してください",
      ],
      [
        { intent: "webhook", url: "https://example.jp/hook" },
        "通知する出来事を1つ以上選んでください",
      ],
      [
        { intent: "webhook", url: "https://example.jp/hook", topics: ["payment.created"] },
        "通知する出来事は一覧から選んでください",
      ],
      [{ intent: "delete_webhook", id: "-1" }, "削除するWebhookが指定されていません"],
      [{ intent: "delete_webhook", id: "99999999999" }, "削除するWebhookが指定されていません"],
    ];
    for (const [fields, message] of cases) {
      const response = await client.post("/admin/api", fields);
      const html = await response.text();
      expect(response.status, JSON.stringify(fields)).toBeLessThan(500);
      expect(html, JSON.stringify(fields)).toContain(message);
      expect(html, JSON.stringify(fields)).not.toMatch(GENERIC);
    }
    expect(await count()).toEqual(before);
  });
});
