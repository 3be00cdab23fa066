import { describe, expect, it } from '@jest/globals';
import * as prettier from 'prettier';
import {
  ACCURACY_END,
  ACCURACY_START,
  accuracySection,
  accuracyTargets,
  seedSpread,
  summariseAccuracy,
  type AccuracySettings,
  type TraceResult,
} from '../../bench/advisor/accuracy-report.js';
import { replayTrace } from '../../bench/advisor/accuracy-replay.js';
import { seededRandom, TRACE_IDS, TRACES, zipf, type TraceScale } from '../../bench/advisor/traces.js';
import { spliceBetween } from '../../bench/freshness/expiry-report.js';

const SMALL: TraceScale = { requests: 20_000, keys: 2_000 };

/** Hit rate of an exact LRU cache of `size` entries over `keys`, written independently of memokit. */
function lruHitRate(keys: Int32Array, size: number): number {
  const held = new Map<number, true>();
  let hits = 0;
  for (const key of keys) {
    if (held.delete(key)) hits++;
    else if (held.size === size) held.delete(held.keys().next().value!);
    held.set(key, true);
  }
  return hits / keys.length;
}

const result = (over: Partial<TraceResult>): TraceResult => ({
  id: 'zipf-0.9',
  description: 'Zipf, s = 0.9, over 100,000 keys',
  requests: 1_000_000,
  distinctKeys: 91_222,
  seed: 2,
  rate: 0.08,
  sampledKeys: 7_366,
  sizes: [
    { size: 250, multiple: 0.25, actual: 0.2, estimated: 0.23 },
    { size: 500, multiple: 0.5, actual: 0.3, estimated: 0.29 },
  ],
  seeds: [
    { seed: 0, rate: 0.08, sampledKeys: 7_300, estimated: [0.2, 0.3] },
    { seed: 1, rate: 0.08, sampledKeys: 7_300, estimated: [0.26, 0.31] },
  ],
  advisedMs: 500,
  replayMs: 3_000,
  spreadMs: 5_000,
  ...over,
});

const settings: AccuracySettings = { requests: 1_000_000, keys: 100_000, base: 1_000, rate: 0.08, maxKeys: 8_192 };

describe('the advisor accuracy traces', () => {
  it('draws the same numbers from the same seed, in [0, 1)', () => {
    const a = seededRandom(7);
    const b = seededRandom(7);
    const draws = Array.from({ length: 1_000 }, () => a());
    expect(draws).toEqual(Array.from({ length: 1_000 }, () => b()));
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...draws)).toBeLessThan(1);
    expect(seededRandom(8)()).not.toBe(draws[0]);
  });

  it('draws Zipf ranks in proportion to 1 / (rank + 1)^s', () => {
    const draw = zipf(100, 1, seededRandom(1));
    const counts = new Array<number>(100).fill(0);
    for (let i = 0; i < 200_000; i++) counts[draw()]!++;
    expect(counts[0]! / counts[1]!).toBeCloseTo(2, 0);
    expect(counts[0]! / counts[9]!).toBeGreaterThan(8.5);
    expect(counts[0]! / counts[9]!).toBeLessThan(11.5);
    expect(counts.every((c) => c > 0)).toBe(true);
  });

  it('builds every trace at its length, the same on every run', () => {
    for (const id of TRACE_IDS) {
      const trace = TRACES[id]!(SMALL);
      expect(trace.id).toBe(id);
      expect(trace.keys).toHaveLength(SMALL.requests);
      expect(TRACES[id]!(SMALL).keys).toEqual(trace.keys);
    }
  });

  it('interrupts the working set with scans of consecutive keys from another range', () => {
    const { keys } = TRACES['zipf-scans']!(SMALL);
    const period = SMALL.keys / 5;
    const length = SMALL.keys / 20;
    const space = SMALL.keys / 2;
    for (let start = 0; start < keys.length; start += period + length) {
      const zipfPart = keys.subarray(start, start + period);
      expect(Math.max(...zipfPart)).toBeLessThan(SMALL.keys);
      const scan = [...keys.subarray(start + period, start + period + length)];
      for (let j = 1; j < scan.length; j++)
        expect(scan[j]).toBe(SMALL.keys + ((scan[j - 1]! - SMALL.keys + 1) % space));
      expect(scan.every((key) => key >= SMALL.keys && key < SMALL.keys + space)).toBe(true);
    }
  });

  it('moves the working set to other keys halfway', () => {
    const { keys } = TRACES['zipf-shift']!(SMALL);
    const half = SMALL.requests / 2;
    expect(Math.max(...keys.subarray(0, half))).toBeLessThan(SMALL.keys);
    expect(Math.min(...keys.subarray(half))).toBeGreaterThanOrEqual(SMALL.keys);
    expect(Math.max(...keys.subarray(half))).toBeLessThan(2 * SMALL.keys);
  });
});

describe('replaying a trace', () => {
  it('takes the actual hit rates from real memokit caches, exactly those of an LRU of each size', async () => {
    const trace = TRACES['zipf-0.9']!(SMALL);
    // Every key sampled: the estimates are exact but for the histogram's buckets.
    const run = await replayTrace(trace, { ...SMALL, base: 100, rate: 1, maxKeys: 8_192 }, [0, 1]);
    expect(run.sizes.map((p) => p.size)).toEqual([25, 50, 100, 200, 400, 800]);
    for (const point of run.sizes) {
      expect(point.actual).toBe(lruHitRate(trace.keys, point.size));
      expect(Math.abs(point.estimated - point.actual)).toBeLessThan(0.01);
    }
    expect(run.requests).toBe(SMALL.requests);
    expect(run.distinctKeys).toBe(new Set(trace.keys).size);
    expect(run.sampledKeys).toBe(run.distinctKeys);
    expect(run.seeds.map((s) => s.seed)).toEqual([0, 1]);
    expect(run.seeds[0]!.estimated).toEqual(run.sizes.map((p) => p.estimated));
  });

  it('reports the rate the advisor lowered to when the trace has more keys than maxKeys', async () => {
    const run = await replayTrace(TRACES['zipf-shift']!(SMALL), { ...SMALL, base: 100, rate: 1, maxKeys: 512 }, []);
    expect(run.sampledKeys).toBeLessThanOrEqual(512);
    expect(run.rate).toBeLessThan(512 / 2_000);
    expect(run.seeds).toEqual([]);
  });
});

describe('the advisor accuracy report', () => {
  it('averages the absolute errors over every size of every trace', () => {
    const summary = summariseAccuracy([result({}), result({ id: 'zipf-1.2', sampledKeys: 3_700 })]);
    expect(summary.meanError).toBeCloseTo(0.02, 10);
    expect(summary.maxError).toBeCloseTo(0.03, 10);
    expect(summary.maxSampledKeys).toBe(7_366);
  });

  it('checks the mean and largest error and the sample against their limits', () => {
    const met = accuracyTargets({ meanError: 0.02, maxError: 0.05, maxSampledKeys: 8_192 }, 8_192);
    expect(met.map((t) => t.met)).toEqual([true, true, true]);
    const missed = accuracyTargets({ meanError: 0.021, maxError: 0.051, maxSampledKeys: 8_193 }, 8_192);
    expect(missed.map((t) => t.met)).toEqual([false, false, false]);
  });

  it('gives each trace its errors under the other seeds, and the worst seed', () => {
    const [spread] = seedSpread([
      result({
        seeds: [
          { seed: 0, rate: 0.08, sampledKeys: 7_300, estimated: [0.2, 0.3] },
          { seed: 1, rate: 0.08, sampledKeys: 7_300, estimated: [0.26, 0.31] },
        ],
      }),
    ]);
    expect(spread!.meanError).toBeCloseTo(0.0175, 10);
    expect(spread!.maxError).toBeCloseTo(0.06, 10);
    expect(spread!.worstSeed).toBe(1);
    expect(spread!.seedsWithin).toBe(1);
    expect(spread!.seeds).toBe(2);
  });

  it('writes what Prettier would: docs/benchmarks.md passes `prettier --check` after a run', async () => {
    const section = accuracySection([result({}), result({ id: 'zipf-scans', rate: 0.0575 })], settings, {
      quick: false,
      when: '2026-12-05',
      machine: 'test',
      seconds: 40,
    });
    expect(section.startsWith(ACCURACY_START)).toBe(true);
    expect(section.endsWith(ACCURACY_END)).toBe(true);
    expect(section).toContain('| `zipf-0.9`   | 250 (0.25×) |           0.200 |     0.230 |      0.030 |');
    expect(section).toMatch(/largest absolute error +\| +0\.030 \| ≤ 0\.05 ok/);
    const page = spliceBetween('# Benchmarks\n\ntext\n', ACCURACY_START, ACCURACY_END, section);
    const options = (await prettier.resolveConfig('docs/benchmarks.md')) ?? {};
    expect(await prettier.format(page, { ...options, parser: 'markdown' })).toBe(page);
  });
});
