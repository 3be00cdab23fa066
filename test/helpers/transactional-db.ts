import { AsyncLocalStorage } from 'node:async_hooks';
import { AsyncLRU, LRUInvalidator, LRUUpdater, type CacheStore } from '../../lib/index.js';

/**
 * A stand-in for a database with transactions: `inTransaction(run)` runs
 * `run` with a transaction (held in an AsyncLocalStorage, as a connection
 * per request is) whose writes reads inside it see, and reads outside see
 * only once `commit()` applied them; and a service caching reads of it,
 * with an invalidator and an updater that write in the transaction. (test/api/transactions.pg.test.ts runs
 * the same story on a real PostgreSQL.)
 */
export function transactionalAccounts(store: CacheStore) {
  const committed = new Map<number, string>([
    [1, 'ada'],
    [2, 'alan'],
  ]);
  const counts = { reads: 0 };
  class Transaction {
    readonly writes = new Map<number, string>();
    read(id: number): string | undefined {
      return this.writes.get(id) ?? committed.get(id);
    }
    commit(): void {
      for (const [id, name] of this.writes) committed.set(id, name);
    }
  }
  const current = new AsyncLocalStorage<Transaction>();
  class Accounts {
    /** A read: committed rows, or, inside a transaction, with its own writes. */
    @AsyncLRU({ store })
    async get(id: number): Promise<string | undefined> {
      counts.reads++;
      return current.getStore()?.read(id) ?? committed.get(id);
    }

    @LRUInvalidator(() => Accounts.prototype.get, { keyFn: ([id]: [number, Transaction, string]) => [id] })
    async rename(id: number, tx: Transaction, name: string): Promise<void> {
      tx.writes.set(id, name);
    }

    @LRUUpdater(() => Accounts.prototype.get, { keyFn: ([id]: [number, Transaction, string]) => [id] })
    async save(id: number, tx: Transaction, name: string): Promise<string> {
      tx.writes.set(id, name);
      return name;
    }
  }
  /** Runs `run` in a new transaction; commits when it resolves (it is rolled back if it rejects). */
  const inTransaction = async <T>(run: (tx: Transaction) => Promise<T>): Promise<T> => {
    const tx = new Transaction();
    const result = await current.run(tx, () => run(tx));
    tx.commit();
    return result;
  };
  return { accounts: new Accounts(), inTransaction, committed, counts };
}
