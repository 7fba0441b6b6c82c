import type { Transaction } from "kysely";
import type { Database, DB } from "../../db/index";
import { DomainError, type ErrorCode } from "./errors.server";

/**
 * The one way the app runs a transaction (docs/decisions/015-faults.md).
 *
 * - A lock that waited past lock_timeout (55P03), a deadlock (40P01) or a
 *   serialization failure (40001) becomes DomainError("busy"): 503, 「ただいま
 *   混み合っています…」, Retry-After (app/server.ts). Nothing was written.
 * - A unique violation (23505) becomes the caller's error when it names one
 *   (`unique`: a code, or a code with the field and message to show), since
 *   only the caller knows which duplicate it means; otherwise it is a bug and
 *   stays as it is (a 500).
 * - Anything else is rethrown unchanged, DomainErrors included.
 *
 * Inside `fn` use only `trx`, one query after another (STYLE.md).
 */
export async function inTransaction<T>(
  db: Database,
  fn: (trx: Transaction<DB>) => Promise<T>,
  options: { unique?: ErrorCode | UniqueError } = {},
): Promise<T> {
  try {
    return await db.transaction().execute(fn);
  } catch (error) {
    throw domainErrorFor(error, options.unique) ?? error;
  }
}

type UniqueError = { code: ErrorCode; field?: string; message?: string };

const BUSY = new Set(["55P03", "40P01", "40001"]);

/** The DomainError a PostgreSQL error stands for, or undefined. */
function domainErrorFor(error: unknown, unique?: ErrorCode | UniqueError): DomainError | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== "string") return undefined;
  if (BUSY.has(code)) return new DomainError("busy");
  if (code === "23505" && unique) {
    if (typeof unique === "string") return new DomainError(unique);
    return new DomainError(unique.code, { field: unique.field, message: unique.message });
  }
  return undefined;
}
