import assert from 'node:assert/strict';
import { assertCapabilities, missingMembers, type StoreCapability } from './capabilities.js';
import { registerCapabilityTests, registerDescriptionTests } from './capability-tests.js';
import { clockHelpers, type ContractContext } from './contract-context.js';
import { registerCoreTests, registerNamespaceNameTest } from './core-tests.js';
import type { TestableStore } from './testable-store.js';
import { registerForgetfulTests, registerValueCheckTests } from './value-tests.js';

/**
 * The functions of your test runner the suite registers its tests with:
 * pass them from jest (`@jest/globals`), vitest or `node:test`. The suite
 * asserts with `node:assert/strict`, so it needs nothing else from the runner.
 *
 * @example
 * ```ts
 * import { afterEach, beforeEach, describe, it } from 'node:test';
 * const runner: TestRunner = { describe, it, beforeEach, afterEach };
 * ```
 */
export interface TestRunner {
  /** Groups tests: `describe(name, body)`; `body` registers them synchronously. */
  describe(name: string, body: () => void): unknown;
  /** One test: `it(name, body)`; `body` resolves when it passed and rejects when it failed. */
  it(name: string, body: () => Promise<void>): unknown;
  /** Runs `hook` before each test of the enclosing `describe`. */
  beforeEach(hook: () => Promise<void>): unknown;
  /** Runs `hook` after each test of the enclosing `describe`. */
  afterEach(hook: () => Promise<void>): unknown;
}

/**
 * One store under test, created fresh for every test.
 *
 * @example
 * ```ts
 * let now = 0;
 * const subject: StoreSubject = {
 *   store: new MemoryStore({ clock: { now: () => now } }),
 *   advance: (ms) => (now += ms),
 * };
 * ```
 */
export interface StoreSubject {
  /** The store the test uses. */
  readonly store: TestableStore;
  /**
   * Moves the store's clock forward, for a store with an injected clock: TTL
   * tests then take no time. Absent for a store on real time (Redis), where
   * the suite uses short TTLs and polls until an entry expired instead.
   *
   * @default undefined (real time)
   */
  readonly advance?: ((ms: number) => void) | undefined;
  /**
   * Releases what the subject holds after its test.
   *
   * @default () => store.close()
   */
  readonly dispose?: (() => Promise<void>) | undefined;
}

/**
 * What {@link registerStoreContract} tests, and with which runner.
 *
 * @example
 * ```ts
 * const options: StoreContractOptions = {
 *   name: 'map store',
 *   runner: { describe, it, beforeEach, afterEach },
 *   create: () => ({ store: new MapStore() }),
 * };
 * ```
 */
export interface StoreContractOptions {
  /** Names the store in the test titles: `store contract: <name>`. */
  readonly name: string;
  /** Your test runner's `describe`, `it`, `beforeEach` and `afterEach`. */
  readonly runner: TestRunner;
  /**
   * Creates the store of one test (it may be async); called before each test.
   * A store bounded by size needs room for 1,234 entries in one namespace
   * (a batch test writes that many): a `MemoryStore` needs `max: 10_000`.
   */
  readonly create: () => StoreSubject | Promise<StoreSubject>;
  /**
   * The capabilities beyond the small contract that the store has; the suite
   * tests each one listed, and fails when the store lacks a member a listed
   * capability needs (so a renamed method cannot pass by testing nothing).
   * Unlisted capabilities are not tested. See {@link StoreCapability}.
   *
   * @default [] (the small contract only)
   */
  readonly capabilities?: readonly StoreCapability[] | undefined;
  /**
   * `false` for a store that caches nothing (memokit's null store): every
   * read misses, and writes are accepted.
   *
   * @default true
   */
  readonly retains?: boolean | undefined;
  /**
   * Whether writes reject values memokit's serializer cannot store
   * (functions, symbols, circular structures) with a `TypeError`, and values
   * over the default `maxValueSize` (1 MiB) with a `ValueTooLargeError`.
   * In-process stores that keep references accept anything.
   *
   * @default false
   */
  readonly validatesValues?: boolean | undefined;
  /**
   * TTL the expiry tests use, in ms. A store on real time needs one long
   * enough to observe a hit right after writing (e.g. 500 for Redis).
   *
   * @default 1000
   */
  readonly ttl?: number | undefined;
}

/**
 * Registers the store contract suite for one store with your test runner:
 * the small contract every store meets (`get`, `set` with a `ttl`,
 * `delete`, `clear`, `getMany`, `setMany`, `namespace`, `close`), and the
 * tests of each capability the store claims. The suite is what memokit's own
 * stores (memory, null, Redis, Redis Cluster, tiered) pass.
 *
 * @param options - the store, the runner and what the store supports
 * @throws TypeError when `options.capabilities` names an unknown capability
 * @example
 * ```ts
 * import { afterEach, beforeEach, describe, it } from '@jest/globals';
 * import { registerStoreContract } from 'memokit/testing';
 *
 * registerStoreContract({
 *   name: 'map store',
 *   runner: { describe, it, beforeEach, afterEach },
 *   create: () => ({ store: new MapStore() }),
 * });
 * ```
 */
export function registerStoreContract(options: StoreContractOptions): void {
  const claimed = options.capabilities ?? [];
  assertCapabilities(claimed);
  const { runner, create } = options;
  let subject: StoreSubject | undefined;
  const current = (): StoreSubject => {
    assert.ok(subject !== undefined, 'the store of this test was not created (did create() fail?)');
    return subject;
  };
  const context: ContractContext = {
    it: (name, body) => void runner.it(name, body),
    store: () => current().store,
    ttl: options.ttl ?? 1000,
    retains: options.retains ?? true,
    validatesValues: options.validatesValues ?? false,
    can: (capability) => claimed.includes(capability),
    ...clockHelpers(() => current().advance),
  };

  runner.describe(`store contract: ${options.name}`, () => {
    runner.beforeEach(async () => {
      subject = await create();
    });

    runner.afterEach(async () => {
      const done = subject;
      subject = undefined;
      if (done !== undefined) await (done.dispose ?? (() => done.store.close()))();
    });

    context.it('has the members of every capability it claims', async () => {
      assert.deepEqual(missingMembers(context.store(), claimed), [], 'claimed capabilities without their members');
    });

    registerNamespaceNameTest(context);
    registerDescriptionTests(context);
    if (!context.retains) registerForgetfulTests(context);
    if (context.validatesValues) registerValueCheckTests(context);
    if (!context.retains) return;
    registerCoreTests(context);
    registerCapabilityTests(context);
  });
}
