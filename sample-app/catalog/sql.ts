/**
 * The two SQL drivers the catalog runs on, behind one small interface: SQLite
 * embedded (better-sqlite3) and PostgreSQL (pg). Every query is written once,
 * with `$1, $2, …` placeholders in order (SQLite gets `?`), and runs unchanged
 * on both.
 */
import Database from 'better-sqlite3';
import pg from 'pg';

/** A row as the driver returns it. */
export type SqlRow = Record<string, unknown>;

/** What a statement runs on: the pool/connection, or an open transaction. */
export interface SqlExecutor {
  query<T extends SqlRow>(sql: string, params?: readonly unknown[]): Promise<T[]>;
}

/** A database connection (SQLite) or pool (PostgreSQL). */
export interface SqlDriver extends SqlExecutor {
  readonly engine: 'sqlite' | 'postgres';
  /** Runs `work` between BEGIN and COMMIT; ROLLBACK if it throws. */
  transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /** Runs several statements at once (schema), not counted, no parameters. */
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
}

/** A statement the database refused because of a constraint (CHECK, UNIQUE, foreign key). */
export class ConstraintError extends Error {
  override readonly name = 'ConstraintError';
}

const toConstraintError = (error: unknown): unknown => {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return error;
  // SQLite: SQLITE_CONSTRAINT_CHECK, _UNIQUE, _FOREIGNKEY…; PostgreSQL: class 23 (integrity constraint violation).
  if (code.startsWith('SQLITE_CONSTRAINT') || /^23\d{3}$/.test(code)) {
    return new ConstraintError((error as Error).message, { cause: error });
  }
  return error;
};

const questionMarks = (sql: string): string => sql.replace(/\$\d+/g, '?');

/**
 * SQLite through better-sqlite3. Queries are synchronous; a transaction holds
 * the connection: other statements of this process wait until it ends, so
 * they never run inside it. Several processes may share the file (WAL, a busy
 * timeout, `BEGIN IMMEDIATE` for writers).
 */
export class SqliteDriver implements SqlDriver {
  readonly engine = 'sqlite';
  readonly #db: Database.Database;
  readonly #statements = new Map<string, Database.Statement>();
  #transaction: Promise<void> | undefined;

  constructor(file: string) {
    this.#db = new Database(file);
    this.#db.pragma('busy_timeout = 5000');
    // Switching to WAL needs a moment alone with the file, and SQLite reports SQLITE_BUSY at once (no busy
    // handler) while another process is seeding or writing it: try again for a bounded time.
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        this.#db.pragma('journal_mode = WAL');
        break;
      } catch (error) {
        if ((error as { code?: unknown }).code !== 'SQLITE_BUSY' || Date.now() > deadline) throw error;
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
      }
    }
    this.#db.pragma('synchronous = NORMAL');
    this.#db.pragma('foreign_keys = ON');
  }

  #run<T extends SqlRow>(sql: string, params: readonly unknown[]): T[] {
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      statement = this.#db.prepare(questionMarks(sql));
      this.#statements.set(sql, statement);
    }
    try {
      return statement.reader ? (statement.all(...params) as T[]) : (statement.run(...params), []);
    } catch (error) {
      throw toConstraintError(error);
    }
  }

  async query<T extends SqlRow>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    while (this.#transaction !== undefined) await this.#transaction;
    return this.#run<T>(sql, params);
  }

  async transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    while (this.#transaction !== undefined) await this.#transaction;
    let release = (): void => {};
    this.#transaction = new Promise<void>((resolve) => (release = resolve));
    try {
      this.#db.exec('BEGIN IMMEDIATE');
      try {
        const result = await work({ query: async (sql, params = []) => this.#run(sql, params) });
        this.#db.exec('COMMIT');
        return result;
      } catch (error) {
        if (this.#db.inTransaction) this.#db.exec('ROLLBACK');
        throw error;
      }
    } finally {
      this.#transaction = undefined;
      release();
    }
  }

  async exec(sql: string): Promise<void> {
    while (this.#transaction !== undefined) await this.#transaction;
    this.#db.exec(sql);
  }

  async close(): Promise<void> {
    while (this.#transaction !== undefined) await this.#transaction;
    this.#db.close();
  }
}

/** PostgreSQL through a `pg` pool; a transaction takes one client from the pool. */
export class PostgresDriver implements SqlDriver {
  readonly engine = 'postgres';
  readonly #pool: pg.Pool;

  constructor(url: string) {
    this.#pool = new pg.Pool({ connectionString: url, max: 10 });
    // An idle client that loses its server emits here; the next query reports the problem.
    this.#pool.on('error', () => {});
  }

  async query<T extends SqlRow>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    try {
      return (await this.#pool.query<T>(sql, params as unknown[])).rows;
    } catch (error) {
      throw toConstraintError(error);
    }
  }

  async transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    const client = await this.#pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work({
        query: async <R extends SqlRow>(sql: string, params: readonly unknown[] = []) => {
          try {
            return (await client.query<R>(sql, params as unknown[])).rows;
          } catch (error) {
            throw toConstraintError(error);
          }
        },
      });
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }

  async exec(sql: string): Promise<void> {
    await this.#pool.query(sql);
  }

  close(): Promise<void> {
    return this.#pool.end();
  }
}
