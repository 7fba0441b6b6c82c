import path from "node:path";
import type { Browser } from "playwright-core";
import { loadDemoData } from "../../db/seed/load";
import { startTestApp } from "../support/app";
import { DESKTOP, hasChromium, launchBrowser, PHONE } from "../support/browser";
import { createTestDatabase } from "../support/db";
import { createMember, signIn } from "../support/factories";

const shots = path.join(import.meta.dirname, "screenshots");

const tokyoInput = (days: number, time: string) => {
  const d = new Date(Date.now() + days * 86_400_000 + 9 * 3_600_000);
  return `${d.toISOString().slice(0, 10)}T${time}`;
};

describe.skipIf(!hasChromium)("an organiser in Chromium", () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let app: Awaited<ReturnType<typeof startTestApp>>;
  let browser: Browser;

  beforeAll(async () => {
    database = await createTestDatabase();
    await loadDemoData(database.db);
    app = await startTestApp(database.db);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await database?.drop();
  });

  it("creates an event with two courses, a member registers, and the organiser downloads the CSV", async () => {
    const page = await browser.newPage({
      viewport: DESKTOP,
      locale: "ja-JP",
      timezoneId: "Asia/Tokyo",
    });
    page.setDefaultTimeout(10_000);
    await page.goto(`${app.url}/admin`);
    await page.waitForURL(/\/admin\/login/);
    await page.locator('input[name="email"]').fill("organiser@example.jp");
    await page.locator('input[name="password"]').fill("jichiken-demo-2026");
    await page.getByRole("button", { name: "ログイン" }).click();
    await page.waitForURL(/\/admin$/);
    await page.screenshot({ path: path.join(shots, "admin-events-desktop.png"), fullPage: true });

    await page.getByRole("link", { name: "イベントを作成する" }).click();
    await page.locator('input[name="title"]').fill("自治研DX勉強会");
    await page.locator('input[name="slug"]').fill("dx-study-2027");
    await page.locator('select[name="kind"]').selectOption("study_session");
    await page.locator('input[name="starts_at"]').fill(tokyoInput(30, "13:30"));
    await page.locator('input[name="ends_at"]').fill(tokyoInput(30, "16:30"));
    await page.locator('input[name="venue_name"]').fill("福島県青少年会館");
    await page.locator('input[name="opens_at"]').fill(tokyoInput(-1, "09:00"));
    await page.locator('input[name="closes_at"]').fill(tokyoInput(25, "17:00"));
    await page.getByRole("button", { name: "下書きを保存する" }).click();
    await page.waitForURL(/\/edit\?created=1/);
    const eventId = page.url().match(/\/admin\/events\/(\d+)\//)![1]!;

    for (const [code, title] of [
      ["コースA", "はじめての自治体DX"],
      ["コースB", "データで見る地域"],
    ]) {
      await page.locator("details:has(#c-code)").evaluate((el) => {
        (el as HTMLDetailsElement).open = true;
      });
      await page.locator('input[name="code"]').fill(code!);
      await page.locator("#c-title").fill(title!);
      await page.locator("#c-cap").fill("20");
      await page.getByRole("button", { name: "追加する" }).last().click();
      await page.getByText("コース・分科会を追加しました").waitFor();
    }
    await page.getByRole("button", { name: "公開する" }).click();
    await page.getByText("「公開中」にしました").waitFor();
    await page.screenshot({ path: path.join(shots, "admin-edit-desktop.png"), fullPage: true });

    // A member registers for コースB on a phone.
    const member = await createMember(database.db, { familyName: "画面", kana: "ガメン" });
    const phone = await browser.newContext({
      viewport: PHONE,
      locale: "ja-JP",
      timezoneId: "Asia/Tokyo",
    });
    const cookie = (await signIn(database.db, member.id)).split("=");
    await phone.addCookies([{ name: cookie[0]!, value: cookie.slice(1).join("="), url: app.url }]);
    const memberPage = await phone.newPage();
    await memberPage.goto(`${app.url}/events/dx-study-2027/register`);
    await memberPage.getByText("データで見る地域").click();
    await memberPage.locator('input[name="privacy_consent"]').check();
    await memberPage.getByRole("button", { name: "確認する" }).click();
    await memberPage.getByRole("button", { name: "申し込む" }).click();
    await memberPage.waitForURL(/\/me\?registered=/);
    await phone.close();

    await page.goto(`${app.url}/admin/events/${eventId}`);
    await page.screenshot({
      path: path.join(shots, "admin-dashboard-desktop.png"),
      fullPage: true,
    });
    await page.goto(`${app.url}/admin/events/${eventId}/attendees`);
    await page.getByRole("link", { name: "画面 太郎" }).waitFor();
    await page.screenshot({
      path: path.join(shots, "admin-attendees-desktop.png"),
      fullPage: true,
    });

    const csv = await page.request.get(
      `${app.url}/admin/events/${eventId}/export.csv?encoding=utf8`,
    );
    expect(csv.status()).toBe(200);
    const text = (await csv.body()).toString("utf8");
    expect(text.charCodeAt(0)).toBe(0xfeff);
    expect(text).toContain("画面");
    expect(text).toContain("データで見る地域");

    await page.setViewportSize(PHONE);
    await page.goto(`${app.url}/admin/events/${eventId}/attendees`);
    await page.screenshot({ path: path.join(shots, "admin-attendees-phone.png"), fullPage: true });
    await page.close();
  });
});
