import { sql } from "kysely";
import type { Database } from "../../db/index";
import { DomainError } from "./errors.server";

/**
 * A fixed-window counter kept in PostgreSQL, so every app process shares it.
 * Throws `rate_limited` once `key` has been hit more than `limit` times in the
 * window.
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
    .returning("hits")
    .executeTakeFirstOrThrow();
  if (row.hits > args.limit) throw new DomainError("rate_limited");
}
