import type { Browser } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import type { Database } from "../../db/index";
import { loadDemoData } from "../../db/seed/load";
import { startTestApp } from "./app";
import { launchBrowser } from "./browser";
import { createTestDatabase } from "./db";

type AppOptions = NonNullable<Parameters<typeof startTestApp>[1]>;

/** The demo data and the app of one test file, with named lookups instead of seed keys. */
export type DemoApp = {
  /** the file's own database (a clone of the migrated template, with the demo data) */
  readonly db: Database;
  /** its connection string, for a second process */
  readonly databaseUrl: string;
  /** the app's base URL, e.g. http://127.0.0.1:PORT */
  readonly url: string;
  /** the id of the demo event with this slug */
  event(slug: string): Promise<number>;
  /** the id of the demo person with this email (admin@example.jp, organiser@…, secretary@…, reception@…) */
  person(email: string): Promise<string>;
  /** the id of the 単組 with this code (fukushima-shi, koriyama-shi, …) */
  union(code: string): Promise<number>;
};

/**
 * One test file's fixture: before its tests, a fresh database with the demo
 * data and the real app on a free port; after them, both are gone. Call it
 * at the top of the file: `const demo = withDemoApp();`.
 */
export function withDemoApp(options: AppOptions & { app?: boolean } = {}): DemoApp {
  const { app: withApp = true, ...appOptions } = options;
  let database: Awaited<ReturnType<typeof createTestDatabase>> | undefined;
  let app: Awaited<ReturnType<typeof startTestApp>> | undefined;
  beforeAll(async () => {
    database = await createTestDatabase();
    await loadDemoData(database.db);
    if (withApp) app = await startTestApp(database.db, appOptions);
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await database?.drop();
  });
  const ready = <T>(value: T | undefined, what: string): T => {
    if (value === undefined)
      throw new Error(`withDemoApp: ${what} is not ready (use it inside a test or beforeAll)`);
    return value;
  };
  const demo: DemoApp = {
    get db() {
      return ready(database, "the database").db;
    },
    get databaseUrl() {
      return ready(database, "the database").url;
    },
    get url() {
      return ready(app, "the app").url;
    },
    event: async (slug) =>
      (
        await demo.db
          .selectFrom("events")
          .select("id")
          .where("slug", "=", slug)
          .executeTakeFirstOrThrow()
      ).id,
    person: async (email) =>
      (
        await demo.db
          .selectFrom("people")
          .select("id")
          .where("email", "=", email)
          .executeTakeFirstOrThrow()
      ).id,
    union: async (code) =>
      (
        await demo.db
          .selectFrom("organisations")
          .select("id")
          .where("code", "=", code)
          .executeTakeFirstOrThrow()
      ).id,
  };
  return demo;
}

/**
 * withDemoApp and a Chromium for a browser test: call it inside the
 * `describe.skipIf(!hasChromium)` block, so nothing starts when Chromium is
 * missing. The browser closes after the block, before the app and database.
 */
export function withDemoBrowser(options: AppOptions = {}): DemoApp & { readonly browser: Browser } {
  const demo = withDemoApp(options);
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });
  return Object.defineProperty(demo, "browser", {
    get: () => {
      if (!browser) throw new Error("withDemoBrowser: the browser is not ready");
      return browser;
    },
  }) as DemoApp & { readonly browser: Browser };
}
