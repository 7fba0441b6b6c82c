import net from "node:net";
import type postgres from "postgres";

/*
 * postgres.js 3.4.9 mishandles connections lost under it, which a restart of
 * PostgreSQL under load shows at once (porsager/postgres #1154 and #1208; the
 * fixes of PRs #1168 and #1209 are not released):
 * 1. a query written to a reserved connection whose socket has closed throws
 *    an uncaught TypeError from a setImmediate ("Cannot read properties of
 *    null (reading 'write')"), which kills the process. Kysely reserves a
 *    connection for every query and transaction, and writes ROLLBACK after a
 *    failure;
 * 2. a connection that closes while a write of it waits for setImmediate never
 *    sends anything again: each later query on it hangs until connect_timeout
 *    (30 s), again and again;
 * 3. a reservation that fails while its connection connects stays in the
 *    pool's queue; once the database is back, the next connection to open is
 *    handed to it and lost. After an outage under load the pool has none left,
 *    and every query waits forever;
 * 4. the wait before a connection tries again grows to 20 s, shared by the
 *    pool, so requests wait that long after a restart;
 * 5. a reservation waiting in the queue, handed to a connection that then
 *    opens anew, is dropped while the connection fetches its types: it never
 *    settles, and its request hangs.
 * And Kysely 0.28, when ROLLBACK fails, calls a method that kysely-postgres-js
 * 3.0 lacks ("PRIVATE_MARK_FOR_DISCARD_METHOD is not a function"), hiding the
 * real error. The options and the pool below work around all of these; see
 * tests/reliability/database-restart.test.ts.
 */

/**
 * postgres.js options that keep a pool usable through a restart of
 * PostgreSQL, and that give up on a server that stopped answering:
 * `silentMs` is how long a connection may wait for the reply it is owed
 * before its socket is closed (see watchForSilence below).
 */
export function reconnectOptions(options: { silentMs: number }): object {
  return {
    // (2); postgres.js's types lack its `socket` option, hence the cast below.
    socket: (o: SocketOptions) => watchForSilence(socketWithDeferredClose(o), options.silentMs),
    // (4): at most 1 to 2 s between attempts.
    backoff: (retries: number) => (0.5 + Math.random() / 2) * Math.min(2 ** retries / 10, 2),
  };
}

type SocketOptions = { host: string[]; port: number[]; path?: string | false };

/**
 * A PostgreSQL that is alive for TCP but does not run (SIGSTOP, a frozen VM,
 * a full disk) never answers, and statement_timeout cannot fire in a process
 * that does not run: postgres.js would wait for ever. So a socket that was
 * written to and then hears nothing for `silentMs` (longer than any
 * statement_timeout, so a slow query is never cut here) is destroyed with
 * ETIMEDOUT: its query fails as a lost connection (503), and the pool opens a
 * new one once the server answers again. The wait ends at the server's
 * ReadyForQuery ('Z') or PortalSuspended ('s', a cursor waiting for its
 * reader): from there nothing is owed until the next write.
 */
function watchForSilence(socket: net.Socket, silentMs: number): net.Socket {
  let timer: NodeJS.Timeout | undefined;
  let tail = Buffer.alloc(0);
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      const error = new Error(`PostgreSQL が ${silentMs} ms 応答しません`);
      socket.destroy(Object.assign(error, { code: "ETIMEDOUT" }));
    }, silentMs);
    timer.unref();
  };
  const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
  socket.write = ((...args: unknown[]) => {
    arm();
    return write(...args);
  }) as typeof socket.write;
  socket.on("data", (chunk: Buffer) => {
    if (timer === undefined) return;
    tail = Buffer.concat([tail, chunk]).subarray(-6);
    const idle =
      (tail.length === 6 && tail[0] === 0x5a && tail.readInt32BE(1) === 5) ||
      (tail.length >= 5 &&
        tail[tail.length - 5] === 0x73 &&
        tail.readInt32BE(tail.length - 4) === 4);
    if (idle) {
      clearTimeout(timer);
      timer = undefined;
    } else arm();
  });
  socket.on("close", () => clearTimeout(timer));
  return socket;
}

/**
 * The TCP (or Unix) socket postgres.js would open itself, except that its
 * "close" reaches postgres.js one turn of the event loop later, after the
 * writes postgres.js had already scheduled, so that none is left stale (2).
 * A TLS connection is upgraded by postgres.js itself and is not covered.
 */
function socketWithDeferredClose(options: SocketOptions): net.Socket {
  const host = options.host[0] ?? "localhost";
  const port = options.port[0] ?? 5432;
  const socket = options.path ? net.connect(options.path) : net.connect(port, host);
  Object.assign(socket, { host, port });
  const emit = socket.emit.bind(socket) as (event: string | symbol, ...args: unknown[]) => boolean;
  socket.emit = ((event: string | symbol, ...args: unknown[]) => {
    if (event !== "close") return emit(event, ...args);
    setImmediate(() => emit(event, ...args));
    return true;
  }) as typeof socket.emit;
  return socket;
}

/**
 * The pool for Kysely.
 * - Once a connection is lost, the database counts as down: one request at a
 *   time tries a connection, the others fail at once with the same error (the
 *   app answers them 503), so that failed reservations do not pile up in the
 *   pool's queue (3). The first connection that works ends this.
 * - A reservation that waits too long (5) fails with POOL_TIMEOUT, which the
 *   app answers 503 too; a connection that comes later goes back to the pool.
 *   Too long is `acquireMs` (5 s) during which the pool made no progress (no
 *   connection was handed back): the database hangs, or every connection is
 *   held. A pool that keeps handing connections back (a burst of 100 scans
 *   waiting in turn for one row) is waited for up to three times as long.
 * - A reserved connection once lost is never written to again (1): ROLLBACK
 *   answers at once, since the server discarded the transaction with the
 *   connection, and any other query fails with the same error. Nor is it
 *   handed back: the pool has already taken it back as closed.
 * Without a failure this is a plain pass-through.
 */
export function reconnectingPool(
  client: postgres.Sql,
  options: { acquireMs: number; onEnd?: () => Promise<unknown> },
): postgres.Sql {
  let down: { error: unknown; trying: boolean } | undefined;
  const lost = (error: unknown) => {
    down = { error, trying: false };
  };
  const progress = { at: performance.now() };
  const released = () => {
    progress.at = performance.now();
  };
  const reserve = async () => {
    const probe = down !== undefined;
    if (down) {
      if (down.trying) throw down.error;
      down.trying = true;
    }
    const reserving = client.reserve();
    try {
      const connection = probe
        ? await withTimeout(reserving, Math.min(PROBE_WAIT_MS, options.acquireMs))
        : await whileProgressing(reserving, options.acquireMs, progress);
      down = undefined;
      return guardReserved(connection, lost, released);
    } catch (error) {
      reserving.then(
        (connection) => connection.release(),
        () => {},
      );
      const code = (error as { code?: unknown }).code;
      if (code !== "POOL_TIMEOUT" && isConnectionError(error)) lost(error);
      else if (down) down.trying = false;
      throw error;
    }
  };
  return new Proxy(client, {
    get(target, property, receiver) {
      if (property === "reserve") return reserve;
      if (property === "end") {
        // postgres.js's end() waits with no limit for every connection to
        // finish, and one left reserved by a request cut off during a
        // restart never does: db.destroy() hung (the test hook that timed
        // out in database-restart.test.ts). Connections still busy after 5 s
        // are closed.
        return async (endOptions?: { timeout?: number }) => {
          await options.onEnd?.();
          return target.end({ timeout: 5, ...endOptions });
        };
      }
      return Reflect.get(target, property, receiver);
    },
  });
}

/** How long the one request that tries the database while it is down waits for a connection. */
const PROBE_WAIT_MS = 3_000;

/**
 * `promise`, or POOL_TIMEOUT once `ms` have passed with no progress of the
 * pool (progress.at: the last connection handed back), or 3 × `ms` in all.
 */
function whileProgressing<T>(
  promise: Promise<T>,
  ms: number,
  progress: { at: number },
): Promise<T> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    const check = () => {
      const now = performance.now();
      const stalled = now - Math.max(started, progress.at) >= ms;
      if (stalled || now - started >= 3 * ms) {
        const error = new Error(`no database connection within ${Math.round(now - started)} ms`);
        reject(Object.assign(error, { code: "POOL_TIMEOUT" }));
      } else timer = setTimeout(check, Math.min(250, ms));
    };
    timer = setTimeout(check, Math.min(250, ms));
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new Error(`no database connection within ${ms} ms`);
      reject(Object.assign(error, { code: "POOL_TIMEOUT" }));
    }, ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** A reserved connection that, once lost, is never written to nor handed back again. */
function guardReserved(
  reserved: postgres.ReservedSql,
  onLost: (error: unknown) => void,
  onRelease: () => void,
): postgres.ReservedSql {
  let lost: unknown;
  const watch = (error: unknown) => {
    if (lost === undefined && isConnectionError(error)) {
      lost = error;
      onLost(error);
    }
    return error;
  };
  return new Proxy(reserved, {
    get(target, property, receiver) {
      if (property === "release") {
        return () => {
          onRelease();
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
        // Kysely sends every query through unsafe(), which postgres.js leaves
        // unprepared: a Parse/Describe round trip before each statement with
        // parameters. Prepared, a statement the connection has seen is one
        // round trip (docs/decisions/023-speed.md).
        const [parameters, queryOptions] = rest as [unknown[] | undefined, object | undefined];
        const prepared =
          Array.isArray(parameters) && parameters.length > 0 && queryOptions === undefined
            ? [parameters, { prepare: true }]
            : rest;
        return watchQuery(unsafe(query, ...prepared), watch);
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
        // postgres.js answers a cursor that has already ended with a plain
        // { done: true }, not a promise (its last rows and its end can arrive
        // together): Promise.resolve takes both.
        next: () =>
          Promise.resolve(iterator.next()).catch((error: unknown) => {
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
 * query is wrong": Node's socket errors, postgres.js's own connection errors
 * (and ours, POOL_TIMEOUT),
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
  "POOL_TIMEOUT",
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
