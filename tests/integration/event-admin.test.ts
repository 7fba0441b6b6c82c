import { sql } from "kysely";
import { loadDemoData } from "../../db/seed/load";
import { startTestApp } from "../support/app";
import { createTestDatabase } from "../support/db";
import { browserLike, CONSENT_FIELDS, createMember, signIn } from "../support/factories";

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let app: Awaited<ReturnType<typeof startTestApp>>;
let organiser: ReturnType<typeof browserLike>;
let secretary: ReturnType<typeof browserLike>;

beforeAll(async () => {
  database = await createTestDatabase();
  await loadDemoData(database.db);
  app = await startTestApp(database.db);
  const person = async (email: string) =>
    (
      await database.db
        .selectFrom("people")
        .select("id")
        .where("email", "=", email)
        .executeTakeFirstOrThrow()
    ).id;
  organiser = browserLike(app.url, await signIn(database.db, await person("organiser@example.jp")));
  secretary = browserLike(app.url, await signIn(database.db, await person("secretary@example.jp")));
});
afterAll(async () => {
  await app.close();
  await database.drop();
});

const inDays = (days: number, time: string) => {
  const d = new Date(Date.now() + days * 86_400_000 + 9 * 3_600_000);
  return `${d.toISOString().slice(0, 10)}T${time}`;
};

const eventFields = {
  title: "自治研ワークショップ 2027",
  slug: "workshop-2027",
  kind: "study_session",
  summary: "2つのコースに分かれて学ぶワークショップ",
  starts_at: inDays(40, "13:00"),
  ends_at: inDays(40, "17:00"),
  venue_name: "協働会館 4階会議室",
  venue_address: "福島市荒町1-21",
  opens_at: inDays(-1, "09:00"),
  closes_at: inDays(35, "17:00"),
  members_only: "on",
};

describe("an organiser sets up an event", () => {
  let eventId: string;

  it("refuses a bad form field by field in Japanese and writes nothing", async () => {
    const response = await organiser.post("/admin/events/new", {
      ...eventFields,
      slug: "Bad Slug!",
      capacity: "-3",
    });
    const html = await response.text();
    expect(response.status).toBe(422);
    expect(html).toContain("URL名は半角英小文字・数字・ハイフン");
    expect(html).toContain("定員は0以上の整数で入力してください");
    expect(html).toContain('value="自治研ワークショップ 2027"');
    const reversed = await (
      await organiser.post("/admin/events/new", { ...eventFields, ends_at: inDays(39, "10:00") })
    ).text();
    expect(reversed).toContain("終了日時は開始日時より後にしてください");
    expect(
      await database.db
        .selectFrom("events")
        .select("id")
        .where("title", "=", eventFields.title)
        .execute(),
    ).toHaveLength(0);
  });

  it("creates a draft, adds two courses, publishes it, and a member registers", async () => {
    const created = await organiser.post("/admin/events/new", eventFields);
    expect(created.status).toBe(302);
    eventId = created.headers.get("location")!.match(/\/admin\/events\/(\d+)\/edit/)![1]!;
    expect((await browserLike(app.url).get("/events/workshop-2027")).status).toBe(404); // a draft is not public

    for (const [code, title, capacity] of [
      ["コースA", "財政分析入門", "2"],
      ["コースB", "自治体DX", "10"],
    ]) {
      const added = await organiser.post(`/admin/events/${eventId}/edit`, {
        intent: "add_course",
        code: code!,
        title: title!,
        capacity: capacity!,
      });
      expect(await added.text()).toContain("コース・分科会を追加しました");
    }
    const published = await organiser.post(`/admin/events/${eventId}/edit`, {
      intent: "status",
      status: "published",
    });
    expect(await published.text()).toContain("「公開中」にしました");
    const page = await (await browserLike(app.url).get("/events/workshop-2027")).text();
    expect(page).toContain("財政分析入門");

    const member = await createMember(database.db);
    const course = await database.db
      .selectFrom("courses")
      .select("id")
      .where("event_id", "=", Number(eventId))
      .where("code", "=", "コースA")
      .executeTakeFirstOrThrow();
    const client = browserLike(app.url, await signIn(database.db, member.id));
    expect(
      (
        await client.post("/events/workshop-2027/register", {
          course: String(course.id),
          ...CONSENT_FIELDS,
        })
      ).status,
    ).toBe(302);
    const audit = await database.db
      .selectFrom("audit_log")
      .select("action")
      .where("event_id", "=", Number(eventId))
      .orderBy("id")
      .execute();
    expect(audit.map((a) => a.action)).toEqual(["create", "create", "create", "published"]);
  });

  it("warns before lowering a course's capacity below the seats taken, then saves when confirmed", async () => {
    const course = await database.db
      .selectFrom("courses")
      .select(["id", "taken"])
      .where("event_id", "=", Number(eventId))
      .where("code", "=", "コースA")
      .executeTakeFirstOrThrow();
    expect(course.taken).toBe(1);
    const warned = await (
      await organiser.post(`/admin/events/${eventId}/edit`, {
        intent: "course",
        course_id: String(course.id),
        capacity: "0",
      })
    ).text();
    expect(warned).toContain("既に確定している1名を下回ります");
    expect(
      (
        await database.db
          .selectFrom("courses")
          .select("capacity")
          .where("id", "=", course.id)
          .executeTakeFirstOrThrow()
      ).capacity,
    ).toBe(2);
    const saved = await (
      await organiser.post(`/admin/events/${eventId}/edit`, {
        intent: "course",
        course_id: String(course.id),
        capacity: "0",
        confirmed: "on",
      })
    ).text();
    expect(saved).toContain("定員を保存しました");
    expect(
      (
        await database.db
          .selectFrom("courses")
          .select("capacity")
          .where("id", "=", course.id)
          .executeTakeFirstOrThrow()
      ).capacity,
    ).toBe(0);
  });

  it("cancelling a course emails everyone who chose it", async () => {
    const course = await database.db
      .selectFrom("courses")
      .select("id")
      .where("event_id", "=", Number(eventId))
      .where("code", "=", "コースA")
      .executeTakeFirstOrThrow();
    const html = await (
      await organiser.post(`/admin/events/${eventId}/edit`, {
        intent: "course",
        course_id: String(course.id),
        capacity: "",
        cancel: "on",
      })
    ).text();
    expect(html).toContain("コースを中止しました。1名にメールで知らせます");
    const mail = await database.db
      .selectFrom("outbound_emails")
      .select(["subject"])
      .where("template", "=", "notice")
      .execute();
    expect(mail.map((m) => m.subject)).toContain("【コース中止】自治研ワークショップ 2027");
  });

  it("copies the event as next year's draft, with its courses, moved to the new date", async () => {
    const response = await organiser.post(`/admin/events/${eventId}/edit`, {
      intent: "copy",
      new_slug: "workshop-2028",
      new_start: inDays(400, "13:00"),
    });
    expect(response.status).toBe(302);
    const copy = await database.db
      .selectFrom("events")
      .selectAll()
      .where("slug", "=", "workshop-2028")
      .executeTakeFirstOrThrow();
    expect(copy.status).toBe("draft");
    expect(copy.ends_at.getTime() - copy.starts_at.getTime()).toBe(4 * 3_600_000);
    const courses = await database.db
      .selectFrom("courses")
      .select("title")
      .where("event_id", "=", copy.id)
      .orderBy("position")
      .execute();
    expect(courses.map((c) => c.title)).toEqual(["財政分析入門", "自治体DX"]);
    const regs = await database.db
      .selectFrom("registrations")
      .select("id")
      .where("event_id", "=", copy.id)
      .execute();
    expect(regs).toHaveLength(0);
  });

  it("cancelling the event cancels every registration and emails each person", async () => {
    const html = await (
      await organiser.post(`/admin/events/${eventId}/edit`, {
        intent: "status",
        status: "cancelled",
        reason: "台風のため",
      })
    ).text();
    expect(html).toContain("中止にしました。1名にメールで知らせます");
    const regs = await database.db
      .selectFrom("registrations")
      .select("status")
      .where("event_id", "=", Number(eventId))
      .execute();
    expect(regs.map((r) => r.status)).toEqual(["cancelled"]);
    const notice = await database.db
      .selectFrom("outbound_emails")
      .select("payload")
      .where("subject", "=", "【中止】自治研ワークショップ 2027")
      .executeTakeFirstOrThrow();
    expect((notice.payload as { body: string }).body).toContain("台風のため");
  });

  it("a 単組 secretary can neither create nor edit events", async () => {
    expect((await secretary.get("/admin/events/new")).status).toBe(403);
    expect(
      (
        await secretary.post(`/admin/events/${eventId}/edit`, {
          intent: "status",
          status: "published",
        })
      ).status,
    ).toBe(404);
    const status = await database.db
      .selectFrom("events")
      .select("status")
      .where("id", "=", Number(eventId))
      .executeTakeFirstOrThrow();
    expect(status.status).toBe("cancelled");
    void sql;
  });
});

/** zod's own wording, which names no field: a person cannot tell what to fix. */
const GENERIC = /無効な|大きすぎる値|小さすぎる値|認識されていないキー|が期待されました/;

describe("the event edit page's forms", () => {
  it("answer every bad field with a Japanese message naming it, and change nothing", async () => {
    const { db } = database;
    const event = await db
      .selectFrom("events")
      .selectAll()
      .where("slug", "=", "online-seminar-next")
      .executeTakeFirstOrThrow();
    const course = await db
      .selectFrom("courses")
      .select("id")
      .where("event_id", "=", event.id)
      .orderBy("id")
      .executeTakeFirstOrThrow();
    const snapshot = async () => ({
      event: await db
        .selectFrom("events")
        .selectAll()
        .where("id", "=", event.id)
        .executeTakeFirstOrThrow(),
      events: (await db.selectFrom("events").select("id").execute()).length,
      sessions: await db
        .selectFrom("event_sessions")
        .selectAll()
        .where("event_id", "=", event.id)
        .orderBy("id")
        .execute(),
      courses: await db
        .selectFrom("courses")
        .selectAll()
        .where("event_id", "=", event.id)
        .orderBy("id")
        .execute(),
      emails: (await db.selectFrom("outbound_emails").select("id").execute()).length,
    });
    const before = await snapshot();
    const long = (n: number) => `https://example.jp/${"a".repeat(n)}`;
    const edit = `/admin/events/${event.id}/edit`;
    const cases: [string, Record<string, string>, string][] = [
      // the event's own fields, all missing: each names itself
      [edit, { intent: "save" }, "イベント名を入力してください"],
      [edit, { intent: "save" }, "URL名を入力してください"],
      [edit, { intent: "save" }, "種別を選択してください"],
      [edit, { intent: "save" }, "開始日時を入力してください"],
      [edit, { intent: "save" }, "申込締切日時を入力してください"],
      [
        edit,
        { ...eventFields, slug: "seminar-x", intent: "save", venue_map_url: long(600) },
        "地図のURLは500文字以内で入力してください",
      ],
      [
        edit,
        { ...eventFields, slug: "seminar-x", intent: "save", online_url: long(600) },
        "オンライン参加URLは500文字以内で入力してください",
      ],
      [
        edit,
        { ...eventFields, slug: "seminar-x", intent: "save", cancellation_deadline: "someday" },
        "キャンセル期限を「年/月/日 時:分」で入力してください",
      ],
      [
        edit,
        { ...eventFields, slug: "seminar-x", intent: "save", max_age: "三十五" },
        "年齢制限は0以上の整数で入力してください",
      ],
      [edit, { intent: "status" }, "公開状態を選んでください"],
      [edit, { intent: "status", status: "deleted" }, "公開状態を選んでください"],
      [
        edit,
        { intent: "status", status: "cancelled", reason: "あ".repeat(1001) },
        "申込者へのお知らせ(理由など)は1000文字以内で入力してください",
      ],
      [
        edit,
        { intent: "status", status: "cancelled", reason: "台風\u0000" },
        "申込者へのお知らせ(理由など)に使えない文字が含まれています",
      ],
      [edit, { intent: "copy", new_start: inDays(400, "13:00") }, "新しいURL名を入力してください"],
      [
        edit,
        { intent: "copy", new_slug: "Bad Slug", new_start: inDays(400, "13:00") },
        "新しいURL名は半角英小文字・数字・ハイフンで",
      ],
      [edit, { intent: "copy", new_slug: "seminar-copy" }, "新しい開始日時を入力してください"],
      [
        edit,
        { intent: "copy", new_slug: "seminar-copy", new_start: "next year" },
        "新しい開始日時を「年/月/日 時:分」で入力してください",
      ],
      [
        edit,
        {
          intent: "add_session",
          kind: "dinner",
          title: "夕食会",
          starts_at: inDays(40, "18:00"),
          ends_at: "late",
        },
        "終了日時を「年/月/日 時:分」で入力してください",
      ],
      [
        edit,
        { intent: "add_session", kind: "party", title: "夕食会", starts_at: inDays(40, "18:00") },
        "種類を選択してください",
      ],
      [
        edit,
        {
          intent: "add_session",
          kind: "dinner",
          title: "夕食会",
          starts_at: inDays(40, "18:00"),
          capacity: "-1",
        },
        "定員は0以上の整数で入力してください",
      ],
      [
        edit,
        { intent: "add_course", title: "コースX", allocation: "lottery" },
        "受付方法は「先着順」か「すべてキャンセル待ち」から選んでください",
      ],
      [
        edit,
        { intent: "add_course", title: "コースX", code: "あ".repeat(41) },
        "番号は40文字以内で入力してください",
      ],
      [edit, { intent: "course", capacity: "5" }, "定員を変えるコース・分科会が指定されていません"],
      [
        edit,
        { intent: "course", course_id: "abc", capacity: "5" },
        "定員を変えるコース・分科会が指定されていません",
      ],
      [
        edit,
        { intent: "course", course_id: "99999999999", capacity: "5" },
        "定員を変えるコース・分科会が指定されていません",
      ],
      [
        edit,
        { intent: "course", course_id: String(course.id), capacity: "many" },
        "定員は0以上の整数で入力してください",
      ],
      [
        `/admin/events/${event.id}/message`,
        { subject: "お知らせ", body: "本文", status: "everyone" },
        "送信先は一覧から選んでください",
      ],
    ];
    for (const [path, fields, message] of cases) {
      const response = await organiser.post(path, fields);
      const html = await response.text();
      expect(response.status, `${message} ${response.status}`).toBe(422);
      expect(html, message).toContain(message);
      expect(html, message).not.toMatch(GENERIC);
    }
    expect(await snapshot()).toEqual(before);
  });
});
