import { readFileSync } from "node:fs";
import path from "node:path";
import iconv from "iconv-lite";
import type { Browser, Page } from "playwright-core";
import { register } from "../../app/domain/registrations.server";
import { loadDemoData } from "../../db/seed/load";
import { startTestApp } from "../support/app";
import { DESKTOP, hasChromium, launchBrowser, PHONE } from "../support/browser";
import { createTestDatabase } from "../support/db";
import { CONSENT, createMember, signIn, registrationInput } from "../support/factories";

const shots = path.join(import.meta.dirname, "..", "e2e", "screenshots");
const SLUG = "kenshukai-20";

describe.skipIf(!hasChromium)("the export page in a browser", () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let app: Awaited<ReturnType<typeof startTestApp>>;
  let browser: Browser;
  let eventId: number;
  let cookie: { name: string; value: string };

  beforeAll(async () => {
    database = await createTestDatabase();
    const { db } = database;
    await loadDemoData(db);
    app = await startTestApp(db);
    browser = await launchBrowser();
    const event = await db
      .selectFrom("events")
      .select("id")
      .where("slug", "=", SLUG)
      .executeTakeFirstOrThrow();
    eventId = event.id;
    const course = await db
      .selectFrom("courses")
      .select("id")
      .where("event_id", "=", eventId)
      .orderBy("position")
      .executeTakeFirstOrThrow();
    const question = await db
      .selectFrom("event_questions")
      .select("id")
      .where("event_id", "=", eventId)
      .where("required", "=", true)
      .executeTakeFirstOrThrow();
    for (const [family, kana] of [
      ["髙橋", "タカハシ"],
      ["山﨑", "ヤマサキ"],
      ["佐藤", "サトウ"],
    ] as const) {
      const member = await createMember(db, { familyName: family, kana });
      await register(db, {
        slug: SLUG,
        personId: member.id,
        appUrl: "http://localhost",
        consent: CONSENT,
        input: registrationInput(course.id, {
          answers: { [String(question.id)]: "発表しない" },
          dietaryNeeds: family === "佐藤" ? "=1+1" : "",
        }),
      });
    }
    const organiser = await db
      .selectFrom("people")
      .select("id")
      .where("email", "=", "organiser@example.jp")
      .executeTakeFirstOrThrow();
    const [name, value] = (await signIn(db, organiser.id)).split("=") as [string, string];
    cookie = { name, value };
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await database?.drop();
  });

  async function open(viewport: { width: number; height: number }, query: string): Promise<Page> {
    const context = await browser.newContext({
      viewport,
      locale: "ja-JP",
      timezoneId: "Asia/Tokyo",
      acceptDownloads: true,
    });
    await context.addCookies([{ ...cookie, url: app.url }]);
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(`${app.url}/admin/events/${eventId}/export${query}`);
    // hydrated: the script-driven download and the auto-refresh are in place
    await page.waitForFunction(() => "__remixRouter" in window);
    await page.waitForLoadState("networkidle");
    return page;
  }

  it("warns about 髙 and 﨑 before a Shift_JIS download, then downloads with progress and the replacements", async () => {
    const page = await open(DESKTOP, "");
    await page.getByLabel("Shift_JIS").check();
    // the page checks the characters as soon as Shift_JIS is picked
    await page.waitForURL(/encoding=sjis/);
    await page.getByText("Shift_JISでは表せない文字が").waitFor();
    await page.screenshot({ path: path.join(shots, "export-sjis-desktop.png"), fullPage: true });
    const table = page.getByRole("alert").filter({ hasText: "Shift_JIS" });
    expect(await table.getByText("髙 → 高").isVisible()).toBe(true);
    expect(await table.getByText("﨑 → 崎").isVisible()).toBe(true);

    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByTestId("export-download").click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^参加者一覧_kenshukai-20_\d{8}\.csv$/);
    await page.getByText("ダウンロードが完了しました(3件").waitFor();
    const text = iconv.decode(readFileSync((await download.path())!), "cp932");
    expect(text).toContain("高橋 太郎");
    expect(text).toContain("山崎 太郎");
    await page.context().close();
  });

  it("saves the checked columns as a preset and applies it again after other changes", async () => {
    const page = await open(DESKTOP, "");
    const workplace = page.getByRole("checkbox", { name: "職場" });
    await workplace.uncheck();
    await page.waitForURL(/columns=/);
    await page.getByText("選んだ項目をプリセットとして保存する").click();
    await page.getByLabel("プリセット名").fill("受付用");
    await page.getByRole("button", { name: "プリセットを保存" }).click();
    await page.getByText("プリセット「受付用」を保存しました。").waitFor();
    await expect.poll(() => workplace.isChecked()).toBe(false);

    await page.getByRole("checkbox", { name: "メールアドレス" }).check();
    await page.waitForURL(/columns=email/);
    await page.getByRole("link", { name: "適用" }).click();
    await page.waitForURL(/preset=/);
    await expect
      .poll(() => page.getByRole("checkbox", { name: "メールアドレス" }).isChecked())
      .toBe(false);
    expect(await page.getByRole("checkbox", { name: "氏名" }).isChecked()).toBe(true);
    expect(await workplace.isChecked()).toBe(false);
    await page.context().close();
  });

  it("looks right on a phone, with the course lists for facilitators", async () => {
    const page = await open(PHONE, "?format=roster&group=union");
    await page.getByRole("heading", { name: "コース・分科会ごとの名簿(担当者用)" }).waitFor();
    await page.screenshot({ path: path.join(shots, "export-phone.png"), fullPage: true });
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(PHONE.width);
    await page.context().close();
  });
});
