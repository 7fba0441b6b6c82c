import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import QRCode from "qrcode";
import { register } from "../../app/domain/registrations.server";
import { loadDemoData } from "../../db/seed/load";
import { startTestApp } from "../support/app";
import { DESKTOP, hasChromium, launchBrowser, PHONE } from "../support/browser";
import { createTestDatabase } from "../support/db";
import {
  CONSENT,
  createMember,
  eventIdOf,
  signInAs,
  registrationInput,
} from "../support/factories";

const shots = path.join(import.meta.dirname, "screenshots");
const SLUG = "kenshukai-20";
const hasFfmpeg = (() => {
  try {
    execFileSync("ffmpeg", ["-version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

describe.skipIf(!hasChromium)("the reception desk in Chromium", () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let app: Awaited<ReturnType<typeof startTestApp>>;
  let browser: Browser;
  let receptionCookie: string;
  let eventId: number;
  let courseId: number;
  const workDir = mkdtempSync(path.join(os.tmpdir(), "checkin-e2e-"));

  beforeAll(async () => {
    database = await createTestDatabase();
    const { db } = database;
    await loadDemoData(db);
    app = await startTestApp(db);
    browser = await launchBrowser();
    eventId = await eventIdOf(db, SLUG);
    courseId = (
      await db
        .selectFrom("courses")
        .select("id")
        .where("event_id", "=", eventId)
        .where("key", "=", "bunkakai-2")
        .executeTakeFirstOrThrow()
    ).id;
    receptionCookie = await signInAs(db, "reception@example.jp");
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await database?.drop();
    rmSync(workDir, { recursive: true, force: true });
  });

  /** A member registered through the real register(), with needs to show at the desk. */
  async function ticket(familyName: string, kana: string) {
    const { db } = database;
    const member = await createMember(db, { familyName, kana });
    const result = await register(db, {
      slug: SLUG,
      personId: member.id,
      input: registrationInput(courseId, {
        dietaryNeeds: "えび・かにアレルギー",
        accessibilityNeeds: "車いすで参加します",
      }),
      appUrl: "http://localhost",
      consent: CONSENT,
    });
    return db
      .selectFrom("registrations")
      .select(["id", "ticket_secret", "ticket_code"])
      .where("id", "=", result.id)
      .executeTakeFirstOrThrow();
  }

  async function deskContext(
    target: Browser,
    viewport = PHONE,
    cookie = receptionCookie,
  ): Promise<BrowserContext> {
    const context = await target.newContext({
      viewport,
      locale: "ja-JP",
      timezoneId: "Asia/Tokyo",
      serviceWorkers: "allow",
    });
    const [name, ...rest] = cookie.split("=");
    await context.addCookies([{ name: name!, value: rest.join("="), url: app.url }]);
    return context;
  }

  /**
   * Opens the desk under the app's Content-Security-Policy (issue 13), noting
   * every violation the page reports, so a test can show the camera, the
   * wasm QR decoder and the service worker all work under it.
   */
  async function openDesk(context: BrowserContext): Promise<Page> {
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    const violations: string[] = [];
    violationsOf.set(page, violations);
    page.on("console", (m) => {
      if (/Content[- ]Security[- ]Policy/i.test(m.text())) violations.push(m.text());
    });
    await page.addInitScript(() => {
      document.addEventListener("securitypolicyviolation", (e) => {
        console.error(`Content-Security-Policy violation: ${e.violatedDirective} ${e.blockedURI}`);
      });
    });
    const response = await page.goto(`${app.url}/checkin/${SLUG}`);
    const csp = response?.headers()["content-security-policy"] ?? "";
    const scriptSrc = csp.split(";").find((d) => d.trim().startsWith("script-src")) ?? "";
    expect(scriptSrc).toMatch(/'nonce-[^']+'/);
    expect(scriptSrc).not.toContain("unsafe-inline");
    expect(csp).toContain("frame-ancestors 'none'");
    await page.locator('.checkin[data-ready="true"]').waitFor();
    return page;
  }
  const violationsOf = new WeakMap<Page, string[]>();

  async function count(page: Page): Promise<number> {
    return Number(await page.getByTestId("checkin-count").textContent());
  }

  async function checkinsOf(registrationId: string) {
    return database.db
      .selectFrom("checkins")
      .selectAll()
      .where("registration_id", "=", registrationId)
      .execute();
  }

  it("green, amber and red fill the phone screen with the person, the notes and the reason", async () => {
    const t = await ticket("緑川", "ミドリカワ");
    const context = await deskContext(browser);
    const page = await openDesk(context);
    await page.screenshot({ path: path.join(shots, "checkin-phone.png"), fullPage: true });
    const input = page.getByLabel("QRリーダー・受付番号");

    await input.fill(t.ticket_code.toLowerCase());
    await input.press("Enter");
    const green = page.locator(".checkin-result--green");
    await green.waitFor();
    expect(await green.textContent()).toContain("緑川 太郎");
    expect(await green.textContent()).toContain("えび・かにアレルギー");
    expect(await green.textContent()).toContain("第2分科会");
    await page.screenshot({ path: path.join(shots, "checkin-green-phone.png") });
    await page.getByRole("button", { name: "次の方へ" }).click();

    await input.fill(t.ticket_code);
    await input.press("Enter");
    const amber = page.locator(".checkin-result--amber");
    await amber.waitFor();
    // Said once: when, where and by whom, not "15:29に受付で受付済み".
    expect(await amber.textContent()).toMatch(/既に受付済みです。受付時刻 \d\d:\d\d\(受付、担当: /);
    await page.screenshot({ path: path.join(shots, "checkin-amber-phone.png") });
    await page.getByRole("button", { name: "次の方へ" }).click();

    await input.fill(`${t.ticket_secret.slice(0, -2)}xx`);
    await input.press("Enter");
    const red = page.locator(".checkin-result--red");
    await red.waitFor();
    expect(await red.textContent()).toContain("確認できません");
    expect(await red.textContent()).not.toContain("緑川");
    await page.screenshot({ path: path.join(shots, "checkin-red-phone.png") });
    await page.getByRole("button", { name: "次の方へ" }).click();

    // Manual search by kana in hiragana finds the person and shows they are in.
    await page.getByLabel("氏名・フリガナ・受付番号で探す").fill("みどりかわ");
    await page.locator(".checkin-found li").first().waitFor();
    await page.getByLabel("氏名・フリガナ・受付番号で探す").fill("緑川");
    expect(await page.locator(".checkin-found").textContent()).toContain("受付済み");
    await page.screenshot({ path: path.join(shots, "checkin-search-phone.png"), fullPage: true });
    expect(await checkinsOf(t.id)).toHaveLength(1);
    await context.close();

    const desktop = await deskContext(browser, DESKTOP);
    const wide = await openDesk(desktop);
    await wide.screenshot({ path: path.join(shots, "checkin-desktop.png"), fullPage: true });
    await desktop.close();
  });

  it("the answer fills a phone's screen, is read from a metre away, holds focus, stays until the next person, and Escape closes it", async () => {
    const t = await ticket("遠見", "トオミ");
    const next = await ticket("次郎丸", "ジロウマル");
    const context = await deskContext(browser);
    const page = await openDesk(context);
    // The page below is scrolled: the answer still covers the screen.
    await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
    const input = page.getByLabel("QRリーダー・受付番号");
    await input.fill(t.ticket_code);
    await input.press("Enter");
    const green = page.locator(".checkin-result--green");
    await green.waitFor();
    const shownAt = Date.now();
    await page.evaluate(() => {
      const w = window as unknown as { answerClosed?: boolean };
      new MutationObserver(() => {
        if (!document.querySelector(".checkin-result")) w.answerClosed = true;
      }).observe(document.body, { childList: true, subtree: true });
    });

    // Sizes, in CSS pixels: the name at 48 or more, everything else about the person at 24 or more.
    const sizes = await page.evaluate(() => {
      const px = (el: Element) => Number.parseFloat(getComputedStyle(el).fontSize);
      const all = (selector: string) => [...document.querySelectorAll(selector)].map(px);
      return {
        name: all(".checkin-result__name"),
        rest: all(
          ".checkin-result__kana, .checkin-result__facts dt, .checkin-result__facts dd, .checkin-result__needs dt, .checkin-result__needs dd",
        ),
        labels: [...document.querySelectorAll(".checkin-result dt")].map((e) => e.textContent),
      };
    });
    expect(sizes.name).toHaveLength(1);
    expect(sizes.name[0]).toBeGreaterThanOrEqual(48);
    // kana, 3 facts and 2 needs, each label and value
    expect(sizes.rest.length).toBeGreaterThanOrEqual(11);
    for (const size of sizes.rest) expect(size).toBeGreaterThanOrEqual(24);
    // The event's own word for its course (kenshukai-20 says 分科会).
    expect(sizes.labels).toEqual(["所属", "分科会", "受付番号", "食事の配慮", "その他の配慮"]);

    // It covers the whole 390×844 viewport: every corner is the answer.
    const cover = await page.evaluate(() => {
      const box = document.querySelector(".checkin-result")!.getBoundingClientRect();
      const inside = (x: number, y: number) =>
        document.elementFromPoint(x, y)?.closest(".checkin-result") !== null;
      const w = window.innerWidth;
      const h = window.innerHeight;
      return {
        box: [box.left, box.top, box.width, box.height],
        viewport: [w, h],
        corners: [inside(1, 1), inside(w - 2, 1), inside(1, h - 2), inside(w - 2, h - 2)],
      };
    });
    expect(cover.viewport).toEqual([390, 844]);
    expect(cover.box).toEqual([0, 0, 390, 844]);
    expect(cover.corners).toEqual([true, true, true, true]);
    await page.screenshot({ path: path.join(shots, "checkin-result-phone.png") });

    // Focus is on 「次の方へ」, and Tab never leaves the answer: it is a modal dialog, the page below inert.
    const focused = () =>
      page.evaluate(() => ({
        text: document.activeElement?.textContent ?? "",
        inAnswer: document.activeElement?.closest(".checkin-result") !== null,
      }));
    expect(await focused()).toEqual({ text: "次の方へ", inAnswer: true });
    expect(
      await page.evaluate(() => document.querySelector(".checkin-result")?.matches(":modal")),
    ).toBe(true);
    for (let i = 0; i < 4; i++) {
      await page.keyboard.press("Tab");
      // Focus stays in the answer, or leaves the page for the browser's own controls (body).
      const where = await page.evaluate(() => {
        const active = document.activeElement;
        if (!active || active === document.body) return "page left";
        return active.closest(".checkin-result") ? "answer" : active.outerHTML.slice(0, 80);
      });
      expect(["answer", "page left"]).toContain(where);
    }

    // Still there after the old 3 seconds: waited for by the desk's next counter poll, past that time.
    await page.waitForResponse(
      (r) => r.url().endsWith(`/checkin/${SLUG}/counts`) && Date.now() - shownAt > 3500,
      { timeout: 20_000 },
    );
    expect(await green.isVisible()).toBe(true);
    expect(
      await page.evaluate(() => (window as { answerClosed?: boolean }).answerClosed),
    ).toBeUndefined();

    // Escape closes it and gives the ticket field back.
    await page.keyboard.press("Escape");
    await green.waitFor({ state: "detached" });
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("checkin-ticket");

    // A USB reader types the next ticket over an answer: it is read, and the next answer shows.
    await input.fill(t.ticket_code);
    await input.press("Enter");
    await page.locator(".checkin-result--amber").waitFor();
    await page.screenshot({ path: path.join(shots, "checkin-result-amber-phone.png") });
    await page.keyboard.type(next.ticket_code);
    await page.keyboard.press("Enter");
    await page.locator(".checkin-result--green", { hasText: "次郎丸 太郎" }).waitFor();
    expect(await checkinsOf(next.id)).toHaveLength(1);
    expect(await focused()).toEqual({ text: "次の方へ", inAnswer: true });
    await context.close();

    const desktop = await deskContext(browser, DESKTOP);
    const wide = await openDesk(desktop);
    await wide.getByLabel("QRリーダー・受付番号").fill(t.ticket_code);
    await wide.getByLabel("QRリーダー・受付番号").press("Enter");
    await wide.locator(".checkin-result--amber").waitFor();
    await wide.screenshot({ path: path.join(shots, "checkin-result-desktop.png") });
    await desktop.close();
  });

  it.skipIf(!hasFfmpeg)(
    "the camera reads a real ticket's QR, checks the person in once while it is held there, and the counter goes up",
    async () => {
      const t = await ticket("映像", "エイゾウ");
      const png = path.join(workDir, "ticket.png");
      const video = path.join(workDir, "ticket.y4m");
      await QRCode.toFile(png, t.ticket_secret, {
        errorCorrectionLevel: "M",
        margin: 4,
        width: 360,
      });
      execFileSync(
        "ffmpeg",
        [
          ...["-y", "-loglevel", "error", "-loop", "1", "-i", png],
          ...[
            "-vf",
            "scale=640:480:force_original_aspect_ratio=decrease,pad=640:480:(ow-iw)/2:(oh-ih)/2:white,format=yuv420p",
          ],
          ...["-t", "3", "-r", "10", video],
        ],
        { stdio: "ignore" },
      );
      const cameraBrowser = await launchBrowser([
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        `--use-file-for-fake-video-capture=${video}`,
      ]);
      try {
        const context = await deskContext(cameraBrowser);
        await context.grantPermissions(["camera"], { origin: app.url });
        const page = await openDesk(context);
        const before = await count(page);
        await page.getByRole("button", { name: "カメラで読み取る" }).click();
        const green = page.locator(".checkin-result--green");
        await green.waitFor({ timeout: 20_000 });
        expect(await green.textContent()).toContain("映像 太郎");
        await page.waitForFunction(
          (n) => Number(document.querySelector('[data-testid="checkin-count"]')?.textContent) === n,
          before + 1,
        );
        expect(await page.locator(".checkin-camera").textContent()).toMatch(/読み取り中です/);
        // The QR stays in front of the camera: it is not sent again, and its answer stays up.
        await page.waitForTimeout(5000);
        expect(await green.isVisible()).toBe(true);
        await page.getByRole("button", { name: "次の方へ" }).click();
        await page.screenshot({ path: path.join(shots, "checkin-camera-phone.png") });
        const scans = await database.db
          .selectFrom("checkin_scans")
          .select("client_nonce")
          .where("registration_id", "=", t.id)
          .execute();
        expect(scans).toHaveLength(1);
        expect(await checkinsOf(t.id)).toHaveLength(1);
        // Camera, wasm decoder and page scripts all ran under the CSP, with nothing blocked.
        expect(violationsOf.get(page)).toEqual([]);
        await page.getByRole("button", { name: "カメラを止める" }).click();
        await context.close();
      } finally {
        await cameraBrowser.close();
      }
    },
  );

  it("offline, a desk checks in by the keyboard against its roster, and the check-in lands once when the network is back", async () => {
    const t = await ticket("大野", "オオノ");
    const context = await deskContext(browser);
    const page = await openDesk(context);
    // The service worker has taken over and kept the page, so a reload works offline too.
    await page.waitForFunction(() => navigator.serviceWorker?.controller !== null, undefined, {
      timeout: 15_000,
    });
    await page.waitForTimeout(1000);
    const before = await count(page);

    await context.setOffline(true);
    await page.reload();
    await page.locator('.checkin[data-ready="true"]').waitFor();
    const status = page.getByTestId("checkin-status");
    await expect.poll(() => status.textContent()).toContain("通信: オフライン");

    const input = page.getByLabel("QRリーダー・受付番号");
    await input.fill(t.ticket_code);
    await input.press("Enter");
    const green = page.locator(".checkin-result--green");
    await green.waitFor();
    expect(await green.textContent()).toContain("大野 太郎");
    expect(await green.textContent()).toContain("オフラインで確認しました");
    await page.getByRole("button", { name: "次の方へ" }).click();
    expect(await status.textContent()).toContain("未送信 1件");
    expect(await count(page)).toBe(before + 1);
    await page.screenshot({ path: path.join(shots, "checkin-offline-phone.png"), fullPage: true });

    // A second scan of the same ticket offline is a duplicate on this device.
    await input.fill(t.ticket_code);
    await input.press("Enter");
    await page.locator(".checkin-result--amber").waitFor();
    await page.getByRole("button", { name: "次の方へ" }).click();
    expect(await checkinsOf(t.id)).toHaveLength(0);

    await context.setOffline(false);
    await expect.poll(() => status.textContent(), { timeout: 20_000 }).toBe("通信: 接続中");
    await page.getByText("オフライン中の受付1件を送信しました").waitFor();
    const rows = await checkinsOf(t.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.client_nonce).toBeTruthy();
    // Recorded under the session's desk name, the one the desk took its roster with.
    expect(rows[0]!.desk).toBe("受付");
    await expect.poll(() => count(page)).toBe(before + 1);

    // Reloading sends nothing again.
    await page.reload();
    await page.locator('.checkin[data-ready="true"]').waitFor();
    expect(await status.textContent()).toBe("通信: 接続中");
    expect(await checkinsOf(t.id)).toHaveLength(1);
    // The service worker and the offline roster worked under the CSP, nothing blocked.
    expect(violationsOf.get(page)).toEqual([]);
    await context.close();
  });

  it("an organiser at the desk can take a check-in back; reception is not offered it", async () => {
    const t = await ticket("取消", "トリケシ");
    const reception = await openDesk(await deskContext(browser));
    const input = reception.getByLabel("QRリーダー・受付番号");
    await input.fill(t.ticket_code);
    await input.press("Enter");
    await reception.locator(".checkin-result--green").waitFor();
    expect(await reception.getByRole("button", { name: "この受付を取り消す" }).count()).toBe(0);
    await reception.context().close();

    const context = await deskContext(
      browser,
      PHONE,
      await signInAs(database.db, "organiser@example.jp"),
    );
    const page = await openDesk(context);
    await page.getByLabel("QRリーダー・受付番号").fill(t.ticket_code);
    await page.getByLabel("QRリーダー・受付番号").press("Enter");
    await page.locator(".checkin-result--amber").waitFor();
    await page.getByRole("button", { name: "この受付を取り消す" }).click();
    await page.getByText("受付を取り消しました").waitFor();
    expect(await checkinsOf(t.id)).toHaveLength(0);
    await context.close();
  });

  it("the roster kept on the device holds names and hashes, never a ticket secret or code", async () => {
    const context = await deskContext(browser);
    const page = await openDesk(context);
    const stored = await page.evaluate(async () => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const r = indexedDB.open("jichiken-checkin");
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error);
      });
      return new Promise<string>((resolve) => {
        const keys = db.transaction("kv").objectStore("kv").getAll();
        keys.onsuccess = () => resolve(JSON.stringify(keys.result));
      });
    });
    const secrets = await database.db
      .selectFrom("registrations")
      .select(["ticket_secret", "ticket_code"])
      .where("event_id", "=", eventId)
      .execute();
    expect(secrets.length).toBeGreaterThan(0);
    for (const s of secrets) {
      expect(stored).not.toContain(s.ticket_secret);
      expect(stored).not.toContain(s.ticket_code);
    }
    expect(stored).toContain("緑川");
    await context.close();
  });
});
