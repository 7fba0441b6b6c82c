import { sql } from "kysely";
import type { Database } from "../../db/index";
import { DomainError } from "./errors.server";

/**
 * Rate limits and backoff, kept in PostgreSQL so that every app process
 * shares them. Keys are made of the client's address (`clientAddress` in the
 * load context: Express's req.ip under TRUST_PROXY, never a header as the
 * client sent it) and of the account, never of a header alone. A refusal is
 * `rate_limited` with `retryAfter` seconds: the routes answer 429 with a
 * Retry-After header and say in Japanese how long to wait.
 */

/** "約N分" / "N秒", for the message of a refusal. */
function waitText(seconds: number): string {
  return seconds < 60 ? `${seconds}秒` : `約${Math.ceil(seconds / 60)}分`;
}

export function rateLimited(retryAfter: number): DomainError {
  const seconds = Math.max(1, Math.ceil(retryAfter));
  return new DomainError("rate_limited", {
    retryAfter: seconds,
    message: `短時間に多くの操作がありました。${waitText(seconds)}待ってから、もう一度お試しください。`,
  });
}

/**
 * A fixed-window counter: throws `rate_limited` once `key` has been hit more
 * than `limit` times in the window, with the seconds left in the window.
 */
export async function hitRateLimit(
  db: Database,
  args: { key: string; limit: number; windowSeconds: number },
): Promise<void> {
  const row = await db
    .insertInto("rate_limits")
    .values({ key: args.key, window_started_at: sql`now()`, hits: 1 })
    .onConflict((oc) =>
      oc.column("key").doUpdateSet({
        hits: sql`case when rate_limits.window_started_at < now() - make_interval(secs => ${args.windowSeconds})
          then 1 else rate_limits.hits + 1 end`,
        window_started_at: sql`case when rate_limits.window_started_at < now() - make_interval(secs => ${args.windowSeconds})
          then now() else rate_limits.window_started_at end`,
      }),
    )
    .returning([
      "hits",
      sql<number>`extract(epoch from (window_started_at + make_interval(secs => ${args.windowSeconds}) - now()))::float8`.as(
        "left",
      ),
    ])
    .executeTakeFirstOrThrow();
  if (row.hits > args.limit) throw rateLimited(Number(row.left));
}

/** Failures allowed before the backoff starts, and its ceiling. */
const FREE_FAILURES = 5;
const MAX_DELAY_SECONDS = 15 * 60;
/** A key with no failure for this long starts afresh. */
const FORGET_SECONDS = 60 * 60;

/** After n failures: nothing for the first five, then 2, 4, 8 … seconds, at most 15 minutes. */
export function backoffSeconds(failures: number): number {
  if (failures < FREE_FAILURES) return 0;
  return Math.min(MAX_DELAY_SECONDS, 2 ** (failures - FREE_FAILURES + 1));
}

/**
 * Backoff for one key (an account as seen from one address): throws
 * `rate_limited` while the wait after its last failure is not over. Another
 * address has its own key, so an attacker slows only themselves down and the
 * account's owner still signs in from their own machine.
 */
export async function checkBackoff(db: Database, key: string): Promise<void> {
  const row = await db
    .selectFrom("rate_limits")
    .select([
      "hits",
      sql<number>`extract(epoch from (now() - window_started_at))::float8`.as("since"),
    ])
    .where("key", "=", `backoff:${key}`)
    .executeTakeFirst();
  if (!row || row.since > FORGET_SECONDS) return;
  const wait = backoffSeconds(row.hits) - row.since;
  if (wait > 0) throw rateLimited(wait);
}

/** Counts one failure for `key` (the wait is measured from now). */
export async function recordFailure(db: Database, key: string): Promise<void> {
  await db
    .insertInto("rate_limits")
    .values({ key: `backoff:${key}`, window_started_at: sql`now()`, hits: 1 })
    .onConflict((oc) =>
      oc.column("key").doUpdateSet({
        hits: sql`case when rate_limits.window_started_at < now() - make_interval(secs => ${FORGET_SECONDS})
          then 1 else rate_limits.hits + 1 end`,
        window_started_at: sql`now()`,
      }),
    )
    .execute();
}

/** A success forgets the failures of `key`. */
export async function clearFailures(db: Database, key: string): Promise<void> {
  await db.deleteFrom("rate_limits").where("key", "=", `backoff:${key}`).execute();
}
