import type { CacheStore, StoreEntry } from '../stores/contract.js';
import type { StoreKey } from '../util/store-key.js';

/**
 * One operation a {@link RecordingStore} saw.
 *
 * @example
 * ```ts
 * const op: RecordedOperation = { op: 'get', namespace: 'Users.get', key: 42, outcome: 'miss' };
 * ```
 */
export interface RecordedOperation {
  /** The store method called (`get`, `set`, `delete`, `getForLoad`, `sync.get`...). */
  readonly op: string;
  /** The namespace it was called on (`''` for the root). */
  readonly namespace: string;
  /** The key, for operations on one key. @default undefined */
  readonly key?: StoreKey | undefined;
  /** `hit`/`miss` for reads, `ok` for the others, `error` when it threw or rejected. */
  readonly outcome: 'hit' | 'miss' | 'ok' | 'error';
}

/** Reads: their outcome is whether they found an entry. */
const READS = new Set(['get', 'getFailSafe', 'getForLoad', 'getOrLease', 'has']);
/** Operations on one key (their first argument). */
const KEYED = new Set([
  'get',
  'getFailSafe',
  'getForLoad',
  'getOrLease',
  'has',
  'set',
  'delete',
  'setIfNotExists',
  'expireIn',
  'expiresIn',
  'releaseLease',
  'loadToken',
]);
/** What is recorded (everything else passes through unseen). */
const RECORDED = new Set([...KEYED, 'clear', 'getMany', 'setMany', 'invalidateTags']);

/** Most operations kept (the oldest are dropped past it). */
const DEFAULT_LIMIT = 10_000;

function outcomeOf(op: string, result: unknown): RecordedOperation['outcome'] {
  if (!READS.has(op)) return 'ok';
  if (op === 'has') return result === true ? 'hit' : 'miss';
  const entry = op === 'getForLoad' || op === 'getOrLease' ? (result as { entry?: StoreEntry })?.entry : result;
  return entry === undefined ? 'miss' : 'hit';
}

/**
 * Wraps any store and records every operation on it and on its namespaces
 * (their synchronous tier included), with key, namespace and outcome; the
 * store behaves exactly as before (the same capabilities, the same
 * results). Keeps the last 10,000 operations.
 *
 * @example
 * ```ts
 * const store = new RecordingStore(new MemoryStore());
 * class Users {
 *   @AsyncLRU({ store })
 *   async get(id: number) { return { id }; }
 * }
 * await new Users().get(1);
 * store.operations('Users.get'); // [{ op: 'sync.get', key: 1, outcome: 'miss' }, ..., { op: 'sync.set', ... }]
 * ```
 */
export class RecordingStore {
  readonly #log: RecordedOperation[] = [];
  readonly #limit: number;

  /**
   * @param store - the store to wrap
   * @param options - `limit`: most operations kept
   * @default options: `{ limit: 10_000 }`
   */
  constructor(store: CacheStore, options: { readonly limit?: number } = {}) {
    this.#limit = options.limit ?? DEFAULT_LIMIT;
    // The wrapper is the store itself, seen through a proxy: `instanceof` and every capability stay as they are.
    return this.#wrap(store, '') as unknown as RecordingStore;
  }

  /**
   * The operations recorded (in one namespace, when given), oldest first.
   *
   * @example
   * ```ts
   * expect(store.operations('Users.get').filter((o) => o.outcome === 'miss')).toHaveLength(1);
   * ```
   */
  operations(namespace?: string): RecordedOperation[] {
    return namespace === undefined ? [...this.#log] : this.#log.filter((o) => o.namespace === namespace);
  }

  /** Forgets every operation recorded so far. */
  reset(): void {
    this.#log.length = 0;
  }

  #record(operation: RecordedOperation): void {
    this.#log.push(operation);
    if (this.#log.length > this.#limit) this.#log.splice(0, this.#log.length - this.#limit);
  }

  #wrap<T extends object>(target: T, namespace: string, prefix = ''): T {
    const get = (object: T, property: string | symbol): unknown => {
      if (prefix === '' && property === 'operations') return (ns?: string) => this.operations(ns);
      if (prefix === '' && property === 'reset') return () => this.reset();
      // Read on the store itself: its getters use private fields, which the proxy does not have.
      const value: unknown = Reflect.get(object, property, object);
      if (typeof property !== 'string') return value;
      if (prefix === '' && property === 'sync' && typeof value === 'object' && value !== null) {
        return this.#wrap(value, namespace, 'sync.');
      }
      if (typeof value !== 'function') return value;
      const fn = value as (...args: unknown[]) => unknown;
      if (prefix === '' && property === 'namespace') {
        return (name: string, options?: unknown) => {
          const child = fn.call(object, name, options) as CacheStore;
          return this.#wrap(child, namespace === '' ? name : `${namespace}/${name}`);
        };
      }
      if (!RECORDED.has(property)) return fn.bind(object);
      return this.#recorded(fn, object, property, `${prefix}${property}`, namespace);
    };
    return new Proxy(target, { get });
  }

  /** `fn` (method `property` of `object`) with each call recorded as `op` in `namespace`. */
  #recorded(
    fn: (...args: unknown[]) => unknown,
    object: object,
    property: string,
    op: string,
    namespace: string,
  ): (...args: unknown[]) => unknown {
    return (...args: unknown[]) => {
      const key = KEYED.has(property) ? (args[0] as StoreKey) : undefined;
      const done = (outcome: RecordedOperation['outcome']): void => this.#record({ op, namespace, key, outcome });
      let result: unknown;
      try {
        result = fn.apply(object, args);
      } catch (error) {
        done('error');
        throw error;
      }
      if (!(result instanceof Promise)) {
        done(outcomeOf(property, result));
        return result;
      }
      return result.then(
        (settled: unknown) => {
          done(outcomeOf(property, settled));
          return settled;
        },
        (error: unknown) => {
          done('error');
          throw error;
        },
      );
    };
  }
}

/**
 * A {@link RecordingStore} seen as the store it wraps, with its recording
 * methods.
 *
 * @example
 * ```ts
 * const store: RecordedStore<MemoryStore> = recordingStore(new MemoryStore());
 * ```
 */
export type RecordedStore<S extends CacheStore> = S & Pick<RecordingStore, 'operations' | 'reset'>;

/**
 * Wraps `store` in a {@link RecordingStore}, typed as the store it wraps
 * plus `operations()` and `reset()`.
 *
 * @example
 * ```ts
 * const store = recordingStore(new MemoryStore());
 * ```
 */
export function recordingStore<S extends CacheStore>(
  store: S,
  options?: { readonly limit?: number },
): RecordedStore<S> {
  return new RecordingStore(store, options) as unknown as RecordedStore<S>;
}
