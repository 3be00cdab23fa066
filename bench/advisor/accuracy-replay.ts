/**
 * The sizing advisor's accuracy on one trace: the trace replayed through a
 * method with the advisor on, whose estimates are read, then through a fresh
 * cache of each estimated size, whose hit rates are the actual ones, then
 * through the advisor under other seeds. Used by `accuracy-child.ts`, one
 * process per trace.
 */
import { adviseCache, AsyncLRU, cacheStats, type MethodStats } from 'memokit';
import {
  SPREAD_SEEDS,
  type AccuracySettings,
  type SeedResult,
  type SizeResult,
  type TraceResult,
} from './accuracy-report.js';
import type { Trace } from './traces.js';

/** A decorated `get(key)`. */
interface Replayed {
  readonly get: (key: number) => Promise<unknown>;
}

/** The loader: the value is the key (its bytes do not matter to hit rates). */
const load = async (key: number): Promise<number> => key;

/** `@AsyncLRU({ maxSize, advisor })`, on the process-default MemoryStore. */
function advised(settings: AccuracySettings, seed: number): Replayed {
  const { base, rate, maxKeys } = settings;
  class Advised {
    @AsyncLRU({ maxSize: base, advisor: { rate, maxKeys, seed } })
    get(key: number): Promise<number> {
      return load(key);
    }
  }
  return new Advised();
}

/** `@AsyncLRU({ maxSize })`: a class of its own, so a cache of its own. */
function plain(maxSize: number): Replayed {
  class Plain {
    @AsyncLRU({ maxSize })
    get(key: number): Promise<number> {
      return load(key);
    }
  }
  return new Plain();
}

/** Every call of the trace, in order, each awaited before the next. */
async function replay(svc: Replayed, keys: Int32Array): Promise<MethodStats> {
  for (let i = 0; i < keys.length; i++) await svc.get(keys[i]!);
  const stats = cacheStats(svc.get);
  if (stats.hits + stats.misses !== keys.length || stats.inflightJoins !== 0 || stats.bypassed !== 0) {
    throw new Error(`replay: ${keys.length} calls, but the cache counted ${JSON.stringify(stats)}`);
  }
  return stats;
}

/**
 * Replays `trace` through the advisor (seeded with the trace's seed), through a real cache per estimated size, and
 * through the advisor under each of `spreadSeeds`; throws when a cache did not count what the replay did.
 *
 * @example
 * ```ts
 * const result = await replayTrace(TRACES['zipf-0.9']!(scale), settings);
 * result.sizes.map((p) => Math.abs(p.estimated - p.actual));
 * ```
 */
export async function replayTrace(
  trace: Trace,
  settings: AccuracySettings,
  spreadSeeds: readonly number[] = SPREAD_SEEDS,
): Promise<TraceResult> {
  const { keys, seed } = trace;
  let started = performance.now();
  const svc = advised(settings, seed);
  const own = await replay(svc, keys);
  const advice = adviseCache(svc.get);
  const advisedMs = performance.now() - started;
  if (advice.calls !== keys.length) throw new Error(`advisor: ${advice.calls} calls observed, ${keys.length} made`);

  started = performance.now();
  const distinctKeys = new Set(keys).size;
  const sizes: SizeResult[] = [];
  for (const point of advice.sizes) {
    const stats = await replay(plain(point.size), keys);
    if (stats.size !== Math.min(point.size, distinctKeys)) {
      throw new Error(`size ${point.size}: the cache holds ${stats.size} entries`);
    }
    // The advised method's own cache has the base size: it must have hit exactly as often as the fresh one.
    if (point.size === settings.base && stats.hits !== own.hits) {
      throw new Error(
        `size ${point.size}: ${stats.hits} hits, but the advised method of the same size had ${own.hits}`,
      );
    }
    sizes.push({ size: point.size, multiple: point.multiple, actual: stats.hitRate, estimated: point.hitRate });
  }
  const replayMs = performance.now() - started;

  // The same trace through the advisor under other seeds (other keys sampled): how much the error depends on which.
  started = performance.now();
  const seeds: SeedResult[] = [];
  for (const other of spreadSeeds) {
    const again = advised(settings, other);
    await replay(again, keys);
    const { rate, sampledKeys, sizes: points } = adviseCache(again.get);
    seeds.push({ seed: other, rate, sampledKeys, estimated: points.map((p) => p.hitRate) });
  }
  return {
    id: trace.id,
    description: trace.description,
    requests: keys.length,
    distinctKeys,
    seed,
    rate: advice.rate,
    sampledKeys: advice.sampledKeys,
    sizes,
    seeds,
    advisedMs,
    replayMs,
    spreadMs: performance.now() - started,
  };
}
