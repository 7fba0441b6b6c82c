import path from "node:path";
import type { Page } from "playwright-core";
import { hasChromium, PHONE } from "../support/browser";
import { withDemoBrowser } from "../support/demo-app";
import { createMember, signIn, signInAs } from "../support/factories";

const shots = path.join(import.meta.dirname, "screenshots");

/**
 * Issue 15: the one form-error pattern, on a phone. A failed submit shows one
 * alert, the summary at the top of the form, with focus on it and a link to
 * each field; radio groups in error say so (aria-invalid) and turn red.
 */
describe.skipIf(!hasChromium)("a failed submit on a phone", () => {
  const demo = withDemoBrowser();

  async function memberPage(): Promise<Page> {
    const member = await createMember(demo.db, { familyName: "入力" });
    return pageWith(await signIn(demo.db, member.id));
  }

  async function pageWith(signedIn: string): Promise<Page> {
    const context = await demo.browser.newContext({
      viewport: PHONE,
      locale: "ja-JP",
      timezoneId: "Asia/Tokyo",
    });
    const cookie = signedIn.split("=");
    await context.addCookies([
      { name: cookie[0]!, value: cookie.slice(1).join("="), url: demo.url },
    ]);
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    return page;
  }

  it("the registration form: focus on the one summary, links to each field, radio groups marked invalid", async () => {
    const page = await memberPage();
    await page.goto(`${demo.url}/events/online-seminar-next/register`);
    await page.getByRole("button", { name: "確認する" }).click();
    const summary = page.locator(".error-summary");
    await summary.waitFor();

    // One announcement: the summary is the only alert on the page, and it has focus.
    expect(await page.locator('[role="alert"]').count()).toBe(1);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("error-summary");
    expect(await summary.textContent()).toContain("入力内容をご確認ください");

    // Each error is a link to its field, and the field is there to be reached.
    const links = await summary
      .locator("a")
      .evaluateAll((as) => as.map((a) => ({ href: a.getAttribute("href"), text: a.textContent })));
    const targets = links.map((l) => l.href);
    expect(targets).toContain("#course");
    expect(targets).toContain("#privacy_consent");
    for (const target of targets) expect(await page.locator(target!).count(), target!).toBe(1);

    // The 分科会/コース group and the event's question are radio groups in error.
    const course = page
      .locator('fieldset[role="radiogroup"]')
      .filter({ has: page.locator('input[name="course"]') });
    expect(await course.getAttribute("aria-invalid")).toBe("true");
    expect(await course.getAttribute("aria-describedby")).toContain("course-error");
    for (const radio of await course.locator('input[type="radio"]').all()) {
      expect(await radio.getAttribute("aria-invalid")).toBe("true");
    }
    const question = page
      .locator('fieldset[role="radiogroup"]')
      .filter({ has: page.locator('input[name^="q_"]') });
    expect(await question.first().getAttribute("aria-invalid")).toBe("true");
    const border = await course
      .locator(".choice")
      .first()
      .evaluate((el) => getComputedStyle(el).borderTopColor);
    expect(border).not.toBe(
      await page
        .locator(".choice")
        .last()
        .evaluate((el) => getComputedStyle(el).borderTopColor),
    );

    // Following a link puts the cursor in the field.
    await summary.getByRole("link", { name: /コース|分科会/ }).click();
    expect(await page.evaluate(() => document.activeElement?.getAttribute("name"))).toBe("course");

    // Nothing runs off a 390 px screen.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      390,
    );
    await page.screenshot({ path: path.join(shots, "register-errors-phone.png"), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 800 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      1280,
    );
    await page.screenshot({ path: path.join(shots, "register-errors-desktop.png") });
    await page.context().close();
  });

  it("the profile form: typed inputs at 16 px that fit the phone, one summary", async () => {
    const page = await memberPage();
    await page.goto(`${demo.url}/profile`);
    await page.locator('input[name="family_name_kana"]').fill("阿久津");
    await page.getByRole("button", { name: /保存する|登録して次へ/ }).click();
    await page.locator(".error-summary").waitFor();
    expect(await page.locator('[role="alert"]').count()).toBe(1);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("error-summary");
    const inputs = await page
      .locator("form.form input:not([type=hidden]), form.form select")
      .evaluateAll((els) =>
        els.map((el) => ({
          name: el.getAttribute("name"),
          type: el.tagName === "SELECT" ? "select" : el.getAttribute("type"),
          fontSize: Number.parseFloat(getComputedStyle(el).fontSize),
          height: el.getBoundingClientRect().height,
          right: el.getBoundingClientRect().right,
        })),
      );
    for (const input of inputs) {
      expect(input.type, input.name ?? "").toBeTruthy();
      expect(input.fontSize, input.name ?? "").toBeGreaterThanOrEqual(16);
      expect(input.height, input.name ?? "").toBeGreaterThanOrEqual(44);
      expect(input.right, input.name ?? "").toBeLessThanOrEqual(390);
    }
    expect(inputs.find((i) => i.name === "phone")?.type).toBe("tel");
    expect(await page.locator('input[name="family_name_kana"]').getAttribute("placeholder")).toBe(
      "カタカナ",
    );
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      390,
    );
    await page.screenshot({ path: path.join(shots, "profile-errors-phone.png"), fullPage: true });
    await page.context().close();
  });

  it("the staff proxy form and the new-event form fit a phone, and the proxy form keeps typed Japanese", async () => {
    const page = await pageWith(await signInAs(demo.db, "admin@example.jp"));
    const event = await demo.db
      .selectFrom("events")
      .select("id")
      .where("slug", "=", "online-seminar-next")
      .executeTakeFirstOrThrow();
    await page.goto(`${demo.url}/admin/events/${event.id}/attendees/new`);
    await page.locator('input[name="family_name_kana"]').fill("ﾀﾞｲﾘ");
    await page.locator('input[name="email"]').fill("ｄａｉｒｉ＠ｅｘａｍｐｌｅ．ｊｐ");
    await page.locator('input[name="phone"]').fill("０９０ー１１１１ー２２２２");
    await page.getByRole("button", { name: "申し込む" }).click();
    await page.locator(".error-summary").waitFor();
    expect(await page.locator('[role="alert"]').count()).toBe(1);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("error-summary");
    // the kana, email and phone were taken as meant: their fields have no error
    for (const name of ["family_name_kana", "email", "phone"]) {
      expect(await page.locator(`#${name}-error`).count(), name).toBe(0);
    }
    expect(await page.locator('input[name="email"]').getAttribute("type")).toBe("email");
    expect(await page.locator('input[name="phone"]').getAttribute("type")).toBe("tel");
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      390,
    );
    await page.screenshot({ path: path.join(shots, "proxy-errors-phone.png"), fullPage: true });

    for (const route of ["/admin/events/new", `/admin/events/${event.id}/edit`]) {
      await page.goto(`${demo.url}${route}`);
      expect(
        await page.evaluate(() => document.documentElement.scrollWidth),
        route,
      ).toBeLessThanOrEqual(390);
    }
    await page.screenshot({ path: path.join(shots, "event-edit-phone.png"), fullPage: true });
    await page.context().close();
  });
});
