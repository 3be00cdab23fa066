/**
 * memokit/testing: the test kit. The store contract suite every memokit
 * store passes, published so that your own store can be held to it (it
 * registers its tests with the runner you give it: jest, vitest,
 * `node:test`, and asserts with `node:assert/strict`); a recording store
 * that wraps any store; a virtual clock; `callOutcome` to assert what a
 * call did. See docs/testing.md.
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
export { RecordingStore, recordingStore } from './recording-store.js';
export type { RecordedOperation, RecordedStore } from './recording-store.js';
export { VirtualClock } from './virtual-clock.js';
export { cachedEntries, callOutcome } from './outcomes.js';
export type { CachedEntry, CallOutcome } from './outcomes.js';
