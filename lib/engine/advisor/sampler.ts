/**
 * A SHARDS sampler (Waldspurger et al., "Efficient MRC Construction with
 * SHARDS", FAST 2015): keys whose hash falls below a threshold are sampled,
 * every call of a sampled key is seen, and the reuse distance of each call
 * (distinct sampled keys called since that key's previous call, divided by
 * the rate) estimates the hit rate of an LRU cache of any size. Fixed-size
 * variant: past `maxKeys` sampled keys the threshold is lowered, the keys
 * above it dropped and the counts rescaled; SHARDS_adj corrects the total
 * for the difference between the calls sampled and the calls expected.
 *
 * For TTL caches each sampled key also replays its calls under five TTLs at
 * the current size (a call is a hit when its key was loaded less than the
 * TTL ago and its reuse distance fits), which estimates the hit rate at
 * other TTLs from reuse times.
 */
import type { StoreKey } from '../../util/store-key.js';
import { TTL_MULTIPLES } from './advice.js';
import { keyHash, seeded } from './key-hash.js';

/** 2^32: hashes are unsigned 32-bit integers; a rate r samples those below r × 2^32. */
const HASH_SPACE = 4_294_967_296;
/**
 * Distances below this have a bucket per whole number ([i, i + 1)): an
 * integer size then splits no bucket, so small caches are estimated without
 * interpolating (a call at a distance equal to the size is a miss, never
 * part of a hit).
 */
const EXACT_BELOW = 256;
const EXACT_OCTAVES = 8; // log2(EXACT_BELOW)
/** Above, buckets per doubling of the distance (each spans ≈ 2.2%), up to 2^48 (beyond any cache). */
const BUCKETS_PER_OCTAVE = 32;
const BUCKETS = EXACT_BELOW + BUCKETS_PER_OCTAVE * (48 - EXACT_OCTAVES);
/** Positions (sampled calls) the order tree holds before it is renumbered, per sampled key. */
const POSITIONS_PER_KEY = 4;
/** Calls per second are measured since the newest checkpoint at least this old (since the start when none is). */
const RATE_WINDOW_MS = 60_000;
/** A sampled call takes a checkpoint (time, calls) when the last is this old; the newest few are kept. */
const CHECKPOINT_EVERY_MS = 10_000;
const CHECKPOINTS = 8;
/** Slots allocated at first; they double as keys come, up to `maxKeys` + 1. */
const INITIAL_SLOTS = 64;
/** When the sample is full, the threshold drops until this fraction of `maxKeys` is left. */
const KEEP_AFTER_LOWERING = 15 / 16;

/** The histogram bucket of a (scaled) reuse distance. */
function bucketOf(distance: number): number {
  if (distance < EXACT_BELOW) return Math.floor(distance);
  const index = EXACT_BELOW + Math.floor((Math.log2(distance) - EXACT_OCTAVES) * BUCKETS_PER_OCTAVE);
  return index < BUCKETS ? index : BUCKETS - 1;
}

/** The smallest distance bucket `index` holds. */
function bucketStart(index: number): number {
  return index < EXACT_BELOW ? index : 2 ** (EXACT_OCTAVES + (index - EXACT_BELOW) / BUCKETS_PER_OCTAVE);
}

/** The SHARDS_adj correction of the sample: calls missing from it or in excess, and the calls expected. */
interface Correction {
  readonly missing: number;
  readonly excess: number;
  readonly expected: number;
}

/**
 * Settings of a {@link ReuseSampler}.
 *
 * @example
 * ```ts
 * const settings: SamplerSettings = { rate: 0.01, maxKeys: 8192, seed: 0, now: () => performance.now() };
 * ```
 */
export interface SamplerSettings {
  /** Initial sampling rate, 0 < rate ≤ 1. */
  readonly rate: number;
  /** Most keys sampled at once (≥ 16). */
  readonly maxKeys: number;
  /** Seed of the key hash. */
  readonly seed: number;
  /** The clock, in milliseconds (reuse times, calls per second). */
  readonly now: () => number;
  /**
   * The TTL whose multiples are replayed (milliseconds); `undefined`: no TTL curve.
   *
   * @default undefined
   */
  readonly ttl?: number | undefined;
  /**
   * The size the TTL replay assumes (entries); `undefined`: unbounded.
   *
   * @default undefined
   */
  readonly maxSize?: number | undefined;
}

/**
 * Spatially hashed sample of one cache's keys, their reuse distances and
 * reuse times, in memory bounded by `maxKeys`. {@link ReuseSampler.record}
 * is called for every call that reads the cache; an unsampled key costs one
 * hash and one comparison, without allocating.
 *
 * @example
 * ```ts
 * const sampler = new ReuseSampler({ rate: 0.1, maxKeys: 8192, seed: 0, now: () => performance.now() });
 * for (const key of trace) sampler.record(key);
 * sampler.hitRateAt(1000); // estimated hit rate of an LRU cache of 1,000 entries
 * ```
 */
export class ReuseSampler {
  readonly #seed: number;
  readonly #maxKeys: number;
  readonly #now: () => number;
  readonly #ttl: number | undefined;
  readonly #ttlSize: number;
  readonly #startedAt: number;
  #rate: number;
  /** A key is sampled when its hash is below this. */
  #threshold: number;
  /** Every call recorded. */
  #calls = 0;
  /** Sampled calls, rescaled whenever the rate drops (SHARDS's histogram total). */
  #sampledCalls = 0;
  /** Sampled calls per reuse-distance bucket, rescaled like `#sampledCalls`. */
  readonly #histogram = new Float64Array(BUCKETS);
  /** Sampled calls that would hit under each TTL multiple, rescaled likewise. */
  readonly #ttlHits = new Float64Array(TTL_MULTIPLES.length);
  /**
   * The same, each call weighted by its key's calls so far: where the calls
   * of frequent keys fall, which is where the calls SHARDS_adj adds or
   * removes are (a key's weight in that difference grows with its calls).
   */
  readonly #weighted = new Float64Array(BUCKETS);
  readonly #weightedTtlHits = new Float64Array(TTL_MULTIPLES.length);
  #weightedCalls = 0;

  /** Slot of each sampled key. */
  readonly #slots = new Map<StoreKey, number>();
  /** Per slot: the key, its hash, its last position, its load time under each TTL multiple. */
  #keys: (StoreKey | undefined)[];
  #hashes: Uint32Array;
  #last: Int32Array;
  /** Per slot: the key's sampled calls. */
  #counts: Float64Array;
  #loadedAt: Float64Array;
  readonly #free: number[] = [];
  #nextSlot = 0;

  /** Fenwick tree over positions: 1 where a sampled key was last called. */
  #tree: Int32Array;
  /** The next position (1-based). */
  #position = 1;

  #measured = 0;
  #measuredBytes = 0;
  /** (time, calls) pairs, oldest first, for the recent call rate. */
  readonly #checkpoints: number[] = [];

  constructor(settings: SamplerSettings) {
    this.#seed = settings.seed | 0;
    this.#maxKeys = settings.maxKeys;
    this.#now = settings.now;
    this.#ttl = settings.ttl;
    this.#ttlSize = settings.maxSize ?? Number.POSITIVE_INFINITY;
    this.#rate = settings.rate;
    this.#threshold = settings.rate * HASH_SPACE;
    this.#startedAt = settings.now();
    const slots = Math.min(INITIAL_SLOTS, this.#maxKeys + 1);
    this.#keys = new Array<StoreKey | undefined>(slots);
    this.#hashes = new Uint32Array(slots);
    this.#last = new Int32Array(slots);
    this.#counts = new Float64Array(slots);
    this.#loadedAt = new Float64Array(this.#ttl === undefined ? 0 : slots * TTL_MULTIPLES.length);
    this.#tree = new Int32Array(slots * POSITIONS_PER_KEY + 1);
  }

  /** The TTL the sampler replays (milliseconds); `undefined`: none. */
  get ttl(): number | undefined {
    return this.#ttl;
  }

  /** The sampling rate now. */
  get rate(): number {
    return this.#rate;
  }

  /** Keys sampled now. */
  get sampledKeys(): number {
    return this.#slots.size;
  }

  /** Calls recorded. */
  get calls(): number {
    return this.#calls;
  }

  /** Milliseconds since the sampler was created. */
  get observedMs(): number {
    return this.#now() - this.#startedAt;
  }

  /**
   * Calls per second over about the last minute: since the newest
   * checkpoint at least {@link RATE_WINDOW_MS} old, else since the start.
   */
  get callsPerSecond(): number {
    const now = this.#now();
    let since = this.#startedAt;
    let before = 0;
    const checkpoints = this.#checkpoints;
    for (let i = 0; i < checkpoints.length; i += 2) {
      const at = checkpoints[i]!;
      if (now - at < RATE_WINDOW_MS) break;
      since = at;
      before = checkpoints[i + 1]!;
    }
    return now > since ? ((this.#calls - before) * 1000) / (now - since) : 0;
  }

  /** Mean bytes of the values measured; `undefined` before the first. */
  get meanValueBytes(): number | undefined {
    return this.#measured === 0 ? undefined : this.#measuredBytes / this.#measured;
  }

  /**
   * Records one call of `key`; `true` when the key is sampled.
   *
   * @example
   * ```ts
   * if (sampler.record(key)) console.log('sampled');
   * ```
   */
  record(key: StoreKey): boolean {
    return this.recordHashed(key, keyHash(key));
  }

  /**
   * {@link ReuseSampler.record} with the key's {@link keyHash} known (a hit
   * on an entry that memoizes it).
   *
   * @example
   * ```ts
   * sampler.recordHashed(key, entry.keyHash ??= keyHash(key));
   * ```
   */
  recordHashed(key: StoreKey, hash: number): boolean {
    this.#calls++;
    const sampleHash = seeded(hash, this.#seed);
    if (sampleHash >= this.#threshold) return false;
    return this.#sample(key, sampleHash);
  }

  /** Adds the bytes of one loaded value to the mean (see `valueBytes`). */
  addValueBytes(bytes: number): void {
    this.#measured++;
    this.#measuredBytes += bytes;
  }

  /** Records a call of a key below the threshold; `false` when the sample, full, dropped it at once. */
  #sample(key: StoreKey, sampleHash: number): boolean {
    const now = this.#now();
    const checkpoints = this.#checkpoints;
    if (now - (checkpoints[checkpoints.length - 2] ?? this.#startedAt) >= CHECKPOINT_EVERY_MS) {
      checkpoints.push(now, this.#calls);
      if (checkpoints.length > CHECKPOINTS * 2) checkpoints.splice(0, 2);
    }
    const slot = this.#slots.get(key);
    if (slot === undefined && this.#free.length === 0 && this.#nextSlot === this.#hashes.length) this.#grow();
    if (this.#position >= this.#tree.length) this.#renumber();
    const position = this.#position++;
    this.#sampledCalls++;
    if (slot === undefined) return this.#admit(key, sampleHash, position, now);
    const previous = this.#last[slot] ?? 0;
    // Distinct sampled keys called since: the marks after the previous position.
    const distance = (this.#slots.size - this.#prefix(previous)) / this.#rate;
    this.#add(previous, -1);
    this.#add(position, 1);
    this.#last[slot] = position;
    const weight = ++this.#counts[slot]!;
    const bucket = bucketOf(distance);
    this.#histogram[bucket]! += 1;
    this.#weighted[bucket]! += weight;
    this.#weightedCalls += weight;
    const ttl = this.#ttl;
    if (ttl === undefined) return true;
    const fits = distance < this.#ttlSize;
    const base = slot * TTL_MULTIPLES.length;
    for (let m = 0; m < TTL_MULTIPLES.length; m++) {
      // An entry exactly `ttl` old is still served (lru-cache and Redis expire it after).
      if (fits && now - this.#loadedAt[base + m]! <= ttl * TTL_MULTIPLES[m]!) {
        this.#ttlHits[m]! += 1;
        this.#weightedTtlHits[m]! += weight;
      } else this.#loadedAt[base + m] = now;
    }
    return true;
  }

  /** A key's first sampled call: a cold miss at every size. */
  #admit(key: StoreKey, sampleHash: number, position: number, now: number): boolean {
    const slot = this.#free.pop() ?? this.#nextSlot++;
    this.#keys[slot] = key;
    this.#hashes[slot] = sampleHash;
    this.#last[slot] = position;
    this.#counts[slot] = 1;
    this.#weightedCalls += 1;
    this.#slots.set(key, slot);
    this.#add(position, 1);
    if (this.#ttl !== undefined) {
      this.#loadedAt.fill(now, slot * TTL_MULTIPLES.length, (slot + 1) * TTL_MULTIPLES.length);
    }
    if (this.#slots.size <= this.#maxKeys) return true;
    this.#lowerThreshold();
    return this.#slots.has(key);
  }

  /**
   * The sample is full: the threshold drops to the hash below which
   * {@link KEEP_AFTER_LOWERING} of `maxKeys` keys stay, the others are
   * dropped, and every count is rescaled to the new rate.
   */
  #lowerThreshold(): void {
    const live = [...this.#slots.values()].sort((a, b) => this.#hashes[a]! - this.#hashes[b]!);
    const keep = Math.max(1, Math.floor(this.#maxKeys * KEEP_AFTER_LOWERING));
    const threshold = this.#hashes[live[keep]!]!;
    for (const slot of live) {
      if (this.#hashes[slot]! < threshold) continue;
      this.#add(this.#last[slot]!, -1);
      this.#slots.delete(this.#keys[slot]!);
      this.#keys[slot] = undefined;
      this.#free.push(slot);
    }
    const rate = threshold / HASH_SPACE;
    const scale = rate / this.#rate;
    this.#rate = rate;
    this.#threshold = threshold;
    this.#sampledCalls *= scale;
    for (let i = 0; i < BUCKETS; i++) this.#histogram[i]! *= scale;
    for (let m = 0; m < TTL_MULTIPLES.length; m++) this.#ttlHits[m]! *= scale;
  }

  /** Every slot is taken: twice as many (up to `maxKeys` + 1), and an order tree to match. */
  #grow(): void {
    const slots = Math.min(this.#hashes.length * 2, this.#maxKeys + 1);
    const hashes = new Uint32Array(slots);
    hashes.set(this.#hashes);
    this.#hashes = hashes;
    const last = new Int32Array(slots);
    last.set(this.#last);
    this.#last = last;
    const counts = new Float64Array(slots);
    counts.set(this.#counts);
    this.#counts = counts;
    if (this.#ttl !== undefined) {
      const loadedAt = new Float64Array(slots * TTL_MULTIPLES.length);
      loadedAt.set(this.#loadedAt);
      this.#loadedAt = loadedAt;
    }
    this.#keys.length = slots;
    this.#tree = new Int32Array(slots * POSITIONS_PER_KEY + 1);
    this.#renumber();
  }

  /** The order tree is full: live keys get positions 1…n in the order of their last calls. */
  #renumber(): void {
    const live = [...this.#slots.values()].sort((a, b) => this.#last[a]! - this.#last[b]!);
    this.#tree.fill(0);
    let position = 1;
    for (const slot of live) {
      this.#last[slot] = position;
      this.#add(position, 1);
      position++;
    }
    this.#position = position;
  }

  #add(position: number, delta: number): void {
    const tree = this.#tree;
    for (let i = position; i < tree.length; i += i & -i) tree[i]! += delta;
  }

  #prefix(position: number): number {
    const tree = this.#tree;
    let sum = 0;
    for (let i = position; i > 0; i -= i & -i) sum += tree[i]!;
    return sum;
  }

  /**
   * SHARDS_adj: whether a frequent key is sampled or not moves the calls
   * sampled far from the calls expected at the rate (`rate × calls`); the
   * difference is mostly that key's calls. Calls missing from the sample
   * are an unsampled frequent key's: shortest distances, hits at every size
   * (`#missing`). Calls in excess are a sampled frequent key's: they are
   * taken from where the sample's frequent keys' calls fall (the histogram
   * weighted by each key's calls), never more than a bucket holds, so the
   * curve still only rises with the size.
   */
  #correction(): Correction {
    const expected = this.#rate * this.#calls;
    const delta = expected - this.#sampledCalls;
    return { missing: Math.max(0, delta), excess: Math.max(0, -delta), expected };
  }

  /** `hits` sampled hits whose weighted count is `weighted`, corrected as a hit rate (see `#correction`). */
  #rateOf(hits: number, weighted: number, correction: Correction): number {
    const { missing, excess, expected } = correction;
    if (expected <= 0) return 0;
    const removed = excess === 0 ? 0 : Math.min(hits, (excess * weighted) / this.#weightedCalls);
    const rate = (hits - removed + missing) / expected;
    return rate < 0 ? 0 : rate > 1 ? 1 : rate;
  }

  /**
   * Estimated hit rate of an LRU cache of `size` entries over the calls
   * recorded (0 before any).
   *
   * @example
   * ```ts
   * sampler.hitRateAt(4000); // 0.83
   * ```
   */
  hitRateAt(size: number): number {
    if (this.#sampledCalls === 0 || !(size >= 1)) return 0;
    const correction = this.#correction();
    const excess = correction.excess;
    const share = excess === 0 ? 0 : excess / this.#weightedCalls;
    const last = bucketOf(size);
    let hits = 0;
    // Per bucket, what the excess takes from it is capped by what it holds: the sum only grows with the size.
    for (let i = 0; i < last; i++) {
      const held = this.#histogram[i]!;
      hits += held - Math.min(held, share * this.#weighted[i]!);
    }
    // A logarithmic bucket `size` falls in: the part below it, assuming distances spread evenly over it (log scale).
    const start = bucketStart(last);
    if (last >= EXACT_BELOW && size > start) {
      const part = Math.log2(size / start) / Math.log2(bucketStart(last + 1) / start);
      const held = this.#histogram[last]!;
      hits += (held - Math.min(held, share * this.#weighted[last]!)) * part;
    }
    const { missing, expected } = correction;
    if (expected <= 0) return 0;
    const rate = (hits + missing) / expected;
    return rate < 0 ? 0 : rate > 1 ? 1 : rate;
  }

  /**
   * Estimated hit rates at each TTL multiple (0.25×…4×) at the sampler's
   * `maxSize`; empty without a TTL.
   *
   * @example
   * ```ts
   * sampler.ttlHitRates(); // [0.41, 0.55, 0.68, 0.77, 0.82]
   * ```
   */
  ttlHitRates(): number[] {
    if (this.#ttl === undefined) return [];
    if (this.#sampledCalls === 0) return TTL_MULTIPLES.map(() => 0);
    const correction = this.#correction();
    return Array.from(this.#ttlHits, (hits, m) => this.#rateOf(hits, this.#weightedTtlHits[m]!, correction));
  }
}
