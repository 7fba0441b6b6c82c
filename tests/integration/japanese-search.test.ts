import { attendeeFilterSchema, listAttendees } from "../../app/domain/attendees.server";
import { register } from "../../app/domain/registrations.server";
import { loadDemoData } from "../../db/seed/load";
import { createTestDatabase } from "../support/db";
import { CONSENT, createMember, registrationInput } from "../support/factories";

/** Issue 15: the staff attendee search matches hiragana and katakana alike. */
describe("the attendee search reads kana as people type it", () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let eventId: number;

  beforeAll(async () => {
    database = await createTestDatabase();
    await loadDemoData(database.db);
    const { db } = database;
    const event = await db
      .selectFrom("events")
      .select(["id", "slug"])
      .where("slug", "=", "online-seminar-next")
      .executeTakeFirstOrThrow();
    eventId = event.id;
    const course = await db
      .selectFrom("courses")
      .select("id")
      .where("event_id", "=", event.id)
      .orderBy("position")
      .executeTakeFirstOrThrow();
    const question = await db
      .selectFrom("event_questions")
      .select(["id", "options"])
      .where("event_id", "=", event.id)
      .executeTakeFirst();
    // One reading stored in katakana (as the forms now store it), one in
    // hiragana (as a row written before normalisation may hold it).
    for (const [kana, family] of [
      ["アクツ", "阿久津"],
      ["あくた", "芥"],
    ] as const) {
      const member = await createMember(db, { kana, familyName: family });
      await register(db, {
        slug: event.slug,
        personId: member.id,
        appUrl: "http://localhost",
        consent: CONSENT,
        input: registrationInput(course.id, {
          answers: question ? { [String(question.id)]: (question.options as string[])[0]! } : {},
          joinWaitlist: true,
        }),
      });
    }
  });
  afterAll(async () => {
    await database?.drop();
  });

  async function search(q: string) {
    const filter = attendeeFilterSchema.parse({ q });
    const { rows } = await listAttendees(database.db, { eventId, unionId: null, filter });
    return rows.map((r) => r.family_name).sort();
  }

  it("「あくつ」, 「アクツ」 and half-width 「ｱｸﾂ」 find the same person", async () => {
    expect(await search("あくつ")).toEqual(["阿久津"]);
    expect(await search("アクツ")).toEqual(["阿久津"]);
    expect(await search("ｱｸﾂ")).toEqual(["阿久津"]);
  });

  it("a reading stored in hiragana is found by katakana, and a prefix finds both", async () => {
    expect(await search("アクタ")).toEqual(["芥"]);
    expect(await search("あく")).toEqual(["芥", "阿久津"]);
  });

  it("names, emails and ticket codes are still found; a % or _ is no wildcard", async () => {
    expect(await search("阿久津")).toEqual(["阿久津"]);
    expect(await search("%")).toEqual([]);
    expect(await search("_")).toEqual([]);
  });
});
