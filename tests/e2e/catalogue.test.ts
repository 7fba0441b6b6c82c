import path from "node:path";

import { DESKTOP, hasChromium, PHONE } from "../support/browser";
import { withDemoBrowser } from "../support/demo-app";

const shots = path.join(import.meta.dirname, "screenshots");

describe.skipIf(!hasChromium)("a visitor in Chromium", () => {
  const demo = withDemoBrowser();

  for (const [name, viewport] of [
    ["phone", PHONE],
    ["desktop", DESKTOP],
  ] as const) {
    it(`opens the catalogue, filters it, and opens an event page (${name})`, async () => {
      const page = await demo.browser.newPage({
        viewport,
        locale: "ja-JP",
        timezoneId: "Asia/Tokyo",
      });
      await page.goto(demo.url);
      await expect(
        page.getByRole("heading", { name: "これからのイベント" }).isVisible(),
      ).resolves.toBe(true);
      await page.screenshot({ path: path.join(shots, `catalogue-${name}.png`), fullPage: true });

      await page.getByLabel("種別").selectOption("prefectural_convention");
      await page.waitForURL(/kind=prefectural_convention/);
      await expect(page.locator(".event-card h3").allTextContents()).resolves.toEqual(
        expect.arrayContaining(["第19回地方自治研究福島県集会", "第20回地方自治研究福島県集会"]),
      );
      expect(await page.locator("text=オンラインセミナー「自治研って何?").count()).toBe(0);

      await page.getByRole("link", { name: /第19回地方自治研究福島県集会/ }).click();
      await page.waitForURL(/\/events\/kenshukai-19$/);
      const facts = await page.locator(".facts").first().textContent();
      expect(facts).toContain("2024年5月24日(金) 13:30〜5月25日(土) 11:30");
      expect(facts).toContain("ホテル華の湯");
      await page.screenshot({ path: path.join(shots, `event-${name}.png`), fullPage: true });

      await page.goto(`${demo.url}/events/online-seminar-next`);
      await expect(page.getByRole("link", { name: "申し込む" }).isVisible()).resolves.toBe(true);
      await page.screenshot({ path: path.join(shots, `seminar-${name}.png`), fullPage: true });
      await page.close();
    });
  }

  it("Chromium reads the web app manifest without errors and finds the site installable", async () => {
    const page = await demo.browser.newPage({ viewport: PHONE, locale: "ja-JP" });
    await page.goto(demo.url);
    const cdp = await page.context().newCDPSession(page);
    const { url, errors, manifest } = (await cdp.send("Page.getAppManifest" as never)) as {
      url: string;
      errors: { message: string }[];
      manifest?: { name: string; display: string; startUrl: string; icons: unknown[] };
    };
    expect(url).toBe(`${demo.url}/manifest.webmanifest`);
    expect(errors).toEqual([]);
    expect(manifest?.name).toBe("自治研イベント");
    expect(manifest?.display).toBe("kStandalone");
    expect(manifest?.startUrl).toBe(`${demo.url}/`);
    // Installable but for the test's own incognito profile: the icons load and fit.
    const { installabilityErrors } = (await cdp.send("Page.getInstallabilityErrors" as never)) as {
      installabilityErrors: { errorId: string }[];
    };
    expect(
      installabilityErrors.map((e) => e.errorId).filter((id) => id !== "in-incognito"),
    ).toEqual([]);
    await page.close();
  });
});
