import { type Kysely, Migrator, NO_MIGRATIONS, sql } from "kysely";
import { createDb, type DB, migrateToLatest } from "../../db/index";
import { migrations } from "../../db/migrations/index";
import { createTestDatabase } from "../support/db";

let database: Awaited<ReturnType<typeof createTestDatabase>>;
beforeAll(async () => {
  database = await createTestDatabase({ empty: true });
});
afterAll(() => database.drop());

async function tableNames(db: Kysely<DB>): Promise<string[]> {
  const result = await sql<{ table_name: string }>`
    select table_name from information_schema.tables
    where table_schema = 'public' and table_name not like 'kysely_%'
    order by table_name`.execute(db);
  return result.rows.map((r) => r.table_name);
}

describe("migrations", () => {
  it("build the whole schema on an empty database, and go down and up again", async () => {
    const { db } = database;
    expect(await tableNames(db)).toEqual([]);

    const up = await migrateToLatest(db);
    expect(up.results?.map((r) => [r.migrationName, r.status])).toEqual(
      Object.keys(migrations).map((name) => [name, "Success"]),
    );
    const tables = await tableNames(db);
    for (const table of [
      "organisations",
      "people",
      "events",
      "event_sessions",
      "courses",
      "venues",
      "registration_windows",
      "event_questions",
      "registrations",
      "registration_sessions",
      "checkin_lists",
      "checkins",
      "working_groups",
      "group_meetings",
      "group_meeting_groups",
      "meeting_rsvps",
      "materials",
      "reports",
      "audit_log",
      "outbound_emails",
    ]) {
      expect(tables).toContain(table);
    }

    const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
    const down = await migrator.migrateTo(NO_MIGRATIONS);
    expect(down.error).toBeUndefined();
    expect(await tableNames(db)).toEqual([]);

    await migrateToLatest(db);
    expect(await tableNames(db)).toEqual(tables);
  });

  it("store times as timestamptz", async () => {
    const result = await sql<{ data_type: string }>`
      select distinct data_type from information_schema.columns
      where table_schema = 'public' and column_name in ('starts_at', 'ends_at', 'checked_in_at')`.execute(
      database.db,
    );
    expect(result.rows.map((r) => r.data_type)).toEqual(["timestamp with time zone"]);
  });

  it("run on the server the tests were given", async () => {
    const db = createDb(database.url, { max: 1 });
    const { rows } = await sql<{
      v: string;
    }>`select current_setting('server_version_num') as v`.execute(db);
    await db.destroy();
    expect(Number(rows[0]?.v)).toBeGreaterThanOrEqual(150000);
  });
});
