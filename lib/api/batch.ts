import { messages } from '../util/messages.js';
import { functionOption, nonNegativeNumber, positiveInt } from '../util/options.js';

/**
 * What a batch loader's `loadMany` returns: values in the order of the keys
 * (an `Error` in a slot fails only that key), or a Map from key to value (a
 * missing key fails only that key).
 *
 * @example
 * ```ts
 * const byOrder: BatchResult<number, User> = [alice, new Error('not found')];
 * const byKey: BatchResult<number, User> = new Map([[1, alice]]);
 * ```
 */
export type BatchResult<K, V> = readonly (V | Error)[] | ReadonlyMap<K, V>;

/**
 * Options of {@link createBatchLoader}.
 *
 * @example
 * ```ts
 * createBatchLoader({ loadMany: (ids: number[]) => db.users.findMany(ids), window: 5, maxBatch: 100 });
 * ```
 */
export interface BatchLoaderOptions<K, V> {
  /** Loads many keys in one call (one database round trip). */
  loadMany: (keys: K[]) => Promise<BatchResult<K, V>>;
  /**
   * How long (ms) to wait for more keys after the first one. `0` still
   * gathers every key requested in the same tick.
   *
   * @default 5
   */
  window?: number;
  /**
   * Most keys per `loadMany` call; a full batch is sent at once.
   *
   * @default 100
   */
  maxBatch?: number;
}

/**
 * Loads single keys, grouping the ones requested close together into one
 * `loadMany` call (DataLoader style).
 *
 * @example
 * ```ts
 * const user = await loader.load(42);
 * ```
 */
export interface BatchLoader<K, V> {
  /** Resolves with the key's value, or rejects with that key's own error. */
  load(key: K): Promise<V>;
  /** Sends the pending batch now instead of at the end of the window. */
  flush(): void;
}

interface Pending<V> {
  resolve(value: V): void;
  reject(error: unknown): void;
}

/**
 * Creates a {@link BatchLoader}. Combine it with a cached method so that
 * concurrent cache misses become one query:
 *
 * @example
 * ```ts
 * class Users {
 *   private readonly loader = createBatchLoader({ loadMany: (ids: number[]) => this.repo.findMany(ids) });
 *
 *   @AsyncLRU()
 *   async getUser(id: number): Promise<User> {
 *     return this.loader.load(id); // 50 concurrent misses -> one findMany call
 *   }
 * }
 * ```
 */
export function createBatchLoader<K, V>(options: BatchLoaderOptions<K, V>): BatchLoader<K, V> {
  const where = 'createBatchLoader()';
  const loadMany = functionOption<BatchLoaderOptions<K, V>['loadMany']>(where, 'loadMany', options.loadMany);
  const window = nonNegativeNumber(where, 'window', options.window, 5);
  const maxBatch = positiveInt(where, 'maxBatch', options.maxBatch, 100);

  let queue = new Map<K, Pending<V>[]>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let scheduled = false;

  const dispatch = (): void => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    scheduled = false;
    const batch = queue;
    queue = new Map();
    if (batch.size > 0) void run(batch);
  };

  const run = async (batch: Map<K, Pending<V>[]>): Promise<void> => {
    const keys = [...batch.keys()];
    let result: BatchResult<K, V>;
    try {
      result = await loadMany(keys);
    } catch (error) {
      for (const waiters of batch.values()) for (const w of waiters) w.reject(error);
      return;
    }
    keys.forEach((key, index) => {
      const waiters = batch.get(key) ?? [];
      let outcome: { value: V } | { error: unknown };
      if (result instanceof Map) {
        outcome = result.has(key)
          ? { value: result.get(key) as V }
          : { error: new Error(messages.BATCH_MISSING_KEY(key)) };
      } else if (Array.isArray(result) && result.length === keys.length) {
        const slot = (result as readonly (V | Error)[])[index];
        outcome = slot instanceof Error ? { error: slot } : { value: slot as V };
      } else {
        outcome = { error: new TypeError(messages.BATCH_BAD_RESULT(keys.length, result)) };
      }
      for (const w of waiters) {
        if ('value' in outcome) w.resolve(outcome.value);
        else w.reject(outcome.error);
      }
    });
  };

  return {
    load(key: K): Promise<V> {
      return new Promise<V>((resolve, reject) => {
        const waiters = queue.get(key);
        if (waiters !== undefined) waiters.push({ resolve, reject });
        else queue.set(key, [{ resolve, reject }]);
        if (queue.size >= maxBatch) {
          dispatch();
          return;
        }
        if (scheduled) return;
        scheduled = true;
        if (window === 0) {
          // After every synchronous caller of this tick (and their awaits) had a chance to enqueue.
          setImmediate(dispatch);
        } else {
          // Not unref'd: a caller is awaiting this batch, so the process must stay up for it.
          timer = setTimeout(dispatch, window);
        }
      });
    },
    flush: dispatch,
  };
}
