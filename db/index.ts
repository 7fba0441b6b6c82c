import { Kysely, type MigrationResultSet, Migrator } from "kysely";
import { PostgresJSDialect } from "kysely-postgres-js";
import postgres from "postgres";
import { migrations } from "./migrations/index";
import { reconnectingPool, reconnectOptions } from "./reconnect";
import type { DB } from "./schema";

export { isConnectionError } from "./reconnect";
export type { DB } from "./schema";
export type Database = Kysely<DB>;

/**
 * Opens a pool on `url`. Dates stay strings ("2024-05-24") so that a birth date
 * never shifts by a time zone; timestamptz columns become Date objects.
 *
 * No statement of the app waits more than 5 s for a lock (lock_timeout, set
 * once per connection rather than by a SET LOCAL round trip in every
 * transaction): a registration or a scan that would queue longer answers
 * "busy, try again" (asBusy in app/domain/errors.server.ts) instead.
 */
export function createDb(url: string, options: { max?: number } = {}): Database {
  const client = postgres(url, {
    max: options.max ?? 10,
    onnotice: () => {},
    connection: { TimeZone: "UTC", application_name: "jichiken-events", lock_timeout: 5_000 },
    // With reconnectingPool below, survives a restart of PostgreSQL: db/reconnect.ts.
    ...reconnectOptions,
    types: {
      date: {
        to: 1082,
        from: [1082],
        serialize: (value: string) => value,
        parse: (value: string) => value,
      },
    },
  });
  return new Kysely<DB>({
    dialect: new PostgresJSDialect({ postgres: reconnectingPool(client) }),
  });
}

/** Brings the schema up to date; throws with the failing migration's error. */
export async function migrateToLatest(db: Kysely<DB>): Promise<MigrationResultSet> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
  });
  const result = await migrator.migrateToLatest();
  if (result.error) throw result.error;
  return result;
}
