/**
 * withCacheTransaction against a real PostgreSQL transaction (a private
 * server this suite starts with initdb + pg_ctl on a free loopback port):
 * a read on another connection while the transaction is open must not leave
 * the pre-commit row cached after COMMIT.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { AsyncLRU, LRUInvalidator, MemoryStore, withCacheTransaction } from '../../lib/index.js';
import { deferred } from '../helpers/deferred.js';
import { startPostgresServer, type PostgresServer } from '../setup/postgres-server.js';

let server: PostgresServer;
let pool: pg.Pool;

beforeAll(async () => {
  server = await startPostgresServer();
  pool = new pg.Pool({ connectionString: await server.createDatabase('transactions'), max: 4 });
  await pool.query('CREATE TABLE accounts (id int PRIMARY KEY, name text NOT NULL)');
}, 60_000);

afterAll(async () => {
  await pool?.end();
  await server?.stop();
});

/** Reads through the pool (autocommit: committed rows); renames on the transaction's own client. */
function accountService() {
  let reads = 0;
  class Accounts {
    @AsyncLRU({ store: new MemoryStore() })
    async name(id: number): Promise<string | undefined> {
      reads++;
      const { rows } = await pool.query<{ name: string }>('SELECT name FROM accounts WHERE id = $1', [id]);
      return rows[0]?.name;
    }

    @LRUInvalidator(() => Accounts.prototype.name, { keyFn: ([, id]: [pg.PoolClient, number, string]) => [id] })
    async rename(client: pg.PoolClient, id: number, name: string): Promise<void> {
      await client.query('UPDATE accounts SET name = $2 WHERE id = $1', [id, name]);
    }
  }
  return { accounts: new Accounts(), reads: () => reads };
}

/** `BEGIN`, `work`, a pause for the test (`midway`, then `beforeCommit`), `COMMIT`, on one client. */
async function transaction(
  work: (client: pg.PoolClient) => Promise<void>,
  midway: () => void,
  beforeCommit: Promise<void>,
): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await work(client);
    midway();
    await beforeCommit;
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
}

describe('withCacheTransaction on PostgreSQL', () => {
  it('without it, a read during the transaction leaves the old row cached after COMMIT (the bug it fixes)', async () => {
    await pool.query("INSERT INTO accounts VALUES (1, 'ada')");
    const { accounts } = accountService();
    expect(await accounts.name(1)).toBe('ada');
    const midway = deferred<void>();
    const commit = deferred<void>();
    const running = transaction((c) => accounts.rename(c, 1, 'grace'), midway.resolve, commit.promise);
    await midway.promise;
    expect(await accounts.name(1)).toBe('ada'); // another connection: the committed row
    commit.resolve();
    await running;
    expect((await pool.query('SELECT name FROM accounts WHERE id = 1')).rows[0]).toEqual({ name: 'grace' });
    expect(await accounts.name(1)).toBe('ada'); // stale: cached between the mutation and COMMIT
  });

  it('with it, the read during the transaction is not stored, and after COMMIT the cache has the new row', async () => {
    await pool.query("INSERT INTO accounts VALUES (2, 'alan')");
    const { accounts, reads } = accountService();
    expect(await accounts.name(2)).toBe('alan');
    const midway = deferred<void>();
    const commit = deferred<void>();
    const running = withCacheTransaction(() =>
      transaction((c) => accounts.rename(c, 2, 'turing'), midway.resolve, commit.promise),
    );
    await midway.promise;
    expect(await accounts.name(2)).toBe('alan'); // the committed row, read and not stored
    commit.resolve();
    await running;
    expect(await accounts.name(2)).toBe('turing');
    expect(await accounts.name(2)).toBe('turing'); // a hit
    expect(reads()).toBe(3);
  });

  it('a rollback leaves the committed row, and the cache serves it', async () => {
    await pool.query("INSERT INTO accounts VALUES (3, 'edsger')");
    const { accounts } = accountService();
    expect(await accounts.name(3)).toBe('edsger');
    const midway = deferred<void>();
    const failing = withCacheTransaction(() =>
      transaction(
        async (c) => {
          await accounts.rename(c, 3, 'dijkstra');
          throw new Error('check failed');
        },
        midway.resolve,
        Promise.resolve(),
      ),
    );
    await expect(failing).rejects.toThrow('check failed');
    expect(await accounts.name(3)).toBe('edsger');
  });
});
