import { sql } from "kysely";
import { compiledQuery } from "../../db/compiled";
import { withDemoApp } from "../support/demo-app";

/** db/compiled.ts: a query built once, run with each call's own arguments. */
const demo = withDemoApp({ app: false });

const eventBySlug = compiledQuery((db, a: { slug: string; status: string }) =>
  db
    .selectFrom("events")
    .select(["id", "slug"])
    .where("slug", "=", a.slug)
    .where(sql<boolean>`status::text <> ${a.status}`),
);

describe("compiledQuery", () => {
  it("answers each call with its own arguments, as the query built afresh would", async () => {
    const slugs = ["zenkoku-40-shimane", "online-seminar-next", "no-such-event"];
    for (const slug of slugs) {
      const fresh = await demo.db
        .selectFrom("events")
        .select(["id", "slug"])
        .where("slug", "=", slug)
        .where(sql<boolean>`status::text <> ${"draft"}`)
        .execute();
      expect(await eventBySlug(demo.db, { slug, status: "draft" })).toEqual(fresh);
    }
    expect((await eventBySlug(demo.db, { slug: slugs[0]!, status: "draft" }))[0]?.slug).toBe(
      slugs[0],
    );
    expect(await eventBySlug(demo.db, { slug: slugs[0]!, status: "published" })).toEqual([]);
  });

  it("runs in the caller's transaction: it sees what the transaction wrote", async () => {
    await demo.db
      .transaction()
      .execute(async (trx) => {
        await trx
          .updateTable("events")
          .set({ slug: "renamed-in-trx" })
          .where("slug", "=", "online-seminar-next")
          .execute();
        expect(await eventBySlug(trx, { slug: "renamed-in-trx", status: "draft" })).toHaveLength(1);
        throw new Error("roll back");
      })
      .catch((error: Error) => expect(error.message).toBe("roll back"));
    expect(await eventBySlug(demo.db, { slug: "renamed-in-trx", status: "draft" })).toEqual([]);
  });

  it("refuses, on its first call, an argument that does not reach the query as a value", async () => {
    const computed = compiledQuery((db, a: { slug: string }) =>
      db.selectFrom("events").select("id").where("slug", "=", `${a.slug}`),
    );
    await expect(computed(demo.db, { slug: "x" })).rejects.toThrow(/"slug" must be passed/);
    // used as a value and also turned into text: refused too, not compiled with "[object Object]"
    const both = compiledQuery((db, a: { slug: string }) =>
      db
        .selectFrom("events")
        .select("id")
        .where("slug", "=", a.slug)
        .where("title", "like", `%${a.slug}%`),
    );
    await expect(both(demo.db, { slug: "x" })).rejects.toThrow(/"slug" must be passed/);
  });
});
