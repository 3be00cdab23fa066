/**
 * Seeded random numbers and an exact Zipf sampler for the e2e workload.
 *
 * The sampler precomputes the cumulative distribution of ranks 1..n with
 * P(k) = k^-s / H(n, s) and draws by binary search over it: exact (no
 * rejection or approximation), O(log n) per draw, 8 bytes per rank.
 */

/** A PRNG returning floats in [0, 1). */
export type Random = () => number;

/**
 * mulberry32: a small, fast 32-bit PRNG, good enough for workload generation
 * (not for cryptography). The same seed gives the same sequence.
 */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** The probabilities of ranks 1..n under Zipf's law with exponent `s` (index 0 is rank 1). */
export function zipfProbabilities(n: number, s: number): Float64Array {
  if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`zipf: n must be a positive integer, got ${n}`);
  if (!Number.isFinite(s) || s < 0) throw new RangeError(`zipf: s must be a nonnegative number, got ${s}`);
  const p = new Float64Array(n);
  let total = 0;
  for (let k = 1; k <= n; k++) {
    const w = k ** -s;
    p[k - 1] = w;
    total += w;
  }
  for (let i = 0; i < n; i++) p[i]! /= total;
  return p;
}

/** Draws ranks 1..n with probability proportional to rank^-s. */
export class ZipfSampler {
  readonly n: number;
  readonly s: number;
  readonly #cdf: Float64Array;
  readonly #random: Random;

  constructor(n: number, s: number, random: Random) {
    const p = zipfProbabilities(n, s);
    this.n = n;
    this.s = s;
    this.#random = random;
    this.#cdf = new Float64Array(n);
    let sum = 0;
    for (let i = 0; i < n; i++) {
      sum += p[i]!;
      this.#cdf[i] = sum;
    }
    this.#cdf[n - 1] = 1; // rounding must not leave a gap above the last rank
  }

  /** The smallest rank whose cumulative probability exceeds `u` (u in [0, 1)). */
  rankOf(u: number): number {
    const cdf = this.#cdf;
    let lo = 0;
    let hi = cdf.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cdf[mid]! > u) hi = mid;
      else lo = mid + 1;
    }
    return lo + 1;
  }

  /** One rank in 1..n. */
  next(): number {
    return this.rankOf(this.#random());
  }
}

/** A seeded permutation of 1..n (Fisher–Yates), so popular ranks map to ids spread over the catalog. */
export function shuffledIds(n: number, random: Random): Int32Array {
  const ids = new Int32Array(n);
  for (let i = 0; i < n; i++) ids[i] = i + 1;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = ids[i]!;
    ids[i] = ids[j]!;
    ids[j] = t;
  }
  return ids;
}
