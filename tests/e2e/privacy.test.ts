import { readFileSync } from "node:fs";
import path from "node:path";

import { DESKTOP, hasChromium, PHONE } from "../support/browser";
import { withDemoBrowser } from "../support/demo-app";
import { createMember, signIn, signInAs } from "../support/factories";

const shots = path.join(import.meta.dirname, "screenshots");

/** Issue 17 end to end: a member consents, downloads their data, and deletes their account. */
describe.skipIf(!hasChromium)("a member's personal data in the browser", () => {
  const demo = withDemoBrowser();

  it("consents at registration (refused first without it), downloads the data, and deletes the account", async () => {
    const { db } = demo;
    const member = await createMember(db, { familyName: "個人" });
    const context = await demo.browser.newContext({
      viewport: PHONE,
      locale: "ja-JP",
      timezoneId: "Asia/Tokyo",
      acceptDownloads: true,
    });
    const cookie = (await signIn(db, member.id)).split("=");
    await context.addCookies([
      { name: cookie[0]!, value: cookie.slice(1).join("="), url: demo.url },
    ]);
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);

    await page.goto(`${demo.url}/events/online-seminar-next/register`);
    await page.getByText("コース②").click();
    await page.getByLabel("単組・職場で取り組んだことがある").check();
    // an online seminar asks no meal question; the access need is the sensitive data here
    await page.locator('textarea[name="accessibility_needs"]').fill("字幕を希望します");
    // no consent at all: refused in Japanese at the 確認 step, nothing written
    await page.getByRole("button", { name: "確認する" }).click();
    await page
      .getByText("「個人情報の取扱い」に同意いただけない場合は、申し込めません")
      .first()
      .waitFor();
    // the notice, then consent to it but not to the needs: refused again
    await page.getByText(/個人情報の取扱い\(第1版/).click();
    await page.getByText("利用目的").first().waitFor();
    await page.locator('input[name="privacy_consent"]').check();
    await page.getByRole("button", { name: "確認する" }).click();
    await page.getByText("その利用への同意が必要です").first().waitFor();
    expect(
      await db
        .selectFrom("registrations")
        .select("id")
        .where("person_id", "=", member.id)
        .execute(),
    ).toHaveLength(0);
    await page.screenshot({ path: path.join(shots, "consent-refused-phone.png"), fullPage: true });
    await page.locator('input[name="privacy_consent"]').check();
    await page.locator('input[name="needs_consent"]').check();
    await page.getByRole("button", { name: "確認する" }).click();
    await page.getByRole("heading", { name: "申込内容の確認" }).waitFor();
    expect(
      await db
        .selectFrom("registrations")
        .select("id")
        .where("person_id", "=", member.id)
        .execute(),
    ).toHaveLength(0);
    await page.getByRole("button", { name: "申し込む" }).click();
    await page.waitForURL(/\/me\?registered=/);
    const reg = await db
      .selectFrom("registrations")
      .selectAll()
      .where("person_id", "=", member.id)
      .executeTakeFirstOrThrow();
    expect(reg.consent_version).toBe(1);
    expect(reg.needs_consented_at).not.toBeNull();

    // the footer links the notice; /me links the member's data
    expect(
      await page.locator("footer").getByRole("link", { name: "個人情報の取扱い" }).count(),
    ).toBe(1);
    await page.getByRole("link", { name: "わたしのデータ" }).click();
    await page.waitForURL(/\/me\/data$/);
    await page.getByText("字幕を希望します").waitFor();
    await page.screenshot({ path: path.join(shots, "my-data-phone.png"), fullPage: true });

    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: "JSONでダウンロード" }).click(),
    ]);
    const file = await download.path();
    const data = JSON.parse(readFileSync(file, "utf8")) as {
      profile: { email: string };
      registrations: { accessibilityNeeds: string }[];
    };
    expect(data.profile.email).toBe(member.email);
    expect(data.registrations[0]?.accessibilityNeeds).toBe("字幕を希望します");
    const [csv] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: "CSVでダウンロード" }).click(),
    ]);
    expect(readFileSync(await csv.path(), "utf8")).toContain("字幕を希望します");

    // delete: the warning first, the confirmation box required
    await page.getByText("削除すると、元に戻せません。").waitFor();
    await page.getByRole("button", { name: "アカウントを削除する" }).click();
    await page.getByText("「取り消せないことを理解しました」にチェックを入れてください").waitFor();
    expect(
      (
        await db
          .selectFrom("people")
          .select("deleted_at")
          .where("id", "=", member.id)
          .executeTakeFirstOrThrow()
      ).deleted_at,
    ).toBeNull();
    await page.getByLabel("削除すると取り消せないことを理解しました").check();
    await page.getByRole("button", { name: "アカウントを削除する" }).click();
    await page.waitForURL(/\/me\/data\/deleted$/);
    await page.getByRole("heading", { name: "アカウントを削除しました" }).waitFor();
    const after = await db
      .selectFrom("registrations")
      .selectAll()
      .where("id", "=", reg.id)
      .executeTakeFirstOrThrow();
    expect(after.status).toBe("cancelled");
    expect(after.accessibility_needs).toBe("");
    // signed out everywhere
    await page.goto(`${demo.url}/me`);
    await page.waitForURL(/\/login/);
    await context.close();

    // the administrator's page, for a look at a desktop width
    const admin = await demo.browser.newContext({
      viewport: DESKTOP,
      locale: "ja-JP",
      timezoneId: "Asia/Tokyo",
    });
    const adminCookie = (await signInAs(db, "admin@example.jp")).split("=");
    await admin.addCookies([
      { name: adminCookie[0]!, value: adminCookie.slice(1).join("="), url: demo.url },
    ]);
    const adminPage = await admin.newPage();
    await adminPage.goto(`${demo.url}/admin/privacy?kind=all`);
    await adminPage.getByText("次回の実行で削除されるもの").waitFor();
    await adminPage.getByText("本人によるデータのダウンロード").first().waitFor();
    await adminPage.getByText("アカウントの削除").first().waitFor();
    await adminPage.screenshot({
      path: path.join(shots, "admin-privacy-desktop.png"),
      fullPage: true,
    });
    await admin.close();
  });
});
