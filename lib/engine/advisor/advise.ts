/**
 * A {@link CacheAdvice} from a sampler: the size and TTL curves, the memory
 * each size takes, and the knee of the size curve.
 */
import { SIZE_MULTIPLES, TTL_MULTIPLES, type CacheAdvice, type SizeEstimate } from './advice.js';
import { ReuseSampler } from './sampler.js';
import type { AdvisorSettings } from './settings.js';
import type { CacheStore } from '../../stores/contract.js';
import { ENTRY_OVERHEAD_BYTES } from './value-bytes.js';

/** The recommendation is the smallest size within this of the largest size's hit rate (one point). */
const KNEE_TOLERANCE = 0.01;
/** Fewer sampled keys than this, and the estimates are rough (a warning says so). */
const FEW_KEYS = 100;

/**
 * What the advice is about.
 *
 * @internal
 */
export interface AdviceSubject {
  /** `Class.method`, or `scope:<name>`. */
  readonly method: string;
  /** The store's name or kind. */
  readonly store: string;
  /** The bucket's `maxSize` now; `undefined`: none. */
  readonly maxSize: number | undefined;
}

/**
 * The advice of `sampler` about `subject`.
 *
 * @internal
 */
export function adviceOf(sampler: ReuseSampler, subject: AdviceSubject): CacheAdvice {
  const { maxSize } = subject;
  // The TTL the sampler replays: a scope's is that of the method that turned its advisor on.
  const ttl = sampler.ttl;
  const calls = sampler.calls;
  const observedMs = sampler.observedMs;
  const callsPerSecond = sampler.callsPerSecond;
  const rate = sampler.rate;
  const sampledKeys = sampler.sampledKeys;
  const distinctKeys = Math.round(sampledKeys / rate);
  const meanBytes = sampler.meanValueBytes;
  const bytesPerEntry = meanBytes === undefined ? undefined : Math.round(ENTRY_OVERHEAD_BYTES + meanBytes);
  const sized = maxSize !== undefined && sampledKeys > 0;
  const sizes: SizeEstimate[] = sized
    ? SIZE_MULTIPLES.map((multiple) => {
        const size = Math.max(1, Math.round(maxSize * multiple));
        const held = Math.min(size, distinctKeys);
        return {
          size,
          multiple,
          hitRate: sampler.hitRateAt(size),
          bytes: bytesPerEntry === undefined ? undefined : held * bytesPerEntry,
        };
      })
    : [];
  const ttlRates = sampledKeys > 0 ? sampler.ttlHitRates() : [];
  const ttls =
    ttl === undefined
      ? []
      : ttlRates.map((hitRate, i) => {
          const multiple = TTL_MULTIPLES[i] ?? 1;
          return { ttl: ttl * multiple, multiple, hitRate };
        });
  const warnings: string[] = [];
  if (calls === 0) warnings.push('no calls observed yet');
  else if (sampledKeys < FEW_KEYS) {
    warnings.push(
      `only ${sampledKeys} keys sampled (rate ${rate}): estimates are rough; raise the advisor's rate ` +
        `(it is lowered on its own if too many keys come)`,
    );
  }
  if (maxSize === undefined) warnings.push('the store has no maxSize: no size curve (Redis evicts by memory)');
  return {
    method: subject.method,
    store: subject.store,
    maxSize,
    ttl,
    calls,
    callsPerSecond,
    observedMs,
    rate,
    sampledKeys,
    distinctKeys,
    bytesPerEntry,
    sizes,
    ttls,
    recommendation: recommend(sizes, callsPerSecond),
    warnings,
  };
}

/** The smallest size within one point of the largest size's hit rate, and what moving to it changes. */
function recommend(sizes: readonly SizeEstimate[], callsPerSecond: number): CacheAdvice['recommendation'] {
  const largest = sizes[sizes.length - 1];
  const current = sizes.find((point) => point.multiple === 1);
  if (largest === undefined || current === undefined) return undefined;
  const knee = sizes.find((point) => point.hitRate >= largest.hitRate - KNEE_TOLERANCE) ?? largest;
  return {
    maxSize: knee.size,
    hitRate: knee.hitRate,
    bytes: knee.bytes,
    loadsPerSecondChange: callsPerSecond * (current.hitRate - knee.hitRate),
  };
}

/**
 * A sampler for a cache bucket in `store` under `settings`: on the store's
 * clock when it has one (a virtual clock in tests), replaying `ttl` at the
 * bucket's `maxSize`.
 *
 * @internal
 */
export function createSampler(settings: AdvisorSettings, store: CacheStore, ttl: number | undefined): ReuseSampler {
  const clock = store.clock;
  return new ReuseSampler({
    ...settings,
    now: clock === undefined ? () => performance.now() : () => clock.now(),
    ttl,
    maxSize: store.stats?.().maxSize,
  });
}
