import { sql } from "kysely";
import { withDemoApp } from "../support/demo-app";

/**
 * A streamed read (the exports read their rows 500 at a time) whose last
 * rows and end arrive together, read by a consumer slower than the database:
 * postgres.js then answers the cursor's next call with a plain { done: true },
 * which db/reconnect.ts took for a promise (a TypeError at the very end of
 * every such export).
 */
const demo = withDemoApp({ app: false });

describe("a streamed read", () => {
  for (const count of [1, 499, 1999, 2000]) {
    it(`of ${count} rows, read slowly, ends cleanly and leaves the pool usable`, async () => {
      const query = demo.db
        .selectFrom(sql<{ i: number }>`(select i from generate_series(1, ${count}::int) i)`.as("g"))
        .select("g.i");
      let rows = 0;
      for await (const row of query.stream(500)) {
        rows++;
        expect(row.i).toBe(rows);
        // a consumer slower than the database: an XLSX or PDF writer, a slow phone
        if (rows % 100 === 0 || rows === count) await new Promise((r) => setTimeout(r, 5));
      }
      expect(rows).toBe(count);
      const { rows: after } = await sql<{ one: number }>`select 1 as one`.execute(demo.db);
      expect(after).toEqual([{ one: 1 }]);
    });
  }
});
