import { describe, expect, it } from '@jest/globals';
import { MethodCounters, sumStats } from '../../lib/engine/stats.js';

describe('MethodCounters', () => {
  it('snapshots its counts with the store’s size and evictions', () => {
    const counters = new MethodCounters();
    expect(counters.snapshot({ size: 0, evictions: 0 }).hitRate).toBe(0);
    counters.hits += 3;
    counters.misses++;
    counters.joins += 2;
    expect(counters.snapshot({ size: 4, evictions: 1 })).toMatchObject({
      hits: 3,
      misses: 1,
      inflightJoins: 2,
      size: 4,
      evictions: 1,
      hitRate: 0.75,
      loadTimeMs: 0,
    });
  });

  it('times the first 100 successful loads, then one in 16, and extrapolates', () => {
    const counters = new MethodCounters();
    const timed: boolean[] = [];
    for (let i = 0; i < 132; i++) {
      const started = counters.loadStarted();
      timed.push(started >= 0);
      counters.loaded(started >= 0 ? started - 1 : started); // every timed load lasts about 1 ms
    }
    expect(timed.slice(0, 100).every(Boolean)).toBe(true);
    expect(timed.slice(100).filter(Boolean)).toHaveLength(2); // loads 112 and 128
    const { loads, loadTimeMs } = counters.snapshot({ size: 0, evictions: 0 });
    expect(loads).toBe(132);
    expect(loadTimeMs).toBeGreaterThanOrEqual(132);
    expect(loadTimeMs).toBeLessThan(132 * 1.5);
  });
});

describe('sumStats', () => {
  it('adds every figure and derives the hit rate from the sums', () => {
    const a = new MethodCounters();
    a.hits = 1;
    a.misses = 1;
    const b = new MethodCounters();
    b.hits = 2;
    const total = sumStats([a.snapshot({ size: 1, evictions: 0 }), b.snapshot({ size: 2, evictions: 3 })]);
    expect(total).toMatchObject({ hits: 3, misses: 1, size: 3, evictions: 3, hitRate: 0.75 });
    expect(sumStats([]).hitRate).toBe(0);
  });
});
