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
