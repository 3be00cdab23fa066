import { describe, expect, it } from '@jest/globals';
import { MemoryStore, withCacheTransaction } from '../../lib/index.js';
import { deferred, flush } from '../helpers/deferred.js';
import { transactionalAccounts } from '../helpers/transactional-db.js';

/**
 * withCacheTransaction on the memory store, over a stand-in database with
 * transactions (test/helpers/transactional-db.ts). The story each test
 * tells: a mutation runs in a transaction that commits later; a reader
 * outside reads the committed row meanwhile. (Redis and tiered:
 * test/stores/redis/transactions.test.ts; a real PostgreSQL:
 * test/api/transactions.pg.test.ts.)
 */
describe('withCacheTransaction', () => {
  it('without it: a read between the mutation and the commit caches the old row after the commit (the bug)', async () => {
    const { accounts, inTransaction } = transactionalAccounts(new MemoryStore());
    await accounts.get(1);
    const beforeCommit = deferred<void>();
    const midway = deferred<void>();
    const transaction = inTransaction(async (tx) => {
      await accounts.rename(1, tx, 'grace'); // evicts, then evicts again when it returns
      midway.resolve();
      await beforeCommit.promise;
    });
    await midway.promise;
    expect(await accounts.get(1)).toBe('ada'); // the committed row: loaded and cached
    beforeCommit.resolve();
    await transaction;
    expect(await accounts.get(1)).toBe('ada'); // stale after the commit
  });

  it('with it: the read between the mutation and the commit is not stored; after the commit the row is fresh', async () => {
    const { accounts, inTransaction, counts } = transactionalAccounts(new MemoryStore());
    await accounts.get(1);
    const beforeCommit = deferred<void>();
    const midway = deferred<void>();
    const transaction = withCacheTransaction(() =>
      inTransaction(async (tx) => {
        await accounts.rename(1, tx, 'grace');
        midway.resolve();
        await beforeCommit.promise;
      }),
    );
    await midway.promise;
    expect(await accounts.get(1)).toBe('ada'); // outside: the committed row, not stored
    expect(await accounts.get(1)).toBe('ada');
    expect(counts.reads).toBe(3);
    beforeCommit.resolve();
    await transaction;
    expect(await accounts.get(1)).toBe('grace');
    expect(await accounts.get(1)).toBe('grace'); // cached now
    expect(counts.reads).toBe(4);
  });

  it('a rollback evicts again and stores nothing, and the error passes through', async () => {
    const { accounts, inTransaction, counts } = transactionalAccounts(new MemoryStore());
    await accounts.get(2);
    await expect(
      withCacheTransaction(() =>
        inTransaction(async (tx) => {
          await accounts.save(2, tx, 'turing'); // an updater: stores only once committed
          throw new Error('deadlock detected');
        }),
      ),
    ).rejects.toThrow('deadlock detected');
    expect(await accounts.get(2)).toBe('alan'); // reloaded: nothing stored, nothing stale
    expect(counts.reads).toBe(2);
  });

  it('an updater stores its value once the transaction committed, not before', async () => {
    const { accounts, inTransaction, counts } = transactionalAccounts(new MemoryStore());
    await accounts.get(2);
    const beforeCommit = deferred<void>();
    const midway = deferred<void>();
    const transaction = withCacheTransaction(() =>
      inTransaction(async (tx) => {
        await accounts.save(2, tx, 'turing');
        midway.resolve();
        await beforeCommit.promise;
      }),
    );
    await midway.promise;
    expect(await accounts.get(2)).toBe('alan'); // the entry was evicted; the committed row, not stored
    beforeCommit.resolve();
    await transaction;
    const reads = counts.reads;
    expect(await accounts.get(2)).toBe('turing'); // the stored value: a hit
    expect(counts.reads).toBe(reads);
  });

  it('inside the transaction a miss reads its own writes and neither stores nor shares them', async () => {
    const { accounts, inTransaction, counts } = transactionalAccounts(new MemoryStore());
    const inside = deferred<void>();
    const release = deferred<void>();
    const transaction = withCacheTransaction(() =>
      inTransaction(async (tx) => {
        await accounts.rename(2, tx, 'turing');
        expect(await accounts.get(2)).toBe('turing'); // its own write
        inside.resolve();
        await release.promise;
      }),
    );
    await inside.promise;
    expect(await accounts.get(2)).toBe('alan'); // outside: the committed row, not the transaction's
    release.resolve();
    await transaction;
    expect(await accounts.get(2)).toBe('turing');
    expect(counts.reads).toBe(3);
  });

  it('nested calls join the outermost transaction', async () => {
    const { accounts, inTransaction } = transactionalAccounts(new MemoryStore());
    await accounts.get(1);
    const beforeCommit = deferred<void>();
    const transaction = withCacheTransaction(() =>
      inTransaction(async (tx) => {
        await withCacheTransaction(() => accounts.rename(1, tx, 'grace')); // settles with the outer one
        await beforeCommit.promise;
      }),
    );
    await flush();
    expect(await accounts.get(1)).toBe('ada'); // not stored: the window is still open
    beforeCommit.resolve();
    await transaction;
    expect(await accounts.get(1)).toBe('grace');
  });
});
