import { afterAll, describe, expect, it } from '@jest/globals';
import { withCacheTransaction } from '../../../lib/index.js';
import { deferred } from '../../helpers/deferred.js';
import { transactionalAccounts } from '../../helpers/transactional-db.js';
import { closeOpened, SHARED_STORES } from '../../setup/shared-stores.js';

/**
 * withCacheTransaction on Redis and on the tiered store (a private Redis),
 * over the stand-in database of test/helpers/transactional-db.ts: the same
 * guarantees as on the memory store (test/api/transactions.test.ts).
 */
afterAll(closeOpened);

describe.each(SHARED_STORES)('withCacheTransaction on the %s store', (_name, open) => {
  it('a read during the transaction is not stored; after the commit the row is fresh', async () => {
    const { accounts, inTransaction, counts } = transactionalAccounts((await open('tx')).store);
    await accounts.get(1);
    const midway = deferred<void>();
    const commit = deferred<void>();
    const running = withCacheTransaction(() =>
      inTransaction(async (tx) => {
        await accounts.rename(1, tx, 'grace');
        midway.resolve();
        await commit.promise;
      }),
    );
    await midway.promise;
    expect(await accounts.get(1)).toBe('ada');
    commit.resolve();
    await running;
    expect(await accounts.get(1)).toBe('grace');
    expect(await accounts.get(1)).toBe('grace');
    expect(counts.reads).toBe(3);
  });

  it('an updater stores after the commit; a rollback stores nothing', async () => {
    const { accounts, inTransaction, counts } = transactionalAccounts((await open('tx-update')).store);
    await withCacheTransaction(() => inTransaction((tx) => accounts.save(2, tx, 'turing')));
    expect(await accounts.get(2)).toBe('turing');
    expect(counts.reads).toBe(0); // stored by the updater
    await expect(
      withCacheTransaction(() =>
        inTransaction(async (tx) => {
          await accounts.save(2, tx, 'hopper');
          throw new Error('rolled back');
        }),
      ),
    ).rejects.toThrow('rolled back');
    expect(await accounts.get(2)).toBe('turing'); // reloaded from the committed row
    expect(counts.reads).toBe(1);
  });
});
