import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { StoreKey } from '../util/store-key.js';
import type { StoreCapability } from './capabilities.js';
import type { TestableEntry, TestableStore, TestableSyncOps, TestableWriteOptions } from './testable-store.js';

/**
 * What every group of contract tests is given: the runner's `it`, the store
 * of the running test, the suite's options and the clock helpers.
 *
 * @example
 * ```ts
 * context.it('deletes a key', async () => {
 *   await context.store().set('a', 1);
 *   assert.equal(await context.store().delete('a'), true);
 * });
 * ```
 */
export interface ContractContext {
  /** Registers one test with the caller's runner. */
  readonly it: (name: string, body: () => Promise<void>) => void;
  /** The store of the running test (a fresh one per test). */
  readonly store: () => TestableStore;
  /** TTL in ms that expiry tests use. */
  readonly ttl: number;
  /** Whether the store keeps what it is given (`false`: the null store). */
  readonly retains: boolean;
  /** Whether writes check values as memokit's serializing stores do. */
  readonly validatesValues: boolean;
  /** Whether the store claims `capability` (its tests are registered). */
  readonly can: (capability: StoreCapability) => boolean;
  /** Lets `ms` pass on the store's clock: a fake clock's step, or a real sleep. */
  readonly elapse: (ms: number) => Promise<void>;
  /**
   * Waits until `check` holds once `ms` have passed: one step of a fake clock
   * (then `check` must hold), or bounded polling on real time (at most
   * `ms` + 3 s).
   */
  readonly after: (ms: number, check: () => Promise<boolean>) => Promise<void>;
  /** Whether the store runs on a clock the suite moves (then elapsed times are exact). */
  readonly clockIsFake: () => boolean;
}

/** Real-time stores: how long past a TTL `after` keeps polling, in ms. */
const POLL_GRACE_MS = 3000;

/**
 * The clock helpers of {@link ContractContext} over the running subject's
 * `advance` (a fake clock), or over real time when it has none.
 *
 * @example
 * ```ts
 * const { elapse, after } = clockHelpers(() => subject.advance);
 * ```
 */
export function clockHelpers(
  advanceOf: () => ((ms: number) => void) | undefined,
): Pick<ContractContext, 'elapse' | 'after' | 'clockIsFake'> {
  return {
    clockIsFake: () => advanceOf() !== undefined,
    elapse: async (ms) => {
      const advance = advanceOf();
      if (advance !== undefined) advance(ms);
      else await sleep(ms);
    },
    after: async (ms, check) => {
      const advance = advanceOf();
      if (advance !== undefined) {
        advance(ms + 1);
        assert.equal(await check(), true);
        return;
      }
      const deadline = performance.now() + ms + POLL_GRACE_MS;
      while (!(await check())) {
        if (performance.now() > deadline) throw new Error(`still not expired ${ms + POLL_GRACE_MS} ms later`);
        await sleep(10);
      }
    },
  };
}

/**
 * Whether `store` misses `key`.
 *
 * @example
 * ```ts
 * await context.after(context.ttl, () => miss(store, 'short'));
 * ```
 */
export const miss = async (store: TestableStore, key: StoreKey): Promise<boolean> =>
  (await store.get(key)) === undefined;

/**
 * The `expiresIn` of an entry (optional in the contract: the milliseconds of
 * freshness it had left when read, 0 or less on a stale read), checked to be
 * a finite number when present.
 *
 * @example
 * ```ts
 * const left = expiresInOf(await store.get('a')); // undefined: unknown, or no expiry
 * ```
 */
export function expiresInOf(entry: TestableEntry | undefined): number | undefined {
  const left = (entry as { readonly expiresIn?: unknown } | undefined)?.expiresIn;
  if (left === undefined) return undefined;
  assert.ok(typeof left === 'number' && Number.isFinite(left), `expiresIn is ${String(left)}, not a finite number`);
  return left;
}

/**
 * `sync.expiresIn` (optional): the freshness a live entry has left, checked
 * to be a positive finite number when present; `undefined` when the store's
 * synchronous operations have none.
 *
 * @example
 * ```ts
 * const left = syncExpiresIn(syncOps(store))?.('a');
 * ```
 */
export function syncExpiresIn(sync: TestableSyncOps): ((key: StoreKey) => number | undefined) | undefined {
  const read = (sync as { readonly expiresIn?: unknown }).expiresIn;
  if (read === undefined) return undefined;
  assert.equal(typeof read, 'function', 'sync.expiresIn is not a function');
  return (key) => {
    const left: unknown = (read as (key: StoreKey) => unknown).call(sync, key);
    if (left === undefined) return undefined;
    assert.ok(
      typeof left === 'number' && Number.isFinite(left) && left > 0,
      `sync.expiresIn(${String(key)}) is ${String(left)}: a live entry has a positive finite freshness, or undefined`,
    );
    return left;
  };
}

/** The optional method `name` of `store`, bound to it; fails the test when the store has none. */
function member<K extends 'getFailSafe' | 'has' | 'setIfNotExists' | 'expireIn' | 'stats' | 'invalidateTags'>(
  store: TestableStore,
  name: K,
): NonNullable<TestableStore[K]> {
  const method = store[name];
  assert.equal(typeof method, 'function', `the store claims a capability that needs ${name}(), which it does not have`);
  return method as NonNullable<TestableStore[K]>;
}

/**
 * `store.getFailSafe(key)` (the `'failSafe'` capability).
 *
 * @example
 * ```ts
 * assert.equal((await getFailSafe(store, 'a'))?.value, 'v');
 * ```
 */
export const getFailSafe = (store: TestableStore, key: StoreKey): Promise<TestableEntry | undefined> =>
  member(store, 'getFailSafe').call(store, key);

/**
 * `store.has(key)` (the `'has'` capability).
 *
 * @example
 * ```ts
 * assert.equal(await has(store, 'a'), true);
 * ```
 */
export const has = (store: TestableStore, key: StoreKey): Promise<boolean> => member(store, 'has').call(store, key);

/**
 * `store.setIfNotExists(key, value, options)` (the `'setIfNotExists'` capability).
 *
 * @example
 * ```ts
 * assert.equal(await setIfNotExists(store, 'a', 1), true);
 * ```
 */
export const setIfNotExists = (
  store: TestableStore,
  key: StoreKey,
  value: unknown,
  options?: TestableWriteOptions,
): Promise<boolean> => member(store, 'setIfNotExists').call(store, key, value, options);

/**
 * `store.expireIn(key, ttl)` (the `'expireIn'` capability).
 *
 * @example
 * ```ts
 * assert.equal(await expireIn(store, 'a', 1000), true);
 * ```
 */
export const expireIn = (store: TestableStore, key: StoreKey, ttl: number | undefined): Promise<boolean> =>
  member(store, 'expireIn').call(store, key, ttl);

/**
 * `store.stats()` (the `'stats'` capability).
 *
 * @example
 * ```ts
 * assert.ok(stats(store).size >= 0);
 * ```
 */
export const stats = (store: TestableStore): { readonly size: number; readonly evictions: number } =>
  member(store, 'stats').call(store);

/**
 * `store.invalidateTags(tags)` (the `'tags'` capability).
 *
 * @example
 * ```ts
 * await invalidateTags(store, ['user:1']);
 * ```
 */
export const invalidateTags = (store: TestableStore, tags: readonly string[]): Promise<void> =>
  member(store, 'invalidateTags').call(store, tags);

/**
 * `store.sync` (the `'sync'` capability); fails the test when the store has none.
 *
 * @example
 * ```ts
 * assert.equal(syncOps(store).get('a')?.value, 1);
 * ```
 */
export function syncOps(store: TestableStore): TestableSyncOps {
  const sync = store.sync;
  assert.ok(sync !== undefined, 'the store claims the "sync" capability but has no sync operations');
  return sync;
}
