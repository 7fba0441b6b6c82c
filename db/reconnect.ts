import type postgres from "postgres";

/**
 * A postgres.js pool for Kysely that survives a restart of PostgreSQL.
 *
 * postgres.js 3.4.9 mishandles a connection lost under it (porsager/postgres
 * #1154 and #1208; the fixes of PRs #1168 and #1209 are not released):
 * - a query written to a reserved connection whose socket has closed throws an
 *   uncaught TypeError from a setImmediate ("Cannot read properties of null
 *   (reading 'write')"), which kills the process. Kysely reserves a connection
 *   for every query and transaction, and writes ROLLBACK after a failure;
 * - a connection that closes while a write is scheduled keeps a stale write
 *   timer: it never sends anything again, so each later query on it hangs
 *   until connect_timeout (30 s), forever.
 * Kysely 0.28 adds a third: when ROLLBACK fails it calls a method that
 * kysely-postgres-js 3.0 lacks ("PRIVATE_MARK_FOR_DISCARD_METHOD is not a
 * function"), which hides the real error.
 *
 * So: once a query on a reserved connection fails because the connection is
 * lost, nothing more is written to it (ROLLBACK answers at once, since the
 * server discarded the transaction with the connection; any other query fails
 * with the same error), and it is not handed back to the pool. And after any
 * lost connection, the next query gets a new pool while the old one is ended,
 * so no poisoned connection is used again. Without a failure this is a plain
 * pass-through.
 */
export function reconnectingPool(connect: () => postgres.Sql): postgres.Sql {
  const first = connect();
  let current = first;
  let lost = false;
  const ending = new Set<Promise<void>>();

  const pool = () => {
    if (lost) {
      lost = false;
      const old = current;
      current = connect();
      const end = old.end({ timeout: 5 }).catch(() => {});
      ending.add(end);
      void end.then(() => ending.delete(end));
    }
    return current;
  };

  return new Proxy(first, {
    get(_target, property) {
      if (property === "reserve") {
        return async () => {
          const from = pool();
          const onLost = () => {
            if (from === current) lost = true;
          };
          try {
            return guardReserved(await from.reserve(), onLost);
          } catch (error) {
            if (isConnectionError(error)) onLost();
            throw error;
          }
        };
      }
      if (property === "end") {
        return async (options?: { timeout?: number }) => {
          await Promise.all([current.end(options), ...ending]);
        };
      }
      return Reflect.get(current, property);
    },
    apply(_target, thisArg, args) {
      return Reflect.apply(current, thisArg, args);
    },
  });
}

/** A reserved connection that, once lost, is never written to nor released again. */
function guardReserved(reserved: postgres.ReservedSql, onLost: () => void): postgres.ReservedSql {
  let lost: unknown;
  const watch = (error: unknown) => {
    if (lost === undefined && isConnectionError(error)) {
      lost = error;
      onLost();
    }
    return error;
  };
  return new Proxy(reserved, {
    get(target, property, receiver) {
      if (property === "release") {
        return () => {
          // A lost connection is already back in the pool as closed.
          if (lost === undefined) target.release();
        };
      }
      if (property !== "unsafe") return Reflect.get(target, property, receiver);
      return (query: string, ...rest: unknown[]) => {
        if (lost !== undefined) {
          return /^\s*rollback\s*$/i.test(query)
            ? Promise.resolve(Object.assign([], { command: "ROLLBACK", count: 0 }))
            : Promise.reject(lost);
        }
        const unsafe = target.unsafe as (...args: unknown[]) => Promise<unknown>;
        return watchQuery(unsafe(query, ...rest), watch);
      };
    },
  });
}

/**
 * The query as it was (postgres.js runs it when it is awaited, or reads it
 * with a cursor), but every error it ends with is seen by `watch` first.
 */
function watchQuery<Q extends Promise<unknown>>(query: Q, watch: (e: unknown) => unknown): Q {
  return new Proxy(query, {
    get(target, property) {
      if (property === "then") {
        return (ok?: (value: unknown) => unknown, fail?: (error: unknown) => unknown) =>
          target.then(ok, (error: unknown) => {
            watch(error);
            if (fail) return fail(error);
            throw error;
          });
      }
      // Promise's own catch and finally call this.then: the one above.
      if (property === "catch" || property === "finally") return Reflect.get(target, property);
      const value = Reflect.get(target, property, target);
      if (property === "cursor" && typeof value === "function") {
        return (...args: unknown[]) => watchCursor(value.apply(target, args), watch);
      }
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

function watchCursor<T>(
  cursor: AsyncIterable<T>,
  watch: (e: unknown) => unknown,
): AsyncIterable<T> {
  return {
    [Symbol.asyncIterator]() {
      const iterator = cursor[Symbol.asyncIterator]();
      return {
        next: () =>
          iterator.next().catch((error: unknown) => {
            throw watch(error);
          }),
        return: (value?: unknown) =>
          iterator.return ? iterator.return(value) : Promise.resolve({ done: true, value }),
      } as AsyncIterator<T>;
    },
  };
}

/**
 * Error codes that mean "the connection to PostgreSQL is lost", not "this
 * query is wrong": Node's socket errors, postgres.js's own connection errors,
 * PostgreSQL's shutdown / start-up / crash codes (57P01-57P03) and its class
 * 08 connection errors (but not 08P01, a protocol violation: a bug).
 */
const CONNECTION_LOST = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
  "57P01",
  "57P02",
  "57P03",
]);

/** True when `error` (or its cause) says the database cannot be reached right now. */
export function isConnectionError(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== "object" || depth > 4) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string") {
    if (CONNECTION_LOST.has(code)) return true;
    if (code.startsWith("08") && code !== "08P01") return true;
  }
  if (error instanceof AggregateError) {
    if (error.errors.some((e) => isConnectionError(e, depth + 1))) return true;
  }
  return isConnectionError((error as { cause?: unknown }).cause, depth + 1);
}
