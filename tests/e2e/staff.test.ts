import path from "node:path";

import { DESKTOP, hasChromium, PHONE } from "../support/browser";
import { withDemoBrowser } from "../support/demo-app";
import { waitFor } from "../support/mail";

const shots = path.join(import.meta.dirname, "screenshots");

describe.skipIf(!hasChromium)("staff accounts in Chromium", () => {
  const demo = withDemoBrowser();

  async function invitationLink(email: string): Promise<string> {
    return waitFor(
      async () => {
        const response = await fetch(`${demo.url}/dev/mail.json?to=${encodeURIComponent(email)}`);
        const { messages } = (await response.json()) as { messages: { links: string[] }[] };
        const link = messages[0]?.links.find((l) => l.includes("/admin/set-password?token="));
        return link?.replace(/^https?:\/\/[^/]+/, demo.url);
      },
      { what: "the invitation email" },
    );
  }

  it("an administrator invites an organiser, who sets a password from the emailed link and signs in", async () => {
    const admin = await demo.browser.newPage({
      viewport: DESKTOP,
      locale: "ja-JP",
      timezoneId: "Asia/Tokyo",
    });
    admin.setDefaultTimeout(15_000);
    await admin.goto(`${demo.url}/admin/login`);
    await admin.locator('input[name="email"]').fill("admin@example.jp");
    await admin.locator('input[name="password"]').fill("jichiken-demo-2026");
    await admin.getByRole("button", { name: "ログイン" }).click();
    await admin.waitForURL(/\/admin$/);
    await admin.getByRole("link", { name: "スタッフ管理" }).click();
    await admin.waitForURL(/\/admin\/staff$/);

    const email = "kikaku.tanto@example.jp";
    await admin.getByLabel("氏名").fill("企画 担当");
    await admin.getByLabel("メールアドレス").fill(email);
    await admin.getByLabel("役割").selectOption({ label: "主催担当" });
    await admin.getByLabel("担当イベント(主催担当・受付のみ)").selectOption({ index: 1 });
    await admin.getByRole("button", { name: "招待メールを送る" }).click();
    await admin.getByText(`${email} に招待メールを送りました`).waitFor();
    await admin.getByRole("link", { name: "企画 担当" }).waitFor();
    await admin.screenshot({ path: path.join(shots, "staff-list-desktop.png"), fullPage: true });

    const link = await invitationLink(email);
    const phone = await demo.browser.newContext({
      viewport: PHONE,
      locale: "ja-JP",
      timezoneId: "Asia/Tokyo",
    });
    const organiser = await phone.newPage();
    organiser.setDefaultTimeout(15_000);
    await organiser.goto(link);
    await organiser.getByRole("heading", { name: "パスワードの設定" }).waitFor();
    await organiser.locator('input[name="password"]').fill("password1234");
    await organiser.locator('input[name="confirm"]').fill("password1234");
    await organiser.getByRole("button", { name: "パスワードを設定する" }).click();
    await organiser.getByText("よく使われているパスワード").first().waitFor();
    await organiser.screenshot({
      path: path.join(shots, "set-password-error-phone.png"),
      fullPage: true,
    });
    const password = "企画担当は毎朝バスで通う";
    await organiser.locator('input[name="password"]').fill(password);
    await organiser.locator('input[name="confirm"]').fill(password);
    await organiser.getByRole("button", { name: "パスワードを設定する" }).click();
    await organiser.waitForURL(/\/admin\/login\?password=set/);
    await organiser.getByText("パスワードを設定しました").waitFor();
    expect(await organiser.locator('input[name="email"]').inputValue()).toBe(email);
    await organiser.locator('input[name="password"]').fill(password);
    await organiser.getByRole("button", { name: "ログイン" }).click();
    await organiser.waitForURL(/\/admin$/);
    await organiser.getByText("企画 担当(主催担当)").waitFor();

    // The organiser's own page: the QR of the second factor.
    await organiser.getByRole("link", { name: "アカウント" }).click();
    await organiser.getByRole("img", { name: "認証アプリに登録するためのQRコード" }).waitFor();
    await organiser.screenshot({ path: path.join(shots, "account-phone.png"), fullPage: true });
    await phone.close();

    // The administrator sees the organiser as 利用中 now.
    await admin.reload();
    await admin.getByRole("row", { name: /企画 担当.*利用中/ }).waitFor();
    await admin.getByRole("link", { name: "企画 担当" }).click();
    await admin.getByRole("heading", { name: "変更の履歴" }).waitFor();
    await admin.getByRole("cell", { name: "パスワードの設定" }).waitFor();
    await admin.screenshot({ path: path.join(shots, "staff-account-desktop.png"), fullPage: true });
    await admin.goBack();
    await admin.setViewportSize(PHONE);
    await admin.screenshot({ path: path.join(shots, "staff-list-phone.png"), fullPage: true });
    await admin.close();
  });
});
