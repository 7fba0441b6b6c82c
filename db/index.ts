import { Kysely, type MigrationResultSet, Migrator } from "kysely";
import { PipelinedDialect } from "./dialect";
import postgres from "postgres";
import { currentEnv } from "../app/env.server";
import { migrations } from "./migrations/index";
import { reconnectingPool, reconnectOptions } from "./reconnect";
import type { DB } from "./schema";

export { isConnectionError } from "./reconnect";
export type { DB } from "./schema";
export type Database = Kysely<DB>;

/**
 * How long the app's database calls may take before they fail (and the
 * request answers 503 or "busy"), from app/env.server.ts:
 * - statementMs: statement_timeout of every statement;
 * - idleInTransactionMs: idle_in_transaction_session_timeout, so a stuck
 *   request cannot hold row locks;
 * - connectMs: opening a connection;
 * - acquireMs: waiting for a free connection of the pool;
 * - longReadConnections: the separate pool of long readers (exports, PDFs,
 *   attendance files, live counters): see longReads() below.
 */
export type DatabaseTimeouts = {
  statementMs: number;
  idleInTransactionMs: number;
  connectMs: number;
  acquireMs: number;
  longReadConnections: number;
};

export const DEFAULT_TIMEOUTS: DatabaseTimeouts = {
  statementMs: 15_000,
  idleInTransactionMs: 60_000,
  connectMs: 5_000,
  acquireMs: 5_000,
  longReadConnections: 3,
};

/** The settings (app/env.server.ts, checked at start). */
function timeoutsFromEnv(): DatabaseTimeouts {
  const env = currentEnv();
  return {
    statementMs: env.DB_STATEMENT_TIMEOUT_MS,
    idleInTransactionMs: env.DB_IDLE_IN_TRANSACTION_TIMEOUT_MS,
    connectMs: env.DB_CONNECT_TIMEOUT_MS,
    acquireMs: env.DB_ACQUIRE_TIMEOUT_MS,
    longReadConnections: env.EXPORT_CONNECTIONS,
  };
}

/** A long read runs this long at most: an export streamed to a slow phone, in pieces. */
const LONG_READ_STATEMENT_MS = 15 * 60_000;

/**
 * Opens a pool on `url`. Dates stay strings ("2024-05-24") so that a birth date
 * never shifts by a time zone; timestamptz columns become Date objects.
 *
 * No statement of the app waits more than 5 s for a lock (lock_timeout, set
 * once per connection rather than by a SET LOCAL round trip in every
 * transaction): a registration or a scan that would queue longer answers
 * "busy, try again" (inTransaction in app/domain/transactions.server.ts)
 * instead. Every statement, connection and wait for a connection has a
 * timeout besides (DatabaseTimeouts), so a database that hangs makes requests
 * fail within seconds, never pile up.
 *
 * Beside the pool, a second small one for long readers (longReads below) is
 * opened on the first long read, and closed with this one.
 */
export function createDb(
  url: string,
  options: { max?: number; timeouts?: Partial<DatabaseTimeouts> } = {},
): Database {
  const timeouts = { ...timeoutsFromEnv(), ...options.timeouts };
  let lane: LongReads | undefined;
  const client = openClient(url, {
    max: options.max ?? 10,
    timeouts,
    statementMs: timeouts.statementMs,
  });
  const db = new Kysely<DB>({
    dialect: new PipelinedDialect({
      postgres: reconnectingPool(client, {
        acquireMs: timeouts.acquireMs,
        onEnd: async () => lane?.destroy(),
      }),
    }),
  });
  Object.defineProperty(db, LANE, {
    value: () => {
      lane ??= openLongReads(url, timeouts);
      return lane;
    },
  });
  return db;
}

function openClient(
  url: string,
  args: { max: number; timeouts: DatabaseTimeouts; statementMs: number },
): postgres.Sql {
  return postgres(url, {
    max: args.max,
    onnotice: () => {},
    connect_timeout: Math.ceil(args.timeouts.connectMs / 1000),
    connection: {
      TimeZone: "UTC",
      application_name: "jichiken-events",
      lock_timeout: 5_000,
      statement_timeout: args.statementMs,
      idle_in_transaction_session_timeout: args.timeouts.idleInTransactionMs,
    },
    // With reconnectingPool, survives a restart of PostgreSQL and gives up on
    // one that hangs: db/reconnect.ts.
    ...reconnectOptions({ silentMs: args.statementMs + 3_000 }),
    types: {
      date: {
        to: 1082,
        from: [1082],
        serialize: (value: string) => value,
        parse: (value: string) => value,
      },
    },
  });
}

/**
 * The long readers' lane: a pool of its own, `slots` connections, and as many
 * slots. A long reader (an export, a PDF, an attendance file, the desks'
 * counters) takes a slot before its first query, and runs its queries on
 * `db`; with no slot free it is refused at once (the caller answers 503 with
 * Retry-After). However many arrive together, they hold at most `slots`
 * connections, and never one of the main pool that registrations need.
 */
export type LongReads = {
  db: Database;
  slots: number;
  /** a slot, released by calling what it returns (once; more calls do nothing), or undefined when all are taken */
  take: () => (() => void) | undefined;
  inUse: () => number;
  destroy: () => Promise<void>;
};

/**
 * Where createDb keeps the lane on its Kysely instance: a global symbol, since
 * the server build (build/index.js) has its own copy of this module and must
 * find the lane of a pool opened by the copy that `npm start` or a test runs.
 */
const LANE = Symbol.for("jichiken-events.longReads");

/** The long readers' lane of a pool opened by createDb. */
export function longReads(db: Database): LongReads {
  const lane = (db as unknown as Record<symbol, (() => LongReads) | undefined>)[LANE];
  if (!lane) throw new Error("longReads: this database was not opened by createDb");
  return lane();
}

function openLongReads(url: string, timeouts: DatabaseTimeouts): LongReads {
  const slots = Math.max(1, Math.floor(timeouts.longReadConnections));
  const client = openClient(url, { max: slots, timeouts, statementMs: LONG_READ_STATEMENT_MS });
  const db = new Kysely<DB>({
    dialect: new PipelinedDialect({
      postgres: reconnectingPool(client, { acquireMs: timeouts.acquireMs }),
    }),
  });
  let taken = 0;
  let destroyed: Promise<void> | undefined;
  return {
    db,
    slots,
    take() {
      if (taken >= slots) return undefined;
      taken++;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        taken--;
      };
    },
    inUse: () => taken,
    destroy() {
      destroyed ??= db.destroy();
      return destroyed;
    },
  };
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
