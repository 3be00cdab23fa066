/**
 * The engine layer: one cached method bound to one store namespace (the hit
 * path and invalidations), the single-flight load runner behind its misses,
 * the loads in flight, the store as the engine uses it, and the figures.
 *
 * @packageDocumentation
 */
export { MethodCache } from './method-cache.js';
export { explainKey, windowOf, type CacheExplanation, type FreshnessWindow } from './explain.js';
export { InFlight, Load } from './in-flight.js';
export { isolateLoadsWhen } from './isolation.js';
export { invokeMethod, LoadRunner } from './load-runner.js';
export {
  loadPolicy,
  type CallOptions,
  type EngineMethod,
  type FreshnessSettings,
  type LeaseSettings,
  type LoadPolicy,
} from './method.js';
export { hitRate, MethodCounters, sumStats, type MethodStats } from './stats.js';
export { EngineStore, type Read } from './store-adapter.js';
export {
  SIZE_MULTIPLES,
  TTL_MULTIPLES,
  type AdvisorOptions,
  type CacheAdvice,
  type SizeEstimate,
  type SizeRecommendation,
  type TtlEstimate,
} from './advisor/advice.js';
export { adviceOf, createSampler, type AdviceSubject } from './advisor/advise.js';
export { hashKey, keyHash, seeded } from './advisor/key-hash.js';
export { ReuseSampler, type SamplerSettings } from './advisor/sampler.js';
export {
  advisorSettingsOf,
  DEFAULT_ADVISOR_MAX_KEYS,
  DEFAULT_ADVISOR_RATE,
  type AdvisorSettings,
} from './advisor/settings.js';
export { ENTRY_OVERHEAD_BYTES, valueBytes } from './advisor/value-bytes.js';
