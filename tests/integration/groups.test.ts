import ExcelJS from "exceljs";
import { renderEmail } from "../../emails/render";
import type { EmailMessage } from "../../emails/types";
import { getAttendanceMatrix } from "../../app/domain/working-groups/attendance.server";
import { loadDemoData } from "../../db/seed/load";
import { startTestApp } from "../support/app";
import { createTestDatabase } from "../support/db";
import { browserLike, createMember, signIn } from "../support/factories";

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let app: Awaited<ReturnType<typeof startTestApp>>;
const staff: Record<string, ReturnType<typeof browserLike>> = {};
const group: Record<number, number> = {};

beforeAll(async () => {
  database = await createTestDatabase();
  await loadDemoData(database.db);
  app = await startTestApp(database.db);
  for (const role of ["admin", "organiser", "secretary", "reception"]) {
    const person = await personId(`${role}@example.jp`);
    staff[role] = browserLike(app.url, await signIn(database.db, person));
  }
  for (const g of await database.db
    .selectFrom("working_groups")
    .select(["id", "number"])
    .execute()) {
    group[g.number] = g.id;
  }
});
afterAll(async () => {
  await app.close();
  await database.drop();
});

async function personId(email: string): Promise<string> {
  const row = await database.db
    .selectFrom("people")
    .select("id")
    .where("email", "=", email)
    .executeTakeFirstOrThrow();
  return row.id;
}

async function as(email: string) {
  return browserLike(app.url, await signIn(database.db, await personId(email)));
}

/** A member with a completed profile put on the roster of the given groups. */
async function rosterMember(groups: number[], options: { familyName?: string } = {}) {
  const member = await createMember(database.db, options);
  for (const n of groups) {
    await database.db
      .insertInto("working_group_members")
      .values({ group_id: group[n]!, person_id: member.id })
      .execute();
  }
  return { ...member, client: browserLike(app.url, await signIn(database.db, member.id)) };
}

function mailsTo(email: string, template: string) {
  return database.db
    .selectFrom("outbound_emails")
    .select(["subject", "payload"])
    .where("to_address", "=", email)
    .where("template", "=", template)
    .orderBy("id")
    .execute();
}

const inDays = (days: number) => {
  const d = new Date(Date.now() + days * 24 * 60 * 60 * 1000 + 9 * 60 * 60 * 1000);
  return d.toISOString().slice(0, 10);
};

/** Adds a meeting through the organiser's form; returns its id. */
async function addMeeting(fields: Record<string, string | string[]>, groupNumber = 1) {
  const response = await staff.organiser!.post(`/admin/groups/${group[groupNumber]}`, {
    intent: "meeting",
    numbering: "next",
    date: inDays(14),
    start: "13:30",
    end: "16:00",
    place_kind: "room",
    place_name: "県本部自治研室",
    ...fields,
  });
  expect(response.status, await response.clone().text()).toBe(302);
  const match = /\/meetings\/(\d+)/.exec(response.headers.get("location") ?? "");
  return Number(match?.[1]);
}

describe("the seed's 専門部会, meeting by meeting", () => {
  it("lists the three groups with their themes, and every meeting of 第1専門部会 from 第1回 to 第13回", async () => {
    const list = await (await fetch(`${app.url}/groups`)).text();
    expect(list).toContain("第1専門部会「地域創生」");
    expect(list).toContain("第2専門部会「コロナ禍における対応」");
    expect(list).toContain("第3専門部会「震災・原発事故」");

    const page = await (await fetch(`${app.url}/groups/${group[1]}`)).text();
    for (let n = 1; n <= 13; n++) expect(page).toContain(`第${n}回`);
    expect(page).toContain("2023年8月26日(土) 10:00〜8月27日(日) 15:00");
    expect(page).toContain("会津若松市「スマートシティAiCT交流棟」");
    // A stranger sees neither the ZOOM link nor the roster.
    expect(page).not.toContain("zoom.us/j/");
    expect(page).not.toContain("佐藤 花子");
  });

  it("shows the roster and the ZOOM link to a member of the group", async () => {
    const hanako = await as("hanako.sato@example.jp");
    const page = await (await hanako.get(`/groups/${group[1]}`)).text();
    expect(page).toContain("佐藤 花子");
    expect(page).toContain("zoom.us/j/");
    expect(page).toContain("あなたは部会員です");
  });
});

describe("a meeting shared by several groups", () => {
  it("the seed's 全体会 is 第1回 of all three groups, and the 中間報告会 appears in each", async () => {
    const meeting = await database.db
      .selectFrom("group_meetings")
      .select("id")
      .where("key", "=", "chukan-2023")
      .executeTakeFirstOrThrow();
    for (const n of [1, 2, 3]) {
      const page = await (await fetch(`${app.url}/groups/${group[n]}`)).text();
      expect(page).toContain(`id="meeting-${meeting.id}"`);
      expect(page).toContain("各専門部会 第1回(専門部会全体会終了後)");
    }
  });

  it("a joint meeting added for groups 1 and 3 appears in both with each group's next number, not in group 2, and emails each person once", async () => {
    const both = await rosterMember([1, 3]);
    const onlyTwo = await rosterMember([2]);
    const id = await addMeeting({
      group: [String(group[1]), String(group[3])],
      title: "第1・第3専門部会 合同現地調査",
      place_kind: "site",
      place_name: "飯舘村役場",
    });
    const rows = await database.db
      .selectFrom("group_meeting_groups")
      .select(["group_id", "number"])
      .where("meeting_id", "=", id)
      .orderBy("group_id")
      .execute();
    expect(rows).toEqual([
      { group_id: group[1], number: 14 },
      { group_id: group[3], number: 13 },
    ]);
    for (const n of [1, 3]) {
      const page = await (await fetch(`${app.url}/groups/${group[n]}`)).text();
      expect(page).toContain(`id="meeting-${id}"`);
      expect(page).toContain("第1・第3専門部会 合同現地調査");
    }
    const two = await (await fetch(`${app.url}/groups/${group[2]}`)).text();
    expect(two).not.toContain(`id="meeting-${id}"`);

    const mails = await mailsTo(both.email, "group_meeting");
    expect(mails).toHaveLength(1);
    expect(mails[0]?.subject).toContain("開催のお知らせ");
    expect(JSON.stringify(mails[0]?.payload)).toContain("第1専門部会 第14回");
    expect(JSON.stringify(mails[0]?.payload)).toContain("第3専門部会 第13回");
    expect(await mailsTo(onlyTwo.email, "group_meeting")).toHaveLength(0);
    const rendered = await renderEmail(
      { template: "group_meeting", payload: mails[0]!.payload } as EmailMessage,
      { appUrl: "http://localhost" },
    );
    expect(rendered.text).toContain("現地調査");
    expect(rendered.text).toMatch(/http:\/\/localhost\/groups\/answer\/\S{43}/);
    const ics = rendered.attachments.find((a) => a.filename === "meeting.ics");
    expect(ics?.content.toString()).toContain(`UID:group-meeting-${id}@jichiken.local`);
    expect(ics?.content.toString()).toContain("出欠の回答・変更");
    const hanako = await mailsTo("hanako.sato@example.jp", "group_meeting");
    expect(hanako.at(-1)?.subject).toContain("合同現地調査");
  });

  it("refuses a meeting with no place, or an end before its start, in Japanese and adds nothing", async () => {
    const before = await database.db
      .selectFrom("group_meetings")
      .select((eb) => eb.fn.countAll<string>().as("n"))
      .executeTakeFirstOrThrow();
    const response = await staff.organiser!.post(`/admin/groups/${group[1]}`, {
      intent: "meeting",
      group: String(group[1]),
      date: inDays(10),
      start: "18:30",
      end: "17:00",
      place_kind: "zoom",
      online_url: "",
    });
    const html = await response.text();
    expect(response.status).toBe(422);
    expect(html).toContain("ZOOMのURL(https://で始まるもの)を入力してください");
    expect(html).toContain("終了日時は開始日時より後にしてください");
    const after = await database.db
      .selectFrom("group_meetings")
      .select((eb) => eb.fn.countAll<string>().as("n"))
      .executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
  });
});

describe("a meeting entered after the fact", () => {
  it("is recorded with its number but emails nobody", async () => {
    const member = await rosterMember([3]);
    const id = await addMeeting({ group: String(group[3]), date: inDays(-7) }, 3);
    const row = await database.db
      .selectFrom("group_meeting_groups")
      .select("number")
      .where("meeting_id", "=", id)
      .executeTakeFirstOrThrow();
    expect(row.number).toBeGreaterThan(12);
    expect(await mailsTo(member.email, "group_meeting")).toHaveLength(0);
  });
});

describe("RSVP", () => {
  it("a roster member answers 出席, then changes to 欠席: one answer, the latest", async () => {
    const member = await rosterMember([2]);
    const id = await addMeeting({ group: String(group[2]) }, 2);
    const yes = await member.client.post("/groups/rsvp", {
      meeting: String(id),
      answer: "yes",
      redirectTo: "/me",
    });
    expect(yes.status).toBe(302);
    expect(yes.headers.get("location")).toBe("/me");
    await member.client.post("/groups/rsvp", {
      meeting: String(id),
      answer: "no",
      redirectTo: "/me",
    });
    const rows = await database.db
      .selectFrom("meeting_rsvps")
      .select("answer")
      .where("meeting_id", "=", id)
      .where("person_id", "=", member.id)
      .execute();
    expect(rows).toEqual([{ answer: "no" }]);
    const me = await (await member.client.get("/me")).text();
    expect(me).toContain("専門部会の会合(出欠)");
    expect(me).toMatch(/あなたの回答: <strong>欠席<\/strong>/);
  });

  it("answers from the emailed link without signing in, and the answer can be changed there", async () => {
    const member = await rosterMember([3]);
    const id = await addMeeting(
      {
        group: String(group[3]),
        place_kind: "zoom",
        place_name: "",
        online_url: "https://zoom.us/j/123",
      },
      3,
    );
    const [mail] = await mailsTo(member.email, "group_meeting");
    const url = (mail!.payload as { rsvpUrl: string }).rsvpUrl;
    expect(url).toMatch(/\/groups\/answer\/[A-Za-z0-9_-]{43}$/);
    const path = new URL(url).pathname;
    const stranger = browserLike(app.url);
    // Opening the link changes nothing (mail scanners open links too).
    const page = await (await stranger.get(path)).text();
    expect(page).toContain("現在の回答: <strong>未回答</strong>");
    expect(
      await database.db
        .selectFrom("meeting_rsvps")
        .selectAll()
        .where("meeting_id", "=", id)
        .execute(),
    ).toHaveLength(0);
    const answered = await (await stranger.post(path, { answer: "maybe" })).text();
    expect(answered).toContain("出欠の回答を受け付けました");
    await stranger.post(path, { answer: "yes" });
    const rows = await database.db
      .selectFrom("meeting_rsvps")
      .select(["person_id", "answer"])
      .where("meeting_id", "=", id)
      .execute();
    expect(rows).toEqual([{ person_id: member.id, answer: "yes" }]);

    const forged = await (
      await stranger.post("/groups/answer/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", {
        answer: "no",
      })
    ).text();
    expect(forged).toContain("この出欠回答リンクは無効か、期限切れです");
  });

  it("refuses someone on no roster of the meeting, and a meeting that has started", async () => {
    const outsider = await rosterMember([2]);
    const id = await addMeeting({ group: String(group[1]) });
    const refused = await outsider.client.post("/groups/rsvp", {
      meeting: String(id),
      answer: "yes",
    });
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain("部会員ではないため");
    const past = await database.db
      .selectFrom("group_meeting_groups")
      .innerJoin("group_meetings", "group_meetings.id", "group_meeting_groups.meeting_id")
      .select("group_meetings.id")
      .where("group_meetings.key", "=", "g2-02")
      .executeTakeFirstOrThrow();
    const closed = await outsider.client.post("/groups/rsvp", {
      meeting: String(past.id),
      answer: "yes",
    });
    expect(closed.status).toBe(409);
    expect(await closed.text()).toContain("既に始まっている");
    const rows = await database.db
      .selectFrom("meeting_rsvps")
      .selectAll()
      .where("person_id", "=", outsider.id)
      .execute();
    expect(rows).toHaveLength(0);
  });

  it("the organiser sees the answers and reminds only those who have not answered, once per 10 minutes", async () => {
    const answered = await rosterMember([2]);
    const silent = await rosterMember([2]);
    const id = await addMeeting({ group: String(group[2]) }, 2);
    await answered.client.post("/groups/rsvp", { meeting: String(id), answer: "yes" });
    const page = await (
      await staff.organiser!.get(`/admin/groups/${group[2]}/meetings/${id}`)
    ).text();
    expect(page).toContain("出席 1名");
    const remind = await (
      await staff.organiser!.post(`/admin/groups/${group[2]}/meetings/${id}`, { intent: "remind" })
    ).text();
    expect(remind).toMatch(/未回答の\d+名にリマインドメールを送信しました/);
    expect((await mailsTo(silent.email, "group_meeting")).map((m) => m.subject)).toEqual([
      expect.stringContaining("開催のお知らせ"),
      expect.stringContaining("出欠回答のお願い"),
    ]);
    expect(await mailsTo(answered.email, "group_meeting")).toHaveLength(1);
    const again = await (
      await staff.organiser!.post(`/admin/groups/${group[2]}/meetings/${id}`, { intent: "remind" })
    ).text();
    expect(again).toContain("リマインドは10分以内に送信済みです");
    expect(await mailsTo(silent.email, "group_meeting")).toHaveLength(2);
  });

  it("changing a meeting's time emails the roster again, keeping their answers", async () => {
    const member = await rosterMember([1]);
    const id = await addMeeting({ group: String(group[1]) });
    await member.client.post("/groups/rsvp", { meeting: String(id), answer: "yes" });
    const response = await staff.organiser!.post(`/admin/groups/${group[1]}/meetings/${id}`, {
      intent: "edit",
      date: inDays(15),
      start: "18:30",
      end: "20:30",
      place_kind: "zoom",
      online_url: "https://zoom.us/j/999",
    });
    expect(await response.text()).toContain("変更をメールで通知しました");
    const mails = await mailsTo(member.email, "group_meeting");
    expect(mails.at(-1)?.subject).toContain("日程・会場変更のお知らせ");
    expect((mails.at(-1)!.payload as { answer?: string }).answer).toBe("yes");
  });
});

describe("attendance", () => {
  it("ticks a list, shows members × meetings with rates, and exports CSV with a BOM and neutralised formulas", async () => {
    const { db } = database;
    const a = await rosterMember([2], { familyName: '=HYPERLINK("x")' });
    const b = await rosterMember([2]);
    const meetings = await db
      .selectFrom("group_meetings")
      .select("id")
      .where("key", "in", ["g2-02", "g2-03"])
      .orderBy("starts_at")
      .execute();
    const page = (id: number) => `/admin/groups/${group[2]}/meetings/${id}`;
    // g2-02: a attended, b did not; g2-03: both attended.
    await staff.organiser!.post(page(meetings[0]!.id), { intent: "attendance", attended: [a.id] });
    const saved = await (
      await staff.organiser!.post(page(meetings[1]!.id), {
        intent: "attendance",
        attended: [a.id, b.id],
      })
    ).text();
    expect(saved).toContain("出席を記録しました");

    const matrix = await getAttendanceMatrix(db, { groupId: group[2]! });
    expect(matrix.countedMeetings).toBe(2);
    const rowA = matrix.members.find((m) => m.id === a.id);
    const rowB = matrix.members.find((m) => m.id === b.id);
    expect(rowA?.rate).toBe(1);
    expect(rowB?.rate).toBe(0.5);
    expect(rowB?.rate_label).toBe("50%");
    // 髙橋 一郎 is on the roster, was not ticked, so counts as absent at both.
    const ichiro = matrix.members.find((m) => m.name === "髙橋 一郎");
    expect(ichiro?.rate).toBe(0);
    const m2 = matrix.meetings.find((m) => m.id === meetings[0]!.id);
    expect(m2?.attended).toBe(1);
    // A meeting never recorded does not count.
    expect(matrix.meetings.find((m) => !m.counted)?.rate).toBeNull();

    const html = await (await staff.organiser!.get(`/admin/groups/${group[2]}/attendance`)).text();
    expect(html).toContain("出席率");
    expect(html).toContain("50%");

    const csv = await staff.organiser!.get(`/admin/groups/${group[2]}/attendance.csv`);
    expect(csv.headers.get("content-type")).toContain("text/csv");
    expect(csv.headers.get("content-disposition")).toContain(
      `filename="attendance-${group[2]}.csv"; filename*=UTF-8''`,
    );
    const bytes = new Uint8Array(await csv.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder().decode(bytes);
    expect(text).toContain(`"'=HYPERLINK(""x"") 太郎"`);
    expect(text).not.toMatch(/(^|,)=HYPERLINK/m);
    expect(text).toContain("50%");

    const xlsx = await staff.organiser!.get(`/admin/groups/${group[2]}/attendance.xlsx`);
    expect(xlsx.headers.get("content-type")).toContain("spreadsheetml");
    expect(xlsx.headers.get("content-disposition")).toContain(
      `filename="attendance-${group[2]}.xlsx"; filename*=UTF-8''`,
    );
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(await xlsx.arrayBuffer());
    const sheet = workbook.worksheets[0]!;
    const names = sheet.getColumn(1).values as unknown[];
    expect(names).toContain('=HYPERLINK("x") 太郎');
    const nameCell = sheet.getColumn(1).values.indexOf('=HYPERLINK("x") 太郎');
    expect(sheet.getCell(nameCell, 1).type).toBe(ExcelJS.ValueType.String);
    expect(sheet.getCell(nameCell, 4).value).toBe(1);
    expect(sheet.getCell(1, 4).value).toBe("出席率");
  });
});

describe("who may manage groups", () => {
  it("only admins and organisers; a secretary and reception get a 403, a member too", async () => {
    expect((await staff.admin!.get("/admin/groups")).status).toBe(200);
    expect((await staff.organiser!.get(`/admin/groups/${group[1]}`)).status).toBe(200);
    expect((await staff.secretary!.get("/admin/groups")).status).toBe(403);
    expect((await staff.reception!.get(`/admin/groups/${group[1]}/attendance.csv`)).status).toBe(
      403,
    );
    const member = await rosterMember([1]);
    expect((await member.client.get(`/admin/groups/${group[1]}`)).status).toBe(403);
    const refused = await staff.secretary!.post(`/admin/groups/${group[1]}`, {
      intent: "meeting",
      group: String(group[1]),
    });
    expect(refused.status).toBe(403);
  });
});

describe("recruitment (専門部会員募集)", () => {
  it("members apply with ranked choices, the organiser assigns, and everyone is emailed the result", async () => {
    const { db } = database;
    // The next term's groups, and a round open now.
    const created: number[] = [];
    for (const [number, theme] of [
      [1, "地域交通"],
      [2, "子育て支援"],
    ] as const) {
      const r = await staff.organiser!.post("/admin/groups", {
        intent: "group",
        term: "第20年次",
        number: String(number),
        theme,
        topics: "テーマA",
      });
      expect(r.status).toBe(302);
      created.push(Number(/\/admin\/groups\/(\d+)/.exec(r.headers.get("location") ?? "")?.[1]));
    }
    const [g1, g2] = created as [number, number];
    const local = (ms: number) =>
      new Date(Date.now() + ms + 9 * 3600_000).toISOString().slice(0, 16);
    const round = await staff.organiser!.post("/admin/groups", {
      intent: "round",
      term: "第20年次",
      title: "第20年次 専門部会員募集",
      opens_at: local(-3600_000),
      closes_at: local(7 * 24 * 3600_000),
      max_choices: "2",
    });
    expect(round.status).toBe(302);
    const roundId = Number(/recruitment\/(\d+)/.exec(round.headers.get("location") ?? "")?.[1]);
    expect(await (await fetch(`${app.url}/groups`)).text()).toContain("第20年次 専門部会員募集");

    const alice = await rosterMember([]);
    const bob = await rosterMember([]);
    const carol = await rosterMember([]);
    const apply = `/groups/apply/${roundId}`;
    const dup = await (
      await alice.client.post(apply, {
        choice_1: String(g1),
        choice_2: String(g1),
        motivation: "地域交通に関心があります",
      })
    ).text();
    expect(dup).toContain("同じ専門部会を複数の希望に選ぶことはできません");
    const noMotivation = await (
      await alice.client.post(apply, { choice_1: String(g1), motivation: "" })
    ).text();
    expect(noMotivation).toContain("応募の動機を入力してください");
    expect(await db.selectFrom("recruitment_applications").selectAll().execute()).toHaveLength(0);

    await alice.client.post(apply, {
      choice_1: String(g1),
      choice_2: String(g2),
      motivation: "地域交通に関心があります",
    });
    await bob.client.post(apply, {
      choice_1: String(g2),
      choice_2: String(g1),
      motivation: "子育て支援の担当です",
    });
    await carol.client.post(apply, { choice_1: String(g1), motivation: "はじめて応募します" });
    // Alice changes her mind: her application is replaced, not duplicated.
    await alice.client.post(apply, {
      choice_1: String(g2),
      choice_2: String(g1),
      motivation: "やはり子育て支援で",
    });
    const apps = await db
      .selectFrom("recruitment_applications")
      .select(["id", "person_id", "motivation"])
      .where("round_id", "=", roundId)
      .execute();
    expect(apps).toHaveLength(3);
    const aliceChoices = await db
      .selectFrom("recruitment_choices")
      .select(["rank", "group_id"])
      .where("application_id", "=", apps.find((a) => a.person_id === alice.id)!.id)
      .orderBy("rank")
      .execute();
    expect(aliceChoices).toEqual([
      { rank: 1, group_id: g2 },
      { rank: 2, group_id: g1 },
    ]);

    const manage = `/admin/groups/recruitment/${roundId}`;
    // Alice to her second choice, Carol not taken on, Bob by "first choices".
    await staff.organiser!.post(manage, {
      intent: "assign",
      application: apps.find((a) => a.person_id === alice.id)!.id,
      group: String(g1),
    });
    const first = await (await staff.organiser!.post(manage, { intent: "first_choices" })).text();
    expect(first).toContain("未割り当ての2名を第1希望の部会に割り当てました");
    await staff.organiser!.post(manage, {
      intent: "assign",
      application: apps.find((a) => a.person_id === carol.id)!.id,
      group: "",
    });
    const secretary = await staff.secretary!.post(manage, { intent: "announce" });
    expect(secretary.status).toBe(403);

    const announced = await (await staff.organiser!.post(manage, { intent: "announce" })).text();
    expect(announced).toContain("結果をメールで通知しました(部会員 2名・見送り 1名)");
    const rosters = await db
      .selectFrom("working_group_members")
      .select(["group_id", "person_id"])
      .where("group_id", "in", [g1, g2])
      .orderBy("group_id")
      .execute();
    expect(rosters).toEqual([
      { group_id: g1, person_id: alice.id },
      { group_id: g2, person_id: bob.id },
    ]);
    const [aliceMail] = await mailsTo(alice.email, "recruitment_result");
    expect((aliceMail!.payload as { assignedGroup: string }).assignedGroup).toBe(
      "第1専門部会「地域交通」",
    );
    const [carolMail] = await mailsTo(carol.email, "recruitment_result");
    expect((carolMail!.payload as { assignedGroup: string | null }).assignedGroup).toBeNull();
    expect(carolMail?.subject).toContain("結果のお知らせ");
    const render = async (payload: unknown) =>
      (
        await renderEmail({ template: "recruitment_result", payload } as EmailMessage, {
          appUrl: "http://localhost",
        })
      ).text;
    expect(await render(aliceMail!.payload)).toContain(
      "第1専門部会「地域交通」の部会員としてご参加いただくことになりました",
    );
    expect(await render(carolMail!.payload)).toContain(
      "今回は部会員としてのご参加をお願いすることができませんでした",
    );

    const twice = await (await staff.organiser!.post(manage, { intent: "announce" })).text();
    expect(twice).toContain("この募集の結果は既に通知済みです");
    expect(await mailsTo(alice.email, "recruitment_result")).toHaveLength(1);
    const late = await (
      await bob.client.post(apply, { choice_1: String(g1), motivation: "変更したい" })
    ).text();
    expect(late).toContain("専門部会員の募集期間外のため、応募・変更はできません");
  });
});
