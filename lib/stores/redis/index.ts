/**
 * The Redis store's public names, in one place: what `memokit` exports from
 * the Redis store.
 */
export { RedisStore } from './redis-store.js';
export { RedisNamespace } from './namespace.js';
export { MissingPeerError, RedisStoreError, type RedisStoreErrorCode } from './errors.js';
export type { RedisStoreEvents, RedisStoreStats } from './events.js';
export type { RedisStoreOptions } from './options.js';
export type {
  RedisClient,
  RedisClusterFailOpenOptions,
  RedisConnectionFields,
  RedisConnectionOptions,
  RedisFailOpenOptions,
} from './types.js';
