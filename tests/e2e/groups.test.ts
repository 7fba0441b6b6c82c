import path from "node:path";
import type { Browser, BrowserContext } from "playwright-core";
import { loadDemoData } from "../../db/seed/load";
import { startTestApp } from "../support/app";
import { DESKTOP, hasChromium, launchBrowser, PHONE } from "../support/browser";
import { createTestDatabase } from "../support/db";
import { browserLike, signIn } from "../support/factories";

const shots = path.join(import.meta.dirname, "screenshots");

type DevMail = { messages: { to: string; subject: string; text: string; links: string[] }[] };

describe.skipIf(!hasChromium)("a 専門部会 member answers from the email", () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let app: Awaited<ReturnType<typeof startTestApp>>;
  let browser: Browser;
  let groupId: number;

  beforeAll(async () => {
    database = await createTestDatabase();
    await loadDemoData(database.db);
    app = await startTestApp(database.db);
    browser = await launchBrowser();
    groupId = (
      await database.db
        .selectFrom("working_groups")
        .select("id")
        .where("number", "=", 1)
        .executeTakeFirstOrThrow()
    ).id;
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await database?.drop();
  });

  async function cookieFor(email: string) {
    const person = await database.db
      .selectFrom("people")
      .select("id")
      .where("email", "=", email)
      .executeTakeFirstOrThrow();
    return signIn(database.db, person.id);
  }

  // Every page must hydrate: a script error fails the test.
  const pageErrors: string[] = [];
  afterEach(() => {
    expect(pageErrors).toEqual([]);
  });

  async function contextAs(email: string | null, viewport = PHONE): Promise<BrowserContext> {
    const context = await browser.newContext({
      viewport,
      locale: "ja-JP",
      timezoneId: "Asia/Tokyo",
    });
    context.on("page", (page) =>
      page.on("pageerror", (error) => pageErrors.push(`${page.url()}: ${error.message}`)),
    );
    if (email) {
      const [name, value] = (await cookieFor(email)).split("=");
      await context.addCookies([{ name: name!, value: value!, url: app.url }]);
    }
    return context;
  }

  it("the organiser adds a meeting; 佐藤 花子 opens the link in the email, answers 出席, then changes it to 欠席", async () => {
    const organiser = browserLike(app.url, await cookieFor("organiser@example.jp"));
    const date = new Date(Date.now() + (21 * 24 + 9) * 3600_000).toISOString().slice(0, 10);
    const added = await organiser.post(`/admin/groups/${groupId}`, {
      intent: "meeting",
      group: String(groupId),
      numbering: "next",
      date,
      start: "18:30",
      end: "20:30",
      place_kind: "zoom",
      online_url: "https://zoom.us/j/84519010001",
    });
    expect(added.status).toBe(302);

    const response = await fetch(
      `${app.url}/dev/mail.json?to=${encodeURIComponent("hanako.sato@example.jp")}`,
    );
    const mail = ((await response.json()) as DevMail).messages.find((m) =>
      m.subject.includes("第1専門部会 第14回"),
    );
    expect(mail?.subject).toContain("開催のお知らせ");
    const link = mail?.links.find((l) => l.includes("/groups/answer/"));
    expect(link).toBeTruthy();

    // No session: the link alone answers.
    const context = await contextAs(null);
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    await page.goto(link!.replace(/^https?:\/\/[^/]+/, app.url));
    await page.getByRole("heading", { name: "出欠の回答" }).waitFor();
    expect(await page.getByText("佐藤 花子 様").isVisible()).toBe(true);
    expect(await page.getByText("現在の回答: 未回答").isVisible()).toBe(true);
    await page.screenshot({ path: path.join(shots, "groups-answer-phone.png"), fullPage: true });

    await page.getByRole("button", { name: "出席" }).click();
    await page.getByRole("heading", { name: "出欠の回答を受け付けました" }).waitFor();
    expect(await page.getByRole("button", { name: "出席" }).getAttribute("aria-pressed")).toBe(
      "true",
    );
    await page.screenshot({ path: path.join(shots, "groups-answered-phone.png"), fullPage: true });

    await page.getByRole("button", { name: "欠席" }).click();
    await page.getByText("欠席と回答しました").waitFor();
    const rows = await database.db
      .selectFrom("meeting_rsvps")
      .innerJoin("people", "people.id", "meeting_rsvps.person_id")
      .select("meeting_rsvps.answer")
      .where("people.email", "=", "hanako.sato@example.jp")
      .execute();
    expect(rows).toEqual([{ answer: "no" }]);
    await context.close();
  });

  it("shows the answer on /me, where it can be changed again", async () => {
    const context = await contextAs("hanako.sato@example.jp");
    const page = await context.newPage();
    await page.goto(`${app.url}/me`);
    const card = page.locator("#group-meetings article").first();
    expect(await card.textContent()).toContain("あなたの回答: 欠席");
    await card.getByRole("button", { name: "未定" }).click();
    await page.waitForURL(/\/me/);
    await page.locator("#group-meetings article").first().getByText("あなたの回答: 未定").waitFor();
    await page.screenshot({ path: path.join(shots, "groups-me-phone.png"), fullPage: true });

    await page.goto(`${app.url}/groups`);
    await page.screenshot({ path: path.join(shots, "groups-list-phone.png"), fullPage: true });
    await page.goto(`${app.url}/groups/${groupId}`);
    await page.getByText("あなたは部会員です").waitFor();
    await page.screenshot({ path: path.join(shots, "groups-detail-phone.png"), fullPage: true });
    await page.goto(`${app.url}/materials`);
    await page.screenshot({ path: path.join(shots, "materials-phone.png"), fullPage: true });
    await page.goto(`${app.url}/reports`);
    await page.screenshot({ path: path.join(shots, "reports-phone.png"), fullPage: true });
    await context.close();
  });

  it("the organiser's pages on a desktop: meetings, answers, attendance and the matrix", async () => {
    const context = await contextAs("organiser@example.jp", DESKTOP);
    const page = await context.newPage();
    await page.goto(`${app.url}/groups`);
    await page.screenshot({ path: path.join(shots, "groups-list-desktop.png"), fullPage: true });
    await page.goto(`${app.url}/admin/groups/${groupId}`);
    await page.screenshot({ path: path.join(shots, "admin-group-desktop.png"), fullPage: true });
    await page.getByRole("link", { name: "第1専門部会 第14回" }).click();
    await page.waitForURL(/\/meetings\/\d+$/);
    await page.getByRole("button", { name: "未回答の部会員にリマインドを送る" }).waitFor();
    await page.screenshot({ path: path.join(shots, "admin-meeting-desktop.png"), fullPage: true });

    const held = await database.db
      .selectFrom("group_meetings")
      .select("id")
      .where("key", "=", "g1-02")
      .executeTakeFirstOrThrow();
    await page.goto(`${app.url}/admin/groups/${groupId}/meetings/${held.id}`);
    await page.getByLabel("佐藤 花子").check();
    await page.getByLabel("鈴木 健太").check();
    await page.getByRole("button", { name: "出席を保存する" }).click();
    await page.getByText("出席を記録しました(出席 2名・欠席 1名)").waitFor();
    await page.goto(`${app.url}/admin/groups/${groupId}/attendance`);
    await page.screenshot({
      path: path.join(shots, "admin-attendance-desktop.png"),
      fullPage: true,
    });
    expect(await page.locator("table.matrix").textContent()).toContain("100%");
    // A 専門部会員募集 open now, with one application, for the pages' screenshots.
    const local = (ms: number) =>
      new Date(Date.now() + ms + 9 * 3600_000).toISOString().slice(0, 16);
    const organiser = browserLike(app.url, await cookieFor("organiser@example.jp"));
    const round = await organiser.post("/admin/groups", {
      intent: "round",
      term: "第19年次",
      title: "第19年次 専門部会員 追加募集",
      description: "各専門部会の部会員を追加で募集します。",
      opens_at: local(-3600_000),
      closes_at: local(14 * 24 * 3600_000),
      max_choices: "3",
    });
    const roundPath = round.headers.get("location") ?? "";
    const roundId = /recruitment\/(\d+)/.exec(roundPath)?.[1];
    const ichiro = browserLike(app.url, await cookieFor("ichiro.takahashi@example.jp"));
    await ichiro.post(`/groups/apply/${roundId}`, {
      choice_1: String(groupId),
      motivation: "危機管理室で避難所運営に携わっており、自治体DXにも関心があります。",
    });
    await page.goto(`${app.url}/admin/groups`);
    await page.screenshot({ path: path.join(shots, "admin-groups-desktop.png"), fullPage: true });
    await page.goto(app.url + roundPath);
    await page.getByText("危機管理室で避難所運営").waitFor();
    await page.screenshot({
      path: path.join(shots, "admin-recruitment-desktop.png"),
      fullPage: true,
    });
    const phone = await contextAs("kenta.suzuki@example.jp");
    const applyPage = await phone.newPage();
    await applyPage.goto(`${app.url}/groups/apply/${roundId}`);
    await applyPage.getByLabel("第1希望").selectOption({ index: 1 });
    await applyPage.getByRole("button", { name: "応募する" }).click();
    await applyPage.getByText("応募の動機を入力してください").first().waitFor();
    await applyPage.screenshot({
      path: path.join(shots, "groups-apply-phone.png"),
      fullPage: true,
    });
    await phone.close();

    await page.goto(`${app.url}/materials/new`);
    await page.screenshot({ path: path.join(shots, "materials-new-desktop.png"), fullPage: true });
    const kenshukai = await database.db
      .selectFrom("events")
      .select("id")
      .where("slug", "=", "kenshukai-19")
      .executeTakeFirstOrThrow();
    await page.goto(`${app.url}/admin/reports/${kenshukai.id}`);
    await page.screenshot({ path: path.join(shots, "admin-reports-desktop.png"), fullPage: true });
    await context.close();
  });
});
