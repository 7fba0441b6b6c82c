import { startTestApp } from "../support/app";
import { createTestDatabase } from "../support/db";

describe("when the database is gone", () => {
  it("pages answer a 500 page in Japanese and /healthz answers 503", async () => {
    const database = await createTestDatabase();
    const app = await startTestApp(database.db);
    await database.drop();
    try {
      const page = await fetch(`${app.url}/`);
      expect(page.status).toBe(500);
      const html = await page.text();
      expect(html).toContain("エラーが発生しました");
      expect(html).not.toMatch(/at .*\.js:\d+/);

      const health = await fetch(`${app.url}/healthz`);
      expect(health.status).toBe(503);
      expect(await health.json()).toEqual({ ok: false, error: "データベースに接続できません" });
    } finally {
      await app.close();
    }
  });
});
