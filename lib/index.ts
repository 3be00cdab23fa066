/**
 * memokit: memoize async methods of TypeScript classes.
 *
 * @example
 * ```ts
 * import { AsyncLRU, AsyncTTL, invalidateCache } from 'memokit';
 * ```
 * @packageDocumentation
 */
export { createBatchLoader } from './batch.js';
export type { BatchLoader, BatchLoaderOptions, BatchResult } from './batch.js';
export { Cache } from './cache.js';
export type { CacheKey, CacheOptions, CacheSetOptions, CacheStats } from './cache.js';
export { AsyncLRU, AsyncTTL } from './decorators.js';
export type {
  AsyncLRUOptions,
  AsyncTTLOptions,
  CacheDecorator,
  CommonCacheOptions,
  KeyOptions,
  KeyPart,
  LeaseOptions,
} from './decorators.js';
export { InvalidateTags, LRUInvalidator, TTLInvalidator } from './invalidators.js';
export type {
  InvalidatorClearAllOptions,
  InvalidatorDecorator,
  InvalidatorFactory,
  InvalidatorKeyOptions,
} from './invalidators.js';
export { cacheStats, clearCache, invalidateCache, listCachedMethods, withCacheOptions } from './control.js';
export type { CachedFunction } from './control.js';
export { configureMemokit } from './defaults.js';
export type { MemokitDefaults } from './defaults.js';
export { CachedMethod } from './engine.js';
export type { CallOptions, MethodStats } from './engine.js';
export { MemokitError, NotAPromiseError } from './errors.js';
export { CacheEvents, cacheEvents } from './events.js';
export type { CacheErrorEvent, CacheEventMap, CacheEventName, InvalidateEvent, KeyEvent } from './events.js';
export { parseDuration } from './duration.js';
export type { Duration, DurationUnit } from './duration.js';
export { parseByteSize } from './byte-size.js';
export type { ByteSize, ByteSizeUnit } from './byte-size.js';
export { keyForArgs, keyForKeyFnResult, MAX_KEY_LENGTH, storeKeyToString } from './keys.js';
export type { StoreKey } from './keys.js';
export type { CacheKind, CachedMethodInfo } from './registry.js';
export { invalidateTags } from './tags.js';
export type { TagTarget } from './tags.js';
export { MemoryStore } from './stores/memory.js';
export { NullStore } from './stores/null.js';
export { RedisBus } from './stores/bus.js';
export type { BusMessage, InvalidationBus, RedisBusOptions } from './stores/bus.js';
export { TieredStore } from './stores/tiered.js';
export type { TieredStoreOptions } from './stores/tiered.js';
export { RedisNamespace, RedisStore, RedisStoreError } from './stores/redis.js';
export type {
  RedisClient,
  RedisStoreErrorCode,
  RedisStoreEvents,
  RedisStoreOptions,
  RedisStoreStats,
} from './stores/redis.js';
export type {
  RedisClusterFailOpenOptions,
  RedisConnectionFields,
  RedisConnectionOptions,
  RedisFailOpenOptions,
} from './stores/redis-types.js';
export { compressed } from './compression.js';
export type { CompressionOptions } from './compression.js';
export {
  CorruptEntryError,
  DEFAULT_MAX_VALUE_SIZE,
  defaultSerializer,
  EnvelopeSerializer,
  UnserializableValueError,
  ValueTooLargeError,
} from './serialization.js';
export type { EnvelopeSerializerOptions, SerializableClass, Serializer } from './serialization.js';
export { createStore } from './stores/url.js';
export type { RedisUrlOverrides, StoreUrlOverrides } from './stores/url.js';
export type { MemoryStoreOptions } from './stores/memory.js';
export type {
  CacheStore,
  Clock,
  LeaseRead,
  LoadReadOptions,
  NamespaceOptions,
  StoreEntry,
  StoreSetOptions,
  StoreStats,
  SyncStoreOps,
} from './stores/types.js';
