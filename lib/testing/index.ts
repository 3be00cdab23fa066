/**
 * memokit/testing: the store contract suite every memokit store passes,
 * published so that your own store can be held to it. It registers its tests
 * with the runner you give it (jest, vitest, `node:test`) and asserts with
 * `node:assert/strict`.
 *
 * @example
 * ```ts
 * import { afterEach, beforeEach, describe, it } from '@jest/globals';
 * import { registerStoreContract } from 'memokit/testing';
 *
 * registerStoreContract({
 *   name: 'my store',
 *   runner: { describe, it, beforeEach, afterEach },
 *   create: () => ({ store: new MyStore() }),
 * });
 * ```
 * @packageDocumentation
 */
export { STORE_CAPABILITIES } from './capabilities.js';
export type { StoreCapability } from './capabilities.js';
export { registerStoreContract } from './store-contract.js';
export type { StoreContractOptions, StoreSubject, TestRunner } from './store-contract.js';
export type {
  TestableEntry,
  TestableNamespaceOptions,
  TestableStore,
  TestableSyncOps,
  TestableWriteOptions,
} from './testable-store.js';
