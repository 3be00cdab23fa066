/**
 * memokit: memoize async methods of TypeScript classes. This entry loads no
 * Redis code: the Redis store is in `memokit/redis`, the tiered store in
 * `memokit/tiered`, the store contract suite in `memokit/testing`.
 *
 * @example
 * ```ts
 * import { AsyncLRU, AsyncTTL, invalidateCache } from 'memokit';
 * ```
 * @packageDocumentation
 */
export { createBatchLoader } from './api/batch.js';
export type { BatchLoader, BatchLoaderOptions, BatchResult } from './api/batch.js';
export { Cache } from './api/cache.js';
export type {
  CacheKey,
  CacheOptions,
  CacheSetOptions,
  GetOrSetOptions,
  CacheStats,
  LoaderContext,
  ScopeOptions,
} from './api/cache-settings.js';
export { AsyncLRU, AsyncTTL } from './api/decorators.js';
export type {
  AsyncLRUOptions,
  AsyncTTLOptions,
  CacheDecorator,
  CommonCacheOptions,
  KeyOptions,
  KeyPart,
  VaryPart,
} from './api/decorators.js';
export type { LeaseOptions } from './api/lease.js';
export type { FailSafeOption, FreshnessOptions } from './api/freshness-settings.js';
export { InvalidateTags, LRUInvalidator, TTLInvalidator } from './api/invalidators.js';
export { LRUUpdater, TTLUpdater } from './api/updaters.js';
export type { UpdaterDecorator, UpdaterFactory, UpdaterOptions } from './api/updaters.js';
export { withCacheTransaction } from './api/transactions.js';
export type {
  InvalidatorClearAllOptions,
  InvalidatorDecorator,
  InvalidatorFactory,
  InvalidatorKeyOptions,
} from './api/invalidators.js';
export {
  adviseCache,
  cacheStats,
  clearCache,
  explainCache,
  invalidateCache,
  listCachedMethods,
  withCacheOptions,
} from './api/control.js';
export type { CachedFunction } from './api/control.js';
export { configureMemokit } from './api/runtime.js';
export { DefaultsLockedError, UnknownStoreError } from './api/errors.js';
export type { MemokitDefaults } from './api/runtime.js';
export { MethodCache } from './engine/index.js';
export type { CacheExplanation, CallOptions, FreshnessWindow, MethodStats } from './engine/index.js';
export { DEFAULT_ADVISOR_MAX_KEYS, DEFAULT_ADVISOR_RATE } from './engine/index.js';
export type { AdvisorOptions, CacheAdvice, SizeEstimate, SizeRecommendation, TtlEstimate } from './engine/index.js';
export { LoadTimeoutError, MemokitError, MemokitTypeError, NotAPromiseError, VaryError } from './util/errors.js';
export type { MemokitErrorCode, MemokitErrorOptions } from './util/errors.js';
export { CacheEvents, cacheEvents } from './util/events.js';
export type { CacheErrorEvent, CacheEventMap, CacheEventName, InvalidateEvent, KeyEvent } from './util/events.js';
export { CHANNEL_NAMES, channels } from './util/diagnostics.js';
export type {
  ChannelMessages,
  LoadEndMessage,
  LoadErrorMessage,
  LoadStartMessage,
  StoreStateMessage,
} from './util/diagnostics.js';
export { parseDuration } from './util/duration.js';
export type { Duration, DurationUnit } from './util/duration.js';
export { parseByteSize } from './util/byte-size.js';
export type { ByteSize, ByteSizeUnit } from './util/byte-size.js';
export { keyForArgs, keyForKeyFnResult, MAX_KEY_LENGTH, storeKeyToString } from './keys/keys.js';
export type { StoreKey } from './keys/keys.js';
export type { CacheKind } from './api/method-settings.js';
export type { CachedMethodInfo } from './api/method-info.js';
export { invalidateTags } from './stores/tags.js';
export type { TagTarget } from './stores/tags.js';
export { MemoryStore } from './stores/memory/memory-store.js';
export { NullStore } from './stores/null-store.js';
export {
  compressed,
  CorruptEntryError,
  DEFAULT_MAX_VALUE_SIZE,
  defaultSerializer,
  EnvelopeSerializer,
  UnserializableValueError,
  ValueTooLargeError,
} from './codec/index.js';
export type { CompressionOptions, EnvelopeSerializerOptions, SerializableClass, Serializer } from './codec/index.js';
export { createStore } from './stores/url.js';
export type { StoreUrlOverrides } from './stores/url.js';
export type { MemoryStoreOptions } from './stores/memory/memory-store.js';
export type {
  CacheStore,
  Clock,
  EntryInspection,
  InvalidationOrigin,
  LeaseRead,
  LoadReadOptions,
  NamespaceOptions,
  StoreCapabilities,
  StoreEntry,
  StoreHealth,
  StoreInspection,
  StoreSetOptions,
  StoreStateChange,
  StoreStats,
  SyncStoreOps,
  TimerHandle,
} from './stores/contract.js';
export type { InvalidationRecord } from './stores/invalidation-log.js';
