import {
  CompiledQuery,
  type DatabaseConnection,
  type Driver,
  type QueryResult,
  type TransactionSettings,
} from "kysely";
import {
  PostgresJSDialect,
  type PostgresJSDialectConfig,
  PostgresJSDriver,
} from "kysely-postgres-js";

/**
 * kysely-postgres-js, except that a transaction's BEGIN is not a round trip
 * of its own: it is written to PostgreSQL together with the transaction's
 * first statement, in one packet (postgres.js pipelines the queries a
 * reserved connection is given in the same turn of the event loop). Every
 * transaction of the app is one round trip shorter: a desk's scan, a
 * registration (docs/decisions/028-begin-with-the-first-statement.md).
 *
 * What does not change: the BEGIN is still sent, and answered, before the
 * statement runs, so the statement runs inside the transaction; an error of
 * the BEGIN (a lost connection) is the error the statement's caller gets; a
 * transaction that ran no statement sends neither BEGIN nor COMMIT.
 */
export class PipelinedDialect extends PostgresJSDialect {
  readonly #config: PostgresJSDialectConfig;

  constructor(config: PostgresJSDialectConfig) {
    super(config);
    this.#config = config;
  }

  override createDriver(): Driver {
    return new BeginWithFirstStatement(this.#config);
  }
}

/**
 * kysely-postgres-js's driver with DeferredBegin connections. Its commit,
 * rollback and savepoints are Kysely's PostgresDriver's, sent through the
 * wrapper (which sends the BEGIN first if it is still held).
 */
class BeginWithFirstStatement implements Driver {
  readonly #driver: PostgresJSDriver;

  constructor(config: PostgresJSDialectConfig) {
    this.#driver = new PostgresJSDriver(config);
  }

  init() {
    return this.#driver.init();
  }

  destroy() {
    return this.#driver.destroy();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    return new DeferredBegin(await this.#driver.acquireConnection());
  }

  releaseConnection(connection: DatabaseConnection) {
    return this.#driver.releaseConnection(deferred(connection).inner as never);
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings) {
    deferred(connection).defer(beginStatement(settings));
  }

  async commitTransaction(connection: DatabaseConnection) {
    if (deferred(connection).end()) return;
    await this.#driver.commitTransaction(connection as never);
  }

  async rollbackTransaction(connection: DatabaseConnection) {
    if (deferred(connection).end()) return;
    await this.#driver.rollbackTransaction(connection as never);
  }

  savepoint(...args: Parameters<NonNullable<Driver["savepoint"]>>) {
    return this.#driver.savepoint(...(args as [never, string, never]));
  }

  rollbackToSavepoint(...args: Parameters<NonNullable<Driver["rollbackToSavepoint"]>>) {
    return this.#driver.rollbackToSavepoint(...(args as [never, string, never]));
  }

  releaseSavepoint(...args: Parameters<NonNullable<Driver["releaseSavepoint"]>>) {
    return this.#driver.releaseSavepoint(...(args as [never, string, never]));
  }
}

function deferred(connection: DatabaseConnection): DeferredBegin {
  if (!(connection instanceof DeferredBegin))
    throw new Error("not a connection of PipelinedDialect");
  return connection;
}

/** What Kysely's PostgresDriver sends to begin a transaction. */
function beginStatement(settings: TransactionSettings): string {
  if (!settings.isolationLevel && !settings.accessMode) return "begin";
  return [
    "start transaction",
    settings.isolationLevel ? `isolation level ${settings.isolationLevel}` : "",
    settings.accessMode ?? "",
  ]
    .filter(Boolean)
    .join(" ");
}

/** A connection that holds its transaction's BEGIN until the first statement. */
/** What a connection's transaction has sent so far. */
type TransactionState =
  | { at: "none" }
  | { at: "pending"; begin: string }
  | { at: "open" }
  | { at: "committed" };

/**
 * A connection that holds its transaction's BEGIN until the first statement,
 * and writes COMMIT with a statement marked by `commitsWith`.
 */
class DeferredBegin implements DatabaseConnection {
  #state: TransactionState = { at: "none" };

  constructor(readonly inner: DatabaseConnection) {}

  defer(begin: string) {
    this.#state = { at: "pending", begin };
  }

  /**
   * The transaction ends: true when there is nothing left to send (it ran no
   * statement, or its COMMIT went with its last one), false when the driver
   * must send its COMMIT or ROLLBACK.
   */
  end(): boolean {
    const open = this.#state.at === "open";
    this.#state = { at: "none" };
    return !open;
  }

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const state = this.#state;
    if (state.at === "committed") {
      throw new Error("commitsWith: a statement after the one that committed its transaction");
    }
    const commits = COMMITS.has(query) && state.at !== "none";
    if (state.at !== "pending" && !commits) return this.inner.executeQuery<R>(query);
    this.#state = { at: commits ? "committed" : "open" };
    // All handed to the connection before any is awaited: one write.
    const began =
      state.at === "pending" ? this.inner.executeQuery(CompiledQuery.raw(state.begin)) : undefined;
    const result = this.inner.executeQuery<R>(query);
    const committed = commits ? this.inner.executeQuery(CompiledQuery.raw("commit")) : undefined;
    committed?.catch(() => {});
    try {
      await began;
    } catch (error) {
      result.catch(() => {});
      throw error;
    }
    // A statement that fails leaves the transaction aborted: its COMMIT
    // then rolls back, and the statement's error is the one thrown.
    const value = await result;
    await committed;
    return value;
  }

  async *streamQuery<R>(
    query: CompiledQuery,
    chunkSize?: number,
  ): AsyncIterableIterator<QueryResult<R>> {
    const state = this.#state;
    if (state.at === "pending") {
      this.#state = { at: "open" };
      await this.inner.executeQuery(CompiledQuery.raw(state.begin));
    }
    yield* this.inner.streamQuery<R>(query, chunkSize);
  }
}

const COMMITS = new WeakSet<CompiledQuery>();

/**
 * `query`, to be its transaction's last statement: COMMIT is written with it
 * (one round trip fewer), and the driver sends none after the transaction's
 * function returns. If the statement fails, the COMMIT rolls the transaction
 * back and the statement's error is thrown; if it succeeds, the transaction
 * has committed when it returns, so nothing after it can roll it back, and
 * a further statement in the transaction throws. Outside a transaction it
 * is an ordinary statement. For the hottest paths only (a desk's scan).
 */
export function commitsWith<Q extends CompiledQuery>(query: Q): Q {
  COMMITS.add(query);
  return query;
}
