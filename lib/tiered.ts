/**
 * memokit/tiered: the tiered store (memory in front of Redis, kept coherent
 * across processes by an invalidation bus) and the Redis pub/sub bus.
 *
 * @example
 * ```ts
 * import { TieredStore } from 'memokit/tiered';
 * const store = new TieredStore({ redis: 'redis://127.0.0.1:6379/0?prefix=shop', l1: { max: 10_000 } });
 * ```
 * @packageDocumentation
 */
export { TieredStore } from './stores/tiered/tiered-store.js';
export type { TieredStoreOptions } from './stores/tiered/tiered-store.js';
export { RedisBus } from './stores/tiered/bus.js';
export { BusMessageError } from './stores/tiered/bus-errors.js';
export type { BusMessage, InvalidationBus } from './stores/tiered/bus-message.js';
export type { RedisBusOptions } from './stores/tiered/bus.js';
