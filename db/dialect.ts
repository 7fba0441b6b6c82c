import type {
  CompiledQuery,
  DatabaseConnection,
  Driver,
  QueryResult,
  TransactionSettings,
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
    // Kysely's own BEGIN (or START TRANSACTION with the settings), held
    // instead of sent.
    const held = deferred(connection);
    await this.#driver.beginTransaction(
      {
        executeQuery: async (begin: CompiledQuery) => {
          held.defer(begin);
          return { rows: [] };
        },
      } as never,
      settings,
    );
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

/**
 * A connection that holds its transaction's BEGIN until the first statement.
 * (Writing COMMIT with the last statement was tried and withdrawn: decision
 * 028 says why.)
 */
class DeferredBegin implements DatabaseConnection {
  #begin: CompiledQuery | undefined;

  constructor(readonly inner: DatabaseConnection) {}

  defer(begin: CompiledQuery) {
    this.#begin = begin;
  }

  /**
   * The transaction ends: true when it sent nothing (it ran no statement),
   * so that the driver sends no COMMIT or ROLLBACK either.
   */
  end(): boolean {
    const pending = this.#begin !== undefined;
    this.#begin = undefined;
    return pending;
  }

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const begin = this.#begin;
    if (begin === undefined) return this.inner.executeQuery<R>(query);
    this.#begin = undefined;
    // Both handed to the connection before either is awaited: one write.
    const began = this.inner.executeQuery(begin);
    const result = this.inner.executeQuery<R>(query);
    try {
      await began;
    } catch (error) {
      // the statement is settled (it failed with the connection, or ran
      // outside any transaction) before the caller hears BEGIN's error
      await Promise.allSettled([result]);
      throw error;
    }
    return result;
  }

  async *streamQuery<R>(
    query: CompiledQuery,
    chunkSize?: number,
  ): AsyncIterableIterator<QueryResult<R>> {
    const begin = this.#begin;
    if (begin !== undefined) {
      this.#begin = undefined;
      await this.inner.executeQuery(begin);
    }
    yield* this.inner.streamQuery<R>(query, chunkSize);
  }
}
