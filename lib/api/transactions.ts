import { AsyncLocalStorage } from 'node:async_hooks';
import { isolateLoadsWhen } from '../engine/index.js';

/** What a mutation inside a cache transaction leaves to do once the transaction settles. */
interface Deferred {
  /** Run when the transaction's callback resolved (its writes are committed). */
  readonly commit: () => Promise<unknown>;
  /** Run when it rejected (rolled back): a final eviction, nothing stored. */
  readonly abort: () => Promise<unknown>;
}

/**
 * One `withCacheTransaction` callback: the effects its invalidators and
 * updaters deferred.
 *
 * @internal
 */
export class CacheTransaction {
  readonly #deferred: Deferred[] = [];

  /** Defers a mutation's closing effects to the end of the transaction. */
  defer(commit: () => Promise<unknown>, abort: () => Promise<unknown>): void {
    this.#deferred.push({ commit, abort });
  }

  /** Runs the deferred effects, in order: `commit` if the transaction committed, else `abort`. */
  async settle(committed: boolean): Promise<void> {
    for (const effect of this.#deferred.splice(0)) await (committed ? effect.commit() : effect.abort());
  }
}

const current = new AsyncLocalStorage<CacheTransaction>();

/**
 * The cache transaction active in this async context, if any.
 *
 * @internal
 */
export function activeTransaction(): CacheTransaction | undefined {
  return current.getStore();
}

/**
 * Binds cache effects to a database transaction. Wrap the call that runs the
 * transaction (TypeORM's `dataSource.transaction(...)`, Prisma's
 * `$transaction(...)`, `BEGIN … COMMIT` with `pg`), so that it resolves after
 * the database committed. Inside it:
 *
 * - invalidators still evict at once (before each mutation), and no load of
 *   an evicted key stores a value until the transaction settles, in any
 *   context (a concurrent reader outside reads the committed row, which is
 *   about to change);
 * - their second eviction, and write-through stores (`@LRUUpdater`), wait
 *   for the transaction: they run when it resolves, or, when it rejects
 *   (rolled back), a final eviction runs and nothing is stored;
 * - cached methods read the cache, but a miss runs the method without
 *   sharing or storing its value (it may read uncommitted writes).
 *
 * Nested calls join the outermost transaction. The result or error passes
 * through.
 *
 * @example
 * ```ts
 * await withCacheTransaction(() =>
 *   dataSource.transaction(async (manager) => {
 *     await users.rename(manager, 42, 'Ada'); // @LRUInvalidator: evicts getUser(42) now, and again after COMMIT
 *   }),
 * );
 * ```
 */
export async function withCacheTransaction<T>(run: () => Promise<T>): Promise<T> {
  if (current.getStore() !== undefined) return run();
  isolateLoadsWhen(inTransaction);
  const transaction = new CacheTransaction();
  let result: T;
  try {
    result = await current.run(transaction, run);
  } catch (error) {
    await transaction.settle(false);
    throw error;
  }
  await transaction.settle(true);
  return result;
}

const inTransaction = (): boolean => current.getStore() !== undefined;
