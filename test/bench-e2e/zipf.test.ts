import { describe, expect, it } from '@jest/globals';
import { seededRandom, shuffledIds, zipfProbabilities, ZipfSampler } from '../../bench/e2e/zipf.js';

describe('seededRandom', () => {
  it('repeats its sequence for a seed, differs across seeds, and stays in [0, 1)', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const c = seededRandom(43);
    const xs = Array.from({ length: 10_000 }, () => a());
    expect(Array.from({ length: 10_000 }, () => b())).toEqual(xs);
    expect(Array.from({ length: 10 }, () => c())).not.toEqual(xs.slice(0, 10));
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    // Roughly uniform: the mean of 10,000 draws is 0.5 ± 4 standard errors (σ = 1/√12).
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(4 * Math.sqrt(1 / 12 / xs.length));
  });
});

describe('zipfProbabilities', () => {
  it('sums to 1 with P(k) proportional to k^-s', () => {
    const p = zipfProbabilities(10_000, 1);
    expect(p.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 12);
    expect(p[0]! / p[1]!).toBeCloseTo(2, 12);
    expect(p[0]! / p[9]!).toBeCloseTo(10, 12);
    // H(10,000) = 9.787606036...: P(1) = 1 / H.
    expect(p[0]).toBeCloseTo(1 / 9.787606036044382, 12);
    const flat = zipfProbabilities(4, 0);
    expect([...flat]).toEqual([0.25, 0.25, 0.25, 0.25]);
  });

  it('rejects a catalog of no products and a negative exponent', () => {
    expect(() => zipfProbabilities(0, 1)).toThrow(/n must be a positive integer/);
    expect(() => zipfProbabilities(10, -1)).toThrow(/s must be a nonnegative/);
  });
});

describe('ZipfSampler', () => {
  it('maps [0, 1) onto ranks at the exact boundaries of the cumulative distribution', () => {
    const sampler = new ZipfSampler(3, 1, () => 0);
    // P = 6/11, 3/11, 2/11: the CDF is 6/11, 9/11, 1.
    expect(sampler.rankOf(0)).toBe(1);
    expect(sampler.rankOf(6 / 11 - 1e-12)).toBe(1);
    expect(sampler.rankOf(6 / 11 + 1e-12)).toBe(2);
    expect(sampler.rankOf(9 / 11 + 1e-12)).toBe(3);
    expect(sampler.rankOf(1 - 2 ** -53)).toBe(3);
    expect(sampler.next()).toBe(1);
  });

  it('draws ranks with the frequencies Zipf s = 1 predicts over 10,000 products (chi-square test)', () => {
    const n = 10_000;
    const draws = 400_000;
    const sampler = new ZipfSampler(n, 1, seededRandom(7));
    const counts = new Float64Array(n + 1);
    for (let i = 0; i < draws; i++) counts[sampler.next()]!++;
    const p = zipfProbabilities(n, 1);
    // Bins: ranks 1..50 one by one, then ranges doubling in width, so every bin expects well over 5 draws.
    const bins: [number, number][] = [];
    for (let k = 1; k <= 50; k++) bins.push([k, k]);
    for (let lo = 51, width = 50; lo <= n; lo += width, width *= 2) bins.push([lo, Math.min(n, lo + width - 1)]);
    let chi2 = 0;
    for (const [lo, hi] of bins) {
      let observed = 0;
      let expected = 0;
      for (let k = lo; k <= hi; k++) {
        observed += counts[k]!;
        expected += p[k - 1]! * draws;
      }
      expect(expected).toBeGreaterThan(5);
      chi2 += (observed - expected) ** 2 / expected;
    }
    // 58 bins, 57 degrees of freedom: the 0.999 quantile of chi-square(57) is 95.75.
    expect(bins.length).toBe(58);
    expect(chi2).toBeLessThan(95.75);
    // The head in detail: rank 1 draws 1/H(n) of the time, within 4 standard errors.
    const p1 = p[0]!;
    expect(Math.abs(counts[1]! / draws - p1)).toBeLessThan(4 * Math.sqrt((p1 * (1 - p1)) / draws));
    // Every rank is reachable: the tail is drawn at all (expected 400,000 × P(rank > 5,000) ≈ 28,000).
    let tail = 0;
    for (let k = 5_001; k <= n; k++) tail += counts[k]!;
    expect(tail).toBeGreaterThan(25_000);
  });

  it('a uniform sampler fails the same test (the test can tell the distributions apart)', () => {
    const n = 10_000;
    const draws = 100_000;
    const wrong = new ZipfSampler(n, 0, seededRandom(7));
    const p = zipfProbabilities(n, 1);
    let top10 = 0;
    for (let i = 0; i < draws; i++) if (wrong.next() <= 10) top10++;
    const expectedTop10 = p.slice(0, 10).reduce((s, x) => s + x, 0) * draws;
    expect(top10).toBeLessThan(expectedTop10 / 100);
  });
});

describe('shuffledIds', () => {
  it('is a seeded permutation of 1..n', () => {
    const ids = shuffledIds(1_000, seededRandom(3));
    expect([...ids].sort((a, b) => a - b)).toEqual(Array.from({ length: 1_000 }, (_, i) => i + 1));
    expect([...ids]).toEqual([...shuffledIds(1_000, seededRandom(3))]);
    expect([...ids.slice(0, 20)]).not.toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });
});
