/**
 * The store contract suite (lib/testing, published as `memokit/testing`)
 * with jest's runner and the capabilities of memokit's `CacheStore`, for the
 * test files of memokit's own stores. New test files call the published
 * `registerStoreContract({ name, runner, create, capabilities })` directly
 * (see memory.contract.test.ts); this helper keeps the older call shape:
 *
 * ```ts
 * registerStoreContract('redis', async () => ({ store: await connectedStore() }), { ttl: 500 });
 * ```
 */
import { afterEach, beforeEach, describe, it } from '@jest/globals';
import {
  registerStoreContract as registerPublishedContract,
  type StoreCapability,
  type StoreContractOptions,
  type StoreSubject,
  type TestRunner,
} from '../../../lib/testing/index.js';

/** jest's functions, as the suite takes them. */
export const jestRunner: TestRunner = { describe, it, beforeEach, afterEach };

/**
 * What every retaining `CacheStore` of memokit supports (memory, Redis,
 * Redis Cluster, tiered); `'sync'` is added by the in-process ones.
 */
export const CACHE_STORE_CAPABILITIES: readonly StoreCapability[] = [
  'names',
  'namespaceTtl',
  'failSafe',
  'has',
  'setIfNotExists',
  'expireIn',
  'stats',
  'tags',
];

/** The published suite's options other than the name, runner and factory. */
export type ContractOptions = Omit<StoreContractOptions, 'name' | 'runner' | 'create'>;

/**
 * Registers the contract for one of memokit's stores under jest; the
 * capabilities default to {@link CACHE_STORE_CAPABILITIES}.
 */
export function registerStoreContract(
  name: string,
  create: () => StoreSubject | Promise<StoreSubject>,
  options: ContractOptions = {},
): void {
  registerPublishedContract({
    name,
    runner: jestRunner,
    create,
    ...options,
    capabilities: options.capabilities ?? CACHE_STORE_CAPABILITIES,
  });
}
