import { sql } from "kysely";
import { type Database, isConnectionError } from "../../db/index";

/** True when the database answers a trivial query. */
export async function databaseAnswers(db: Database): Promise<boolean> {
  try {
    await sql`select 1`.execute(db);
    return true;
  } catch {
    return false;
  }
}

/** What a person sees while the database cannot be reached. */
export const DATABASE_UNAVAILABLE_MESSAGE =
  "ただいまデータベースに接続できません。しばらくしてから再度お試しください。";

/**
 * True when `error` comes from losing the database (PostgreSQL stopped,
 * restarting or unreachable), not from a bad query: such a request is answered
 * 503, and the pool reconnects by itself once the database is back.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  return isConnectionError(error);
}
