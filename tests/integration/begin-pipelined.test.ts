import net from "node:net";
import { sql } from "kysely";
import { createDb, type Database } from "../../db/index";
import { withDemoApp } from "../support/demo-app";

/**
 * db/dialect.ts: a transaction's BEGIN goes to PostgreSQL with its first
 * statement, in one write. Counted on the wire: a TCP proxy between the pool
 * and PostgreSQL counts what the app writes; every write after the first of a
 * transaction waits for an answer, so writes are round trips.
 */
const demo = withDemoApp({ app: false });

let proxy: net.Server;
let writes = 0;
let db: Database;

beforeAll(async () => {
  const target = new URL(demo.databaseUrl);
  proxy = net.createServer((client) => {
    const server = net.connect(Number(target.port || 5432), target.hostname);
    client.on("data", (chunk) => {
      writes++;
      server.write(chunk);
    });
    server.pipe(client);
    client.on("error", () => server.destroy());
    server.on("error", () => client.destroy());
    client.on("close", () => server.destroy());
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  const url = new URL(demo.databaseUrl);
  url.hostname = "127.0.0.1";
  url.port = String((proxy.address() as net.AddressInfo).port);
  db = createDb(url.toString(), { max: 1 });
  await sql`select 1`.execute(db); // the connection opened and its types read
});

afterAll(async () => {
  await db?.destroy();
  await new Promise((resolve) => proxy.close(resolve));
});

/** The writes `run` makes, once its statements are prepared (a first run describes them). */
async function writesOf(run: () => Promise<unknown>): Promise<number> {
  await run();
  const before = writes;
  await run();
  return writes - before;
}

const slug = "online-seminar-next";
const titleOf = async (on: Database) =>
  (await on.selectFrom("events").select("title").where("slug", "=", slug).executeTakeFirstOrThrow())
    .title;

describe("a transaction's BEGIN", () => {
  it("is written with the first statement: two statements and COMMIT are three round trips", async () => {
    const transaction = () =>
      db.transaction().execute(async (trx) => {
        await titleOf(trx as unknown as Database);
        await sql`select ${1}::int as one`.execute(trx);
      });
    expect(await writesOf(transaction)).toBe(3);
    // the same two statements outside a transaction: two
    expect(
      await writesOf(async () => {
        await titleOf(db);
        await sql`select ${1}::int as one`.execute(db);
      }),
    ).toBe(2);
  });

  it("still comes first: the first statement runs inside the transaction", async () => {
    const [inside] = await db.transaction().execute(async (trx) => {
      const { rows } = await sql<{ xid: string | null; level: string }>`
        select pg_current_xact_id()::text as xid, current_setting('transaction_isolation') as level`.execute(
        trx,
      );
      const again = await sql<{ xid: string }>`select pg_current_xact_id()::text as xid`.execute(
        trx,
      );
      return [{ ...rows[0]!, again: again.rows[0]!.xid }];
    });
    expect(inside!.xid).toBe(inside!.again);
    const serializable = await db
      .transaction()
      .setIsolationLevel("serializable")
      .execute(
        async (trx) =>
          (
            await sql<{
              level: string;
            }>`select current_setting('transaction_isolation') as level`.execute(trx)
          ).rows[0]!.level,
      );
    expect(serializable).toBe("serializable");
  });

  it("rolls back what the first statement wrote when the transaction fails", async () => {
    const before = await titleOf(db);
    await expect(
      db.transaction().execute(async (trx) => {
        await trx.updateTable("events").set({ title: "変更" }).where("slug", "=", slug).execute();
        throw new Error("after the first statement");
      }),
    ).rejects.toThrow("after the first statement");
    expect(await titleOf(db)).toBe(before);
  });

  it("gives the first statement's own error when it fails, and leaves the connection usable", async () => {
    const before = await titleOf(db);
    const error = await db
      .transaction()
      .execute(async (trx) => {
        await trx
          .updateTable("events")
          .set({ slug: "kenshukai-20" }) // taken: unique violation
          .where("slug", "=", slug)
          .execute();
      })
      .catch((e: { code?: string }) => e);
    expect((error as { code?: string }).code).toBe("23505");
    expect(await titleOf(db)).toBe(before);
    await db.transaction().execute(async (trx) => {
      await trx.updateTable("events").set({ title: before }).where("slug", "=", slug).execute();
    });
  });

  it("is not sent at all by a transaction that runs no statement", async () => {
    expect(await writesOf(() => db.transaction().execute(async () => "nothing"))).toBe(0);
    expect(
      await writesOf(() =>
        db
          .transaction()
          .execute(async () => {
            throw new Error("before any statement");
          })
          .catch(() => {}),
      ),
    ).toBe(0);
  });
});
