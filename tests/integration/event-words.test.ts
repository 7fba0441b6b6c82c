import { loadDemoData } from "../../db/seed/load";
import { startTestApp } from "../support/app";
import { createTestDatabase } from "../support/db";
import { browserLike, CONSENT_FIELDS, createMember, eventIdOf, signIn } from "../support/factories";

/**
 * The event decides its words and what it says (issue 15, items 6, 8 and 9):
 * its course word everywhere, no reception QR for an online event, and the
 * cancellation deadline before anyone registers.
 */

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let app: Awaited<ReturnType<typeof startTestApp>>;

beforeAll(async () => {
  database = await createTestDatabase();
  await loadDemoData(database.db);
  app = await startTestApp(database.db);
});
afterAll(async () => {
  await app?.close();
  await database?.drop();
});

async function courseId(slug: string) {
  const eventId = await eventIdOf(database.db, slug);
  return (
    await database.db
      .selectFrom("courses")
      .select("id")
      .where("event_id", "=", eventId)
      .orderBy("position")
      .executeTakeFirstOrThrow()
  ).id;
}

async function questionAnswers(slug: string) {
  const eventId = await eventIdOf(database.db, slug);
  const questions = await database.db
    .selectFrom("event_questions")
    .select(["id", "kind", "options", "required"])
    .where("event_id", "=", eventId)
    .execute();
  const fields: Record<string, string> = {};
  for (const q of questions) {
    if (!q.required) continue;
    fields[`q_${q.id}`] = q.kind === "text" ? "回答" : String((q.options as string[])[0]);
  }
  return fields;
}

describe("the event's own words", () => {
  it("the event page names its courses with the event's word and shows the cancellation deadline", async () => {
    const seminar = await (await fetch(`${app.url}/events/online-seminar-next`)).text();
    expect(seminar).toContain("<h2>コース</h2>");
    expect(seminar).toContain("キャンセル期限");
    // Its breakout block (グループワーク) is labelled コース too, not 分科会.
    expect(seminar).not.toContain(">分科会<");
    const convention = await (await fetch(`${app.url}/events/kenshukai-20`)).text();
    expect(convention).toContain("<h2>分科会</h2>");
    expect(convention).not.toContain("分科会・チーム");
    expect(convention).toMatch(/キャンセル期限<\/dt><dd[^>]*>\d{4}年\d{1,2}月\d{1,2}日/);
  });

  it("/me leads an online seminar with the Zoom link and no QR, and a convention with its QR, each in its word", async () => {
    const { db } = database;
    const member = await createMember(db, { familyName: "画面" });
    const client = browserLike(app.url, await signIn(db, member.id));
    for (const slug of ["online-seminar-next", "kenshukai-20"]) {
      const response = await client.post(`/events/${slug}/register`, {
        course: String(await courseId(slug)),
        ...(await questionAnswers(slug)),
        ...CONSENT_FIELDS,
      });
      expect(response.status).toBe(302);
    }
    const rows = await db
      .selectFrom("registrations")
      .innerJoin("events", "events.id", "registrations.event_id")
      .select(["events.slug", "registrations.status"])
      .where("person_id", "=", member.id)
      .execute();
    expect(rows.map((r) => r.status)).toEqual(["confirmed", "confirmed"]);

    const html = await (await client.get("/me")).text();
    const card = (slug: string) => {
      const start = html.indexOf(`href="/events/${slug}"`);
      const end = html.indexOf("</article>", start);
      return html.slice(start, end);
    };
    const online = card("online-seminar-next");
    expect(online).toContain("参加方法(Zoom)");
    expect(online).toContain("Zoomに参加する");
    expect(online).not.toContain("受付でこのQRコード");
    expect(online).not.toContain("data:image/svg+xml");
    expect(online).toContain("コース:");
    const venue = card("kenshukai-20");
    expect(venue).toContain("受付でこのQRコード");
    expect(venue).toContain("data:image/svg+xml");
    expect(venue).toContain("分科会:");
    expect(venue).not.toContain("参加方法(Zoom)");
  });

  it("an organiser chooses the word on the event form; a word not on the list is refused and changes nothing", async () => {
    const { db } = database;
    const organiser = await db
      .selectFrom("people")
      .select("id")
      .where("email", "=", "organiser@example.jp")
      .executeTakeFirstOrThrow();
    const client = browserLike(app.url, await signIn(db, organiser.id));
    const eventId = await eventIdOf(db, "kenshukai-20");
    const edit = `/admin/events/${eventId}/edit`;
    const page = await (await client.get(edit)).text();
    expect(page).toContain("選択肢の呼び方");
    // The form as the page shows it, with one field changed.
    const fields: Record<string, string> = {};
    for (const m of page.matchAll(/<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"/g))
      fields[m[1]!] ??= m[2]!.replaceAll("&amp;", "&").replaceAll("&quot;", '"');
    for (const m of page.matchAll(/<textarea[^>]*name="([^"]+)"[^>]*>([^<]*)<\/textarea>/g))
      fields[m[1]!] ??= m[2]!;
    const before = await db
      .selectFrom("events")
      .select(["course_word", "updated_at"])
      .where("id", "=", eventId)
      .executeTakeFirstOrThrow();
    expect(before.course_word).toBe("分科会");

    const refused = await client.post(edit, {
      ...fields,
      intent: "save",
      kind: "prefectural_convention",
      course_word: "グループ",
    });
    expect(refused.status).toBe(422);
    expect(await refused.text()).toContain(
      "「選択肢の呼び方」は分科会・コース・チームから選んでください",
    );
    const unchanged = await db
      .selectFrom("events")
      .select(["course_word", "updated_at"])
      .where("id", "=", eventId)
      .executeTakeFirstOrThrow();
    expect(unchanged).toEqual(before);

    const saved = await client.post(edit, {
      ...fields,
      intent: "save",
      kind: "prefectural_convention",
      course_word: "チーム",
    });
    expect([200, 302]).toContain(saved.status);
    const after = await db
      .selectFrom("events")
      .select("course_word")
      .where("id", "=", eventId)
      .executeTakeFirstOrThrow();
    expect(after.course_word).toBe("チーム");
    const form = await (
      await browserLike(app.url, await signIn(db, (await createMember(db)).id)).get(
        "/events/kenshukai-20/register",
      )
    ).text();
    expect(form).toContain("参加するチーム");
  });
});
