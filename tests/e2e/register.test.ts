import path from "node:path";
import type { Browser } from "playwright-core";
import { loadDemoData } from "../../db/seed/load";
import { startTestApp } from "../support/app";
import { hasChromium, launchBrowser, PHONE } from "../support/browser";
import { createTestDatabase } from "../support/db";

const shots = path.join(import.meta.dirname, "screenshots");

type DevMail = { messages: { to: string; subject: string; text: string; links: string[] }[] };

describe.skipIf(!hasChromium)("a member on a phone", () => {
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

  async function mailTo(email: string): Promise<DevMail["messages"]> {
    const response = await fetch(`${app.url}/dev/mail.json?to=${encodeURIComponent(email)}`);
    return ((await response.json()) as DevMail).messages;
  }

  it("signs in by the emailed link, registers for コース②, sees the ticket on /me, and gets the email", async () => {
    // An address on 郡山市職労's mail domain: the union confirms it at once.
    const email = "saki.arai@city.koriyama.example.jp";
    const page = await browser.newPage({
      viewport: PHONE,
      locale: "ja-JP",
      timezoneId: "Asia/Tokyo",
    });
    page.setDefaultTimeout(10_000);
    await page.goto(`${app.url}/events/online-seminar-next`);
    await page.getByRole("link", { name: "申し込む" }).click();
    await page.waitForURL(/\/login\?next=/);
    await page.getByLabel("メールアドレス").fill(email);
    await page.screenshot({ path: path.join(shots, "login-phone.png"), fullPage: true });
    await page.getByRole("button", { name: "ログインリンクを送る" }).click();
    await page.getByText("メールを送信しました").waitFor();

    const [loginMail] = await mailTo(email);
    expect(loginMail?.subject).toContain("ログインリンク");
    const link = loginMail?.links.find((l) => l.includes("/login/verify?token="));
    expect(link).toBeTruthy();
    await page.goto(link!.replace(/^https?:\/\/[^/]+/, app.url));
    await page.getByRole("button", { name: "ログインする" }).click();

    // First sign-in: the profile, family name first, kana checked: kanji in セイ
    // is refused; hiragana and a full-width phone number are taken as meant.
    await page.waitForURL(/\/profile/);
    await page.locator('input[name="family_name"]').fill("新井");
    await page.locator('input[name="given_name"]').fill("咲");
    await page.locator('input[name="family_name_kana"]').fill("新井");
    await page.locator('input[name="given_name_kana"]').fill("さき");
    await page.getByLabel("所属単組").selectOption({ label: "郡山市職員労働組合" });
    await page.getByLabel("職場").fill("郡山市役所 企画課");
    await page.getByLabel("電話番号").fill("０９０ー１２３４ー５６７８");
    await page.getByRole("button", { name: "登録して次へ" }).click();
    await page
      .locator("#family_name_kana-error")
      .getByText("セイはカタカナで入力してください")
      .waitFor();
    expect(await page.locator('input[name="family_name"]').inputValue()).toBe("新井");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("error-summary");
    expect(await page.locator("html").evaluate((el) => el.scrollWidth)).toBeLessThanOrEqual(390);
    await page.screenshot({ path: path.join(shots, "profile-error-phone.png"), fullPage: true });
    await page.locator('input[name="family_name_kana"]').fill("あらい");
    await page.getByRole("button", { name: "登録して次へ" }).click();

    await page.waitForURL(/\/events\/online-seminar-next\/register/);
    await page.getByText("コース②").click();
    await page.getByLabel("単組・職場で取り組んだことがある").check();
    await page.locator('input[name="privacy_consent"]').check();
    await page.screenshot({ path: path.join(shots, "register-phone.png"), fullPage: true });
    await page.getByRole("button", { name: "確認する" }).click();
    // 入力 → 確認 → 完了: the confirmation page shows what will be sent, and 修正する goes back with it.
    await page.getByRole("heading", { name: "申込内容の確認" }).waitFor();
    expect(await page.locator(".confirm-list").textContent()).toContain(
      "【中級編】よりよい地域をめざして",
    );
    await page.screenshot({ path: path.join(shots, "register-confirm-phone.png"), fullPage: true });
    await page.getByRole("button", { name: "修正する" }).click();
    await page.getByRole("button", { name: "確認する" }).waitFor();
    expect(await page.getByRole("radio", { name: /コース②/ }).isChecked()).toBe(true);
    await page.getByRole("button", { name: "確認する" }).click();
    await page.getByRole("button", { name: "申し込む" }).click();

    await page.waitForURL(/\/me\?registered=/);
    await page.getByText("申込を受け付けました").waitFor();
    const person = await database.db
      .selectFrom("people")
      .select(["family_name_kana", "given_name_kana", "phone"])
      .where("email", "=", email)
      .executeTakeFirstOrThrow();
    expect(person).toEqual({
      family_name_kana: "アライ",
      given_name_kana: "サキ",
      phone: "090-1234-5678",
    });
    const card = page.locator("article.registration").first();
    expect(await card.textContent()).toContain("【中級編】よりよい地域をめざして");
    // An online seminar has no reception desk: /me leads with the Zoom link and shows no QR.
    expect(await card.getByRole("img", { name: "受付用QRコード" }).count()).toBe(0);
    expect(await card.getByRole("link", { name: "Zoomに参加する" }).count()).toBe(1);
    await page.screenshot({ path: path.join(shots, "me-phone.png"), fullPage: true });

    const confirmation = (await mailTo(email)).find((m) => m.subject.includes("申込完了"));
    expect(confirmation?.text).toContain("【中級編】よりよい地域をめざして");
    expect(confirmation?.text).toContain("zoom.us/j/");
    const { ticket_code: ticketCode } = await database.db
      .selectFrom("registrations")
      .innerJoin("people", "people.id", "registrations.person_id")
      .select("registrations.ticket_code")
      .where("people.email", "=", email)
      .executeTakeFirstOrThrow();
    expect(confirmation?.text).toContain(ticketCode);

    await page.goto(`${app.url}/dev/mail`);
    await page.screenshot({ path: path.join(shots, "dev-mail-phone.png"), fullPage: true });
    await page.close();
  });
});
