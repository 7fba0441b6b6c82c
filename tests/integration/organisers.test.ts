import { sql } from "kysely";
import { loadDemoData } from "../../db/seed/load";
import { startTestApp } from "../support/app";
import { createTestDatabase } from "../support/db";
import { browserLike, CONSENT_FIELDS, createMember, signIn } from "../support/factories";

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let app: Awaited<ReturnType<typeof startTestApp>>;
const staff: Record<string, ReturnType<typeof browserLike>> = {};
let seminar: number; // organised by 本部, given to the organiser
let shimane: number; // 本部's national convention: not given to the organiser
let kenshukai: number; // given to reception

beforeAll(async () => {
  database = await createTestDatabase();
  await loadDemoData(database.db);
  app = await startTestApp(database.db);
  for (const role of ["admin", "organiser", "secretary", "reception"]) {
    const person = await database.db
      .selectFrom("people")
      .select("id")
      .where("email", "=", `${role}@example.jp`)
      .executeTakeFirstOrThrow();
    staff[role] = browserLike(app.url, await signIn(database.db, person.id));
  }
  const id = async (slug: string) =>
    (
      await database.db
        .selectFrom("events")
        .select("id")
        .where("slug", "=", slug)
        .executeTakeFirstOrThrow()
    ).id;
  seminar = await id("online-seminar-next");
  shimane = await id("zenkoku-40-shimane");
  kenshukai = await id("kenshukai-20");
});
afterAll(async () => {
  await app.close();
  await database.drop();
});

describe("staff sign-in", () => {
  it("accepts the right password, refuses a wrong one in Japanese, and rate-limits", async () => {
    const client = browserLike(app.url);
    const ok = await client.post("/admin/login", {
      email: "organiser@example.jp",
      password: "jichiken-demo-2026",
    });
    expect(ok.status).toBe(302);
    expect(ok.headers.get("set-cookie")).toMatch(/^sid=/);
    const wrong = await client.post("/admin/login", {
      email: "organiser@example.jp",
      password: "nope",
    });
    expect(await wrong.text()).toContain("メールアドレスまたはパスワードが正しくありません");
    let last = "";
    for (let i = 0; i < 11; i++) {
      last = await (
        await client.post("/admin/login", { email: "secretary@example.jp", password: "wrong" })
      ).text();
    }
    expect(last).toContain("短時間に多くの操作がありました");
  });

  it("sends a member who tries /admin to a 403, and a stranger to the sign-in", async () => {
    const member = await createMember(database.db);
    const client = browserLike(app.url, await signIn(database.db, member.id));
    expect((await client.get("/admin")).status).toBe(403);
    const anonymous = await browserLike(app.url).get("/admin");
    expect(anonymous.status).toBe(302);
    expect(anonymous.headers.get("location")).toMatch(/^\/admin\/login\?next=/);
  });
});

describe("what each role can reach", () => {
  const cases: [string, () => string, Record<string, number>][] = [
    [
      "an event's attendees",
      () => `/admin/events/${seminar}/attendees`,
      { admin: 200, organiser: 200, secretary: 200, reception: 404 },
    ],
    [
      "another event's attendees",
      () => `/admin/events/${shimane}/attendees`,
      { admin: 200, organiser: 404, secretary: 200, reception: 404 },
    ],
    [
      "the event the desk works",
      () => `/admin/events/${kenshukai}/attendees`,
      { admin: 200, organiser: 200, secretary: 200, reception: 404 },
    ],
    [
      "the audit log",
      () => `/admin/events/${seminar}/audit`,
      { admin: 200, organiser: 200, secretary: 404, reception: 404 },
    ],
    [
      "a guessed event id",
      () => "/admin/events/999999/attendees",
      { admin: 404, organiser: 404, secretary: 404, reception: 404 },
    ],
    [
      "a malformed event id",
      () => "/admin/events/1%27%20or%201=1/attendees",
      { admin: 404, organiser: 404, secretary: 404, reception: 404 },
    ],
  ];
  for (const [what, path, expected] of cases) {
    it(`${what}: ${Object.entries(expected)
      .map(([r, s]) => `${r} ${s}`)
      .join(", ")}`, async () => {
      for (const [role, status] of Object.entries(expected)) {
        const response = await staff[role]!.get(path());
        expect({ role, status: response.status }).toEqual({ role, status });
      }
    });
  }

  it("a secretary sees only their own union's registrations, even by guessing ids", async () => {
    const { db } = database;
    const ours = await createMember(db, { union: "fukushima-shi", familyName: "自組合" });
    const theirs = await createMember(db, { union: "koriyama-shi", familyName: "他組合" });
    const form = await seminarForm();
    for (const m of [ours, theirs]) {
      expect(
        (
          await browserLike(app.url, await signIn(db, m.id)).post(
            "/events/online-seminar-next/register",
            form,
          )
        ).status,
      ).toBe(302);
    }
    const list = await (await staff.secretary!.get(`/admin/events/${seminar}/attendees`)).text();
    expect(list).toContain("自組合");
    expect(list).not.toContain("他組合");
    // The secretary's filters have no union select; the organiser's do, and the statuses by name.
    expect(list).not.toContain('name="union"');
    const full = await (await staff.organiser!.get(`/admin/events/${seminar}/attendees`)).text();
    expect(full).toMatch(/<select name="union">.*?<option value="\d+">郡山市職員労働組合</);
    expect(full).toContain('<option value="waitlisted">キャンセル待ち</option>');
    expect(full).toContain("<td>確定</td>");
    const theirReg = await db
      .selectFrom("registrations")
      .select("id")
      .where("person_id", "=", theirs.id)
      .executeTakeFirstOrThrow();
    expect(
      (await staff.secretary!.get(`/admin/events/${seminar}/attendees/${theirReg.id}`)).status,
    ).toBe(404);
    expect(
      (await staff.organiser!.get(`/admin/events/${seminar}/attendees/${theirReg.id}`)).status,
    ).toBe(200);
    // Nor can a secretary act on any registration.
    const cancel = await staff.secretary!.post(
      `/admin/events/${seminar}/attendees/${theirReg.id}`,
      { intent: "cancel" },
    );
    expect(cancel.status).toBe(404);
    const still = await db
      .selectFrom("registrations")
      .select("status")
      .where("id", "=", theirReg.id)
      .executeTakeFirstOrThrow();
    expect(still.status).toBe("confirmed");
  });
});

async function seminarForm(courseKey = "course-1") {
  const { db } = database;
  const course = await db
    .selectFrom("courses")
    .select("id")
    .where("event_id", "=", seminar)
    .where("key", "=", courseKey)
    .executeTakeFirstOrThrow();
  const q = await db
    .selectFrom("event_questions")
    .select("id")
    .where("event_id", "=", seminar)
    .where("label", "=", "自治研活動の経験")
    .executeTakeFirstOrThrow();
  return {
    course: String(course.id),
    [`q_${q.id}`]: "これまで取り組んだことはない",
    waitlist: "on",
    ...CONSENT_FIELDS,
  };
}

describe("the organiser's actions on a registration", () => {
  it("confirms from the waitlist only past capacity with an explicit override, audited and emailed", async () => {
    const { db } = database;
    const course = await db
      .selectFrom("courses")
      .select(["id"])
      .where("event_id", "=", seminar)
      .where("key", "=", "course-2")
      .executeTakeFirstOrThrow();
    await db
      .updateTable("courses")
      .set({ capacity: sql`taken` })
      .where("id", "=", course.id)
      .execute();
    const member = await createMember(db, { familyName: "確定待" });
    const client = browserLike(app.url, await signIn(db, member.id));
    expect(
      (await client.post("/events/online-seminar-next/register", await seminarForm("course-2")))
        .status,
    ).toBe(302);
    const reg = await db
      .selectFrom("registrations")
      .select(["id", "status"])
      .where("person_id", "=", member.id)
      .executeTakeFirstOrThrow();
    expect(reg.status).toBe("waitlisted");

    const path = `/admin/events/${seminar}/attendees/${reg.id}`;
    const refused = await staff.organiser!.post(path, { intent: "confirm" });
    expect(await refused.text()).toContain("定員を超えて確定する場合は");
    expect(
      (
        await db
          .selectFrom("registrations")
          .select("status")
          .where("id", "=", reg.id)
          .executeTakeFirstOrThrow()
      ).status,
    ).toBe("waitlisted");

    const forced = await staff.organiser!.post(path, { intent: "confirm", override: "on" });
    expect(await forced.text()).toContain("確定しました");
    expect(
      (
        await db
          .selectFrom("registrations")
          .select("status")
          .where("id", "=", reg.id)
          .executeTakeFirstOrThrow()
      ).status,
    ).toBe("confirmed");
    const audit = await db
      .selectFrom("audit_log")
      .selectAll()
      .where("entity_id", "=", reg.id)
      .where("action", "=", "confirm")
      .executeTakeFirstOrThrow();
    expect(audit.detail).toEqual({ override: true });
    const mail = await db
      .selectFrom("outbound_emails")
      .select("payload")
      .where(sql<string>`payload->>'kind'`, "=", "promoted")
      .orderBy("id", "desc")
      .executeTakeFirstOrThrow();
    expect((mail.payload as { ticketCode: string }).ticketCode).toBeTruthy();
    // The log says it in words: what was done, to whom, and how; no raw JSON.
    const log = await (await staff.organiser!.get(`/admin/events/${seminar}/audit`)).text();
    expect(log).toContain("キャンセル待ちから参加確定");
    expect(log).toContain("確定待 太郎");
    expect(log).toContain("定員を超えて");
    expect(log).not.toContain("{&quot;");
  });

  it("moves a registrant to another course keeping their optional sessions; the same course again changes nothing", async () => {
    const { db } = database;
    const member = await createMember(db);
    const client = browserLike(app.url, await signIn(db, member.id));
    const sessions = await db
      .selectFrom("event_sessions")
      .select(["id", "key"])
      .where("event_id", "=", kenshukai)
      .execute();
    const dinner = sessions.find((s) => s.key === "dinner")!.id;
    const courses = await db
      .selectFrom("courses")
      .select(["id", "key"])
      .where("event_id", "=", kenshukai)
      .execute();
    const first = courses.find((c) => c.key === "bunkakai-1")!.id;
    const second = courses.find((c) => c.key === "bunkakai-2")!.id;
    const q = await db
      .selectFrom("event_questions")
      .select("id")
      .where("event_id", "=", kenshukai)
      .where("label", "=", "レポート発表の有無")
      .executeTakeFirstOrThrow();
    const registered = await client.post("/events/kenshukai-20/register", {
      course: String(first),
      session: [String(dinner)],
      [`q_${q.id}`]: "発表しない",
      ...CONSENT_FIELDS,
    });
    expect(registered.status).toBe(302);
    const reg = await db
      .selectFrom("registrations")
      .select("id")
      .where("person_id", "=", member.id)
      .executeTakeFirstOrThrow();
    const state = async () => ({
      course: (
        await db
          .selectFrom("registrations")
          .select("course_id")
          .where("id", "=", reg.id)
          .executeTakeFirstOrThrow()
      ).course_id,
      sessions: (
        await db
          .selectFrom("registration_sessions")
          .select("session_id")
          .where("registration_id", "=", reg.id)
          .execute()
      ).map((r) => r.session_id),
      emails: (
        await db
          .selectFrom("outbound_emails")
          .select("id")
          .where("to_address", "=", member.email)
          .execute()
      ).length,
    });
    const before = await state();
    const path = `/admin/events/${kenshukai}/attendees/${reg.id}`;

    const same = await staff.admin!.post(path, { intent: "move", course: String(first) });
    expect(await same.text()).toContain("変更はありませんでした");
    expect(await state()).toEqual(before);

    const moved = await staff.admin!.post(path, { intent: "move", course: String(second) });
    expect(await moved.text()).toContain("コースを変更しました");
    const after = await state();
    expect(after.course).toBe(second);
    expect(after.sessions.sort()).toEqual(before.sessions.sort());
    expect(after.sessions).toContain(dinner);
    expect(after.emails).toBe(before.emails + 1);
  });
});

describe("a registration that is not the event's", () => {
  it("answers 404 to GET and to every action, for an unknown id, another event's, or a malformed one", async () => {
    const { db } = database;
    const member = await createMember(db);
    const client = browserLike(app.url, await signIn(db, member.id));
    expect(
      (await client.post("/events/online-seminar-next/register", await seminarForm())).status,
    ).toBe(302);
    const reg = await db
      .selectFrom("registrations")
      .select(["id", "status", "course_id"])
      .where("person_id", "=", member.id)
      .executeTakeFirstOrThrow();
    const course = await db
      .selectFrom("courses")
      .select("id")
      .where("event_id", "=", seminar)
      .where("key", "=", "course-2")
      .executeTakeFirstOrThrow();
    const ids = [
      `/admin/events/${seminar}/attendees/999999999`, // no such registration
      `/admin/events/${kenshukai}/attendees/${reg.id}`, // a registration of another event
      `/admin/events/${seminar}/attendees/abc`,
      `/admin/events/${seminar}/attendees/1e3`,
      `/admin/events/${seminar}/attendees/99999999999999999999999`,
      `/admin/events/${seminar}/attendees/-1`,
      `/admin/events/${seminar}/attendees/1.5`,
      `/admin/events/${seminar}/attendees/%00`,
      `/admin/events/${seminar}/attendees/${reg.id}%20`,
      `/admin/events/abc/attendees/${reg.id}`,
      `/admin/events/99999999999/attendees/${reg.id}`,
    ];
    for (const path of ids) {
      expect((await staff.admin!.get(path)).status, `GET ${path}`).toBe(404);
      const actions: Record<string, string>[] = [
        { intent: "cancel" },
        { intent: "confirm", override: "on" },
        { intent: "move", course: String(course.id) },
        { intent: "bogus" },
        {},
      ];
      for (const fields of actions) {
        const response = await staff.admin!.post(path, fields);
        expect(response.status, `POST ${path} ${JSON.stringify(fields)}`).toBe(404);
        expect(await response.text()).toContain("見つかりません");
      }
    }
    const still = await db
      .selectFrom("registrations")
      .select(["id", "status", "course_id"])
      .where("id", "=", reg.id)
      .executeTakeFirstOrThrow();
    expect(still).toEqual(reg);
    // The right event's page still works.
    expect((await staff.admin!.get(`/admin/events/${seminar}/attendees/${reg.id}`)).status).toBe(
      200,
    );
  });
});

describe("proxy registration", () => {
  it("a secretary registers a colleague of their own union, but not of another", async () => {
    const fields = {
      family_name: "代理",
      given_name: "花子",
      family_name_kana: "ダイリ",
      given_name_kana: "ハナコ",
      email: "proxy.hanako@example.jp",
      workplace: "福島市役所",
      phone: "024-000-0000",
      course: (await seminarForm()).course,
      consent_attested: "on",
    };
    const { db } = database;
    const fukushima = await db
      .selectFrom("organisations")
      .select("id")
      .where("code", "=", "fukushima-shi")
      .executeTakeFirstOrThrow();
    const koriyama = await db
      .selectFrom("organisations")
      .select("id")
      .where("code", "=", "koriyama-shi")
      .executeTakeFirstOrThrow();
    const path = `/admin/events/${seminar}/attendees/new`;
    const other = await staff.secretary!.post(path, {
      ...fields,
      email: "other@example.jp",
      organisation_id: String(koriyama.id),
    });
    expect(await other.text()).toContain("所属単組の組合員のみ代理で申し込めます");
    const ok = await staff.secretary!.post(path, {
      ...fields,
      organisation_id: String(fukushima.id),
    });
    // A secretary is answered the same for every outcome (proxy.server.ts, ProxyResult).
    expect(await ok.text()).toContain("代理 花子さんの代理申込を受け付けました");
    const reg = await db
      .selectFrom("registrations")
      .innerJoin("people", "people.id", "registrations.person_id")
      .select(["registrations.registered_by", "people.organisation_id"])
      .where("people.email", "=", "proxy.hanako@example.jp")
      .executeTakeFirstOrThrow();
    expect(reg.organisation_id).toBe(fukushima.id);
    expect(reg.registered_by).not.toBeNull();
  });

  it("a secretary fills no more than the seats given to the union", async () => {
    const { db } = database;
    const fukushima = await db
      .selectFrom("organisations")
      .select("id")
      .where("code", "=", "fukushima-shi")
      .executeTakeFirstOrThrow();
    const used = await db
      .selectFrom("registrations")
      .innerJoin("people", "people.id", "registrations.person_id")
      .select(sql<number>`count(*)::int`.as("n"))
      .where("registrations.event_id", "=", seminar)
      .where("people.organisation_id", "=", fukushima.id)
      .where("registrations.status", "!=", "cancelled")
      .executeTakeFirstOrThrow();
    await db
      .insertInto("union_quotas")
      .values({ event_id: seminar, organisation_id: fukushima.id, seats: used.n })
      .execute();
    const response = await staff.secretary!.post(`/admin/events/${seminar}/attendees/new`, {
      family_name: "枠外",
      given_name: "太郎",
      family_name_kana: "ワクガイ",
      given_name_kana: "タロウ",
      email: "over.quota@example.jp",
      organisation_id: String(fukushima.id),
      workplace: "福島市役所",
      phone: "024-000-0001",
      course: (await seminarForm()).course,
      consent_attested: "on",
    });
    expect(await response.text()).toContain("単組の割当枠");
    expect(
      await db
        .selectFrom("people")
        .select("id")
        .where("email", "=", "over.quota@example.jp")
        .execute(),
    ).toHaveLength(0);
    await db.deleteFrom("union_quotas").execute();
  });
});

describe("CSV import", () => {
  const header = "姓,名,セイ,メイ,メールアドレス,単組,職場,電話番号,コース,食事の配慮,配慮事項";
  async function upload(
    client: ReturnType<typeof browserLike>,
    bytes: Uint8Array,
    intent = "preview",
    content?: string,
  ) {
    const form = new FormData();
    form.set("intent", intent);
    form.set("consent_attested", "on");
    form.set("needs_consent_attested", "on");
    if (content) form.set("content", content);
    else form.set("file", new File([Buffer.from(bytes)], "list.csv", { type: "text/csv" }));
    return fetch(`${app.url}/admin/events/${seminar}/attendees/import`, {
      method: "POST",
      body: form,
      headers: { Cookie: (client as unknown as { cookie?: string }).cookie ?? "", Origin: app.url },
    });
  }

  it("answers an oversize file with 413 and the page's Japanese message, which the client receives", async () => {
    const { db } = database;
    const organiser = await db
      .selectFrom("people")
      .select("id")
      .where("email", "=", "organiser@example.jp")
      .executeTakeFirstOrThrow();
    const client = { cookie: await signIn(db, organiser.id) } as unknown as ReturnType<
      typeof browserLike
    >;
    const before = await db
      .selectFrom("registrations")
      .select(sql<number>`count(*)::int`.as("n"))
      .executeTakeFirstOrThrow();
    const line =
      "取込,大量,トリコミ,タイリョウ,big@example.jp,福島市職員労働組合,福島市役所,024-111-1111,コース①,,\r\n";
    for (const megabytes of [2.5, 8]) {
      const big = new TextEncoder().encode(
        `${header}\r\n${line.repeat(Math.ceil((megabytes * 1024 * 1024) / line.length))}`,
      );
      // fetch rejects (a connection error) if the server closes before answering
      const response = await upload(client, big);
      expect(response.status).toBe(413);
      const html = await response.text();
      expect(html).toContain("CSVファイルが大きすぎます");
      expect(html).toContain("2MB");
      expect(html).toContain("ファイルを分けて");
      expect(html).toContain("CSVで一括申込"); // the import page, with its form to try again
    }
    // Sent in chunks with no Content-Length, the size is known only by reading.
    const form = new FormData();
    form.set("intent", "preview");
    form.set(
      "file",
      new File([`${header}\r\n${line.repeat(40_000)}`], "list.csv", { type: "text/csv" }),
    );
    const multipart = new Response(form);
    const chunked = await fetch(`${app.url}/admin/events/${seminar}/attendees/import`, {
      method: "POST",
      body: multipart.body,
      duplex: "half",
      headers: {
        "Content-Type": multipart.headers.get("Content-Type")!,
        Cookie: (client as unknown as { cookie: string }).cookie,
        Origin: app.url,
      },
    } as RequestInit);
    expect(chunked.status).toBe(413);
    expect(await chunked.text()).toContain("CSVファイルが大きすぎます");
    // The connection is still good for the next request.
    const preview = await upload(client, new TextEncoder().encode(`${header}\r\n${line}`));
    expect(preview.status).toBe(200);
    expect(await preview.text()).toContain("1名を登録する");
    const after = await db
      .selectFrom("registrations")
      .select(sql<number>`count(*)::int`.as("n"))
      .executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
  });

  it("with one bad row writes nothing and reports that row in Japanese; the fixed file imports all in Shift_JIS", async () => {
    const { db } = database;
    const organiser = await db
      .selectFrom("people")
      .select("id")
      .where("email", "=", "organiser@example.jp")
      .executeTakeFirstOrThrow();
    const cookie = await signIn(db, organiser.id);
    const client = { cookie } as unknown as ReturnType<typeof browserLike>;
    const rows = [
      "取込,一郎,トリコミ,イチロウ,import1@example.jp,福島市職員労働組合,福島市役所,024-111-1111,コース①,,",
      "取込,二郎,Torikomi,ジロウ,import2@example.jp,福島市職員労働組合,福島市役所,024-111-1112,コース①,,",
      '"取込","三郎","トリコミ","サブロウ","import3@example.jp","郡山市職員労働組合","郡山市役所","024-111-1113","コース①","そば, えび",""',
    ];
    const before = await db
      .selectFrom("registrations")
      .select(sql<number>`count(*)::int`.as("n"))
      .executeTakeFirstOrThrow();
    const bad = await upload(
      client,
      new TextEncoder().encode(`\uFEFF${header}\r\n${rows.join("\r\n")}\r\n`),
    );
    const html = await bad.text();
    expect(html).toContain("セイはカタカナで入力してください");
    expect(html).toContain("誤りのある行を直してから");
    expect(html).not.toMatch(/\d+名を登録する/);
    // Importing the bad file anyway writes nothing.
    const forced = await upload(
      client,
      new Uint8Array(),
      "import",
      Buffer.from(`${header}\r\n${rows.join("\r\n")}`).toString("base64"),
    );
    expect(await forced.text()).toContain("何も登録していません");
    const after = await db
      .selectFrom("registrations")
      .select(sql<number>`count(*)::int`.as("n"))
      .executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
    expect(
      await db.selectFrom("people").select("id").where("email", "like", "import%").execute(),
    ).toHaveLength(0);

    const fixed = `${header}\r\n${rows.join("\r\n").replace("Torikomi", "とりこみ")}\r\n`;
    const { default: iconv } = await import("iconv-lite");
    const bytes = new Uint8Array(iconv.encode(fixed, "cp932"));
    const preview = await (await upload(client, bytes)).text();
    expect(preview).toContain("3名を登録する");
    expect(preview).toContain("取込 三郎");
    const content = preview.match(/name="content" value="([^"]+)"/)?.[1];
    expect(content).toBeTruthy();
    const done = await (await upload(client, new Uint8Array(), "import", content)).text();
    expect(done).toContain("3名を登録しました");
    const imported = await db
      .selectFrom("registrations")
      .innerJoin("people", "people.id", "registrations.person_id")
      .select(["people.family_name_kana", "registrations.dietary_needs"])
      .where("people.email", "like", "import%")
      .orderBy("people.email")
      .execute();
    expect(imported.map((r) => r.family_name_kana)).toEqual(["トリコミ", "トリコミ", "トリコミ"]);
    // the seminar is online: the meal needs in the file are not kept (registerWith), the rest is
    expect(imported[2]?.dietary_needs).toBe("");
  });
});
