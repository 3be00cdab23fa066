/**
 * memokit/redis: the Redis store (through `ioredis`, an optional peer
 * dependency) and a `createStore` that knows every store URL scheme, Redis
 * included. Kept apart from `memokit` so that an app without Redis never
 * loads its code.
 *
 * @example
 * ```ts
 * import { createStore, RedisStore } from 'memokit/redis';
 * const store = createStore('redis://127.0.0.1:6379/0?prefix=shop&ttl=10m');
 * ```
 * @packageDocumentation
 */
export * from './stores/redis/index.js';
export { createStore } from './stores/any-url.js';
export type { AnyStoreUrlOverrides, RedisUrlOverrides } from './stores/any-url.js';
