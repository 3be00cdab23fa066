/**
 * The traces of the sizing advisor's accuracy benchmark: key sequences built
 * from a seeded generator, so every run replays the same calls. Keys are
 * integers (a lone number argument is its own cache key).
 */

/**
 * A seeded generator of uniform numbers in [0, 1): a Weyl sequence of 32-bit
 * states, each mixed by MurmurHash3's finalizer. Plenty for drawing keys; not
 * for anything secret.
 *
 * @example
 * ```ts
 * const random = seededRandom(7);
 * random(); // the same first number on every run
 * ```
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e37_79b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85eb_ca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2_ae35);
    z ^= z >>> 16;
    return (z >>> 0) / 4_294_967_296;
  };
}

/**
 * Draws ranks 0…keys−1 with probability proportional to 1 / (rank + 1)^s:
 * the cumulative weights are tabulated once, and each draw is a binary search
 * of a uniform number among them.
 *
 * @example
 * ```ts
 * const draw = zipf(100_000, 0.9, seededRandom(1));
 * draw(); // 0 most often, then 1, ...
 * ```
 */
export function zipf(keys: number, s: number, random: () => number): () => number {
  const cumulative = new Float64Array(keys);
  let total = 0;
  for (let rank = 0; rank < keys; rank++) {
    total += 1 / (rank + 1) ** s;
    cumulative[rank] = total;
  }
  return () => {
    const u = random() * total;
    let low = 0;
    let high = keys - 1;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (cumulative[mid]! > u) high = mid;
      else low = mid + 1;
    }
    return low;
  };
}

/** How large the traces are: `--quick` shrinks every count tenfold. */
export interface TraceScale {
  /** Calls per trace. */
  readonly requests: number;
  /** Keys of a Zipf working set. */
  readonly keys: number;
}

/** One trace: a name, how it is built (for the report), its seed and its keys in call order. */
export interface Trace {
  readonly id: string;
  readonly description: string;
  /** Seeds the trace's generator, and the advisor's key hash when it is replayed. */
  readonly seed: number;
  readonly keys: Int32Array;
}

const count = (n: number): string => n.toLocaleString('en-US');

/** Fills `out[from…to)` with Zipf draws shifted by `offset` (rank 0, the most popular, is key `offset`). */
function zipfKeys(out: Int32Array, from: number, to: number, draw: () => number, offset: number): void {
  for (let i = from; i < to; i++) out[i] = offset + draw();
}

/** Zipf(s) over `scale.keys` keys. */
function zipfTrace(s: number, scale: TraceScale, seed: number): Trace {
  const keys = new Int32Array(scale.requests);
  zipfKeys(keys, 0, scale.requests, zipf(scale.keys, s, seededRandom(seed)), 0);
  return {
    id: `zipf-${s}`,
    description: `Zipf, s = ${s}, over ${count(scale.keys)} keys`,
    seed,
    keys,
  };
}

/** Skew of the working set in the scan and shift traces. */
const MIXED_S = 0.9;

/**
 * Zipf(0.9) over `scale.keys` keys, interrupted by sequential scans: after
 * every `keys / 5` Zipf calls, a scan of `keys / 20` consecutive keys of a
 * separate range of `keys / 2` keys, from a random start (wrapping around),
 * so about one call in five belongs to a scan.
 */
function scanTrace(scale: TraceScale, seed: number): Trace {
  const random = seededRandom(seed);
  const draw = zipf(scale.keys, MIXED_S, random);
  const period = scale.keys / 5;
  const length = scale.keys / 20;
  const space = scale.keys / 2;
  const keys = new Int32Array(scale.requests);
  let i = 0;
  while (i < keys.length) {
    const zipfEnd = Math.min(keys.length, i + period);
    zipfKeys(keys, i, zipfEnd, draw, 0);
    i = zipfEnd;
    const start = Math.floor(random() * space);
    for (let j = 0; j < length && i < keys.length; j++, i++) keys[i] = scale.keys + ((start + j) % space);
  }
  return {
    id: 'zipf-scans',
    description:
      `Zipf, s = ${MIXED_S}, over ${count(scale.keys)} keys; after every ${count(period)} calls a scan of ` +
      `${count(length)} consecutive keys from a random start in another ${count(space)}`,
    seed,
    keys,
  };
}

/** Zipf(0.9) over keys 0…keys−1 for the first half of the calls, then over the next `keys` keys. */
function shiftTrace(scale: TraceScale, seed: number): Trace {
  const draw = zipf(scale.keys, MIXED_S, seededRandom(seed));
  const keys = new Int32Array(scale.requests);
  const half = scale.requests >> 1;
  zipfKeys(keys, 0, half, draw, 0);
  zipfKeys(keys, half, scale.requests, draw, scale.keys);
  return {
    id: 'zipf-shift',
    description:
      `Zipf, s = ${MIXED_S}, over keys 0–${count(scale.keys - 1)} for the first half of the calls, then over ` +
      `keys ${count(scale.keys)}–${count(2 * scale.keys - 1)} (the working set moves)`,
    seed,
    keys,
  };
}

/** The traces, by id, each built from its own seed. */
export const TRACES: Readonly<Record<string, (scale: TraceScale) => Trace>> = {
  'zipf-0.6': (scale) => zipfTrace(0.6, scale, 1),
  'zipf-0.9': (scale) => zipfTrace(0.9, scale, 2),
  'zipf-1.2': (scale) => zipfTrace(1.2, scale, 3),
  'zipf-scans': (scale) => scanTrace(scale, 4),
  'zipf-shift': (scale) => shiftTrace(scale, 5),
};

/** The ids of {@link TRACES}, in report order. */
export const TRACE_IDS: readonly string[] = Object.keys(TRACES);
