import { loadDemoData } from "../../db/seed/load";
import { createTestDatabase } from "../support/db";

let database: Awaited<ReturnType<typeof createTestDatabase>>;
const today = new Date("2026-11-25T03:00:00Z");

beforeAll(async () => {
  database = await createTestDatabase();
  await loadDemoData(database.db, { today });
});
afterAll(() => database.drop());

async function event(slug: string) {
  const { db } = database;
  const row = await db
    .selectFrom("events")
    .leftJoin("venues", "venues.id", "events.venue_id")
    .selectAll("events")
    .select(["venues.name as venue_name", "venues.address as venue_address"])
    .where("slug", "=", slug)
    .executeTakeFirstOrThrow();
  const sessions = await db
    .selectFrom("event_sessions")
    .selectAll()
    .where("event_id", "=", row.id)
    .execute();
  const courses = await db
    .selectFrom("courses")
    .selectAll()
    .where("event_id", "=", row.id)
    .orderBy("position")
    .execute();
  const programme = await db
    .selectFrom("programme_items")
    .selectAll()
    .where("event_id", "=", row.id)
    .orderBy("starts_at")
    .execute();
  return { ...row, sessions, courses, programme };
}

describe("the demo data from the seed page", () => {
  it("has the 2023 online seminar with its programme, Zoom and courses ① and ②", async () => {
    const e = await event("online-seminar-2023");
    expect(e.kind).toBe("online_seminar");
    expect(e.starts_at.toISOString()).toBe("2023-08-18T09:00:00.000Z");
    expect(e.ends_at.toISOString()).toBe("2023-08-18T11:00:00.000Z");
    expect(e.online_url).toMatch(/^https:\/\/zoom\.us\//);
    expect(e.status).toBe("closed");
    const [one, two] = e.courses;
    expect(one?.title).toContain("【初級編】レッツトライ!自治研活動");
    expect(one?.facilitator).toContain("氷室佐由里");
    expect(two?.title).toContain("【中級編】よりよい地域をめざして");
    expect(two?.facilitator).toContain("橋本和久");
    expect(two?.adviser).toContain("三澤和也");
    const titles = e.programme.map((p) => p.title).join("\n");
    expect(titles).toContain("自治研とは?");
    expect(titles).toContain("沼津市におけるローカルマーケットの広がり");
  });

  it("has the 39th national convention: plenary at グランシップ and 第8分科会 on day 2", async () => {
    const e = await event("zenkoku-39-shizuoka");
    expect(e.kind).toBe("national_convention");
    const plenary = e.sessions.find((s) => s.kind === "plenary");
    expect(plenary?.starts_at.toISOString()).toBe("2022-10-07T01:00:00.000Z");
    const venue = await database.db
      .selectFrom("venues")
      .select("name")
      .where("id", "=", plenary?.venue_id ?? -1)
      .executeTakeFirst();
    expect(venue?.name).toContain("グランシップ");
    const dx = e.courses.find((c) => c.code === "第8分科会");
    expect(dx?.title).toContain("自治体DX最前線");
    expect(dx?.capacity).toBeGreaterThan(0);
    const day2 = e.sessions.find((s) => s.id === dx?.session_id);
    expect(day2?.starts_at.toISOString().slice(0, 10)).toBe("2022-10-08");
  });

  it("has the 4th UNDER35 gathering at いのホール with its age limit, over 3 days", async () => {
    const e = await event("under35-4-ino");
    expect(e.kind).toBe("youth_gathering");
    expect(e.max_age).toBe(35);
    expect(e.venue_name).toContain("いのホール");
    expect(e.venue_address).toContain("いの町1700-1");
    expect(e.starts_at.toISOString()).toBe("2023-09-22T06:00:00.000Z");
    expect(e.ends_at.toISOString()).toBe("2023-09-24T06:00:00.000Z");
    expect(e.sessions.some((s) => s.kind === "fieldwork")).toBe(true);
  });

  it("has the 19th 県集会 at ホテル華の湯 with the dinner exchange and the overnight stay", async () => {
    const e = await event("kenshukai-19");
    expect(e.venue_name).toBe("ホテル華の湯");
    expect(e.venue_address).toContain("郡山市熱海町熱海5丁目8-60");
    expect(e.starts_at.toISOString()).toBe("2024-05-24T04:30:00.000Z");
    expect(e.ends_at.toISOString()).toBe("2024-05-25T02:30:00.000Z");
    const dinner = e.sessions.find((s) => s.kind === "dinner");
    expect(dinner?.title).toContain("夕食交流会");
    expect(dinner?.optional).toBe(true);
    expect(e.sessions.find((s) => s.kind === "lodging")?.optional).toBe(true);
    expect(e.courses.length).toBeGreaterThan(0);
  });

  it("has the 2019 学習会 with its lecture and report awards", async () => {
    const e = await event("gakushukai-2019");
    expect(e.kind).toBe("study_session");
    expect(e.starts_at.toISOString()).toBe("2019-12-09T04:30:00.000Z");
    const titles = e.programme.map((p) => `${p.title} ${p.speaker}`).join("\n");
    expect(titles).toContain("AI・RPA");
    expect(titles).toContain("表彰");
  });

  it("has the three 専門部会 with every meeting, and the shared 全体会 and 中間報告会", async () => {
    const { db } = database;
    const groups = await db
      .selectFrom("working_groups")
      .leftJoin("group_meeting_groups", "group_meeting_groups.group_id", "working_groups.id")
      .select(["working_groups.number", "working_groups.theme"])
      .select((eb) => eb.fn.count<string>("group_meeting_groups.meeting_id").as("meetings"))
      .where("group_meeting_groups.number", "is not", null)
      .groupBy(["working_groups.number", "working_groups.theme"])
      .orderBy("working_groups.number")
      .execute();
    expect(groups.map((g) => [g.number, g.theme, Number(g.meetings)])).toEqual([
      [1, "地域創生", 13],
      [2, "コロナ禍における対応", 4],
      [3, "震災・原発事故", 12],
    ]);
    const shared = await db
      .selectFrom("group_meetings")
      .innerJoin("group_meeting_groups", "group_meeting_groups.meeting_id", "group_meetings.id")
      .select(["group_meetings.key", "group_meetings.starts_at"])
      .select((eb) => eb.fn.count<string>("group_meeting_groups.group_id").as("groups"))
      .groupBy(["group_meetings.key", "group_meetings.starts_at"])
      .having((eb) => eb.fn.count("group_meeting_groups.group_id"), ">", 1)
      .orderBy("group_meetings.starts_at")
      .execute();
    expect(shared.map((m) => [m.starts_at.toISOString().slice(0, 10), Number(m.groups)])).toEqual([
      ["2022-09-22", 3],
      ["2023-03-18", 3],
    ]);
    const siteVisit = await db
      .selectFrom("group_meetings")
      .selectAll()
      .where("key", "=", "g1-11")
      .executeTakeFirstOrThrow();
    expect(siteVisit.place_kind).toBe("site");
    expect(siteVisit.ends_at?.toISOString().slice(0, 10)).toBe("2023-08-27");
  });

  it("has upcoming events open for registration, dated from today", async () => {
    for (const slug of ["online-seminar-next", "zenkoku-40-shimane", "kenshukai-20"]) {
      const e = await event(slug);
      expect(e.status).toBe("published");
      expect(e.starts_at.getTime()).toBeGreaterThan(today.getTime());
      const window = await database.db
        .selectFrom("registration_windows")
        .selectAll()
        .where("event_id", "=", e.id)
        .executeTakeFirstOrThrow();
      expect(window.opens_at.getTime()).toBeLessThanOrEqual(today.getTime());
      expect(window.closes_at.getTime()).toBeGreaterThan(today.getTime());
    }
    expect((await event("zenkoku-40-shimane")).title).toContain("第40回");
    expect((await event("kenshukai-20")).title).toContain("第20回");
  });

  it("has demo members in three 単組 and the staff accounts, and loads only once", async () => {
    const { db } = database;
    const unions = await db
      .selectFrom("people")
      .innerJoin("organisations", "organisations.id", "people.organisation_id")
      .select("organisations.code")
      .where("people.role", "=", "member")
      .distinct()
      .execute();
    expect(unions).toHaveLength(3);
    const roles = await db.selectFrom("people").select("role").distinct().execute();
    expect(roles.map((r) => r.role).sort()).toEqual([
      "admin",
      "member",
      "organiser",
      "reception",
      "secretary",
    ]);

    const again = await loadDemoData(db, { today });
    expect(again.loaded).toBe(false);
    const count = await db
      .selectFrom("events")
      .select((eb) => eb.fn.countAll<string>().as("n"))
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(13);
  });
});
