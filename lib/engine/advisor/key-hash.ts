/**
 * The key hash of the sizing advisor's spatial sampling: a seed-free 32-bit
 * hash of a store key (what an entry memoizes), and the seed applied to it.
 */
import type { StoreKey } from '../../util/store-key.js';

const numberView = new Float64Array(1);
const numberWords = new Uint32Array(numberView.buffer);

/** MurmurHash3's finalizer: spreads every input bit over the 32 output bits. */
function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85eb_ca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2_ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * A 32-bit hash of a store key under `seed`: numbers by their 64-bit pattern,
 * strings by FNV-1a over their UTF-16 units; both finalized by
 * {@link mix32}. Allocation-free. `5` and `'5'` hash differently (they are
 * different keys).
 *
 * @example
 * ```ts
 * hashKey('user:42', 0) === hashKey('user:42', 0); // true
 * ```
 */
export function hashKey(key: StoreKey, seed: number): number {
  return seeded(keyHash(key), seed);
}

/**
 * The seed-free part of {@link hashKey}: what an entry memoizes
 * (`StoreEntry.keyHash`), so that hits of a string key hash nothing.
 *
 * @example
 * ```ts
 * hashKey('user:42', 7) === seeded(keyHash('user:42'), 7); // true
 * ```
 */
export function keyHash(key: StoreKey): number {
  if (typeof key === 'number') {
    if ((key | 0) === key) return mix32(key ^ 0x2c1b_3c6d);
    numberView[0] = key;
    return mix32((numberWords[0] ?? 0) ^ mix32((numberWords[1] ?? 0) ^ 0x27d4_eb2f));
  }
  let h = 0x811c_9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x0100_0193);
  return mix32(h ^ key.length);
}

/** A {@link keyHash} under `seed`: another seed, another sample of keys. */
export function seeded(hash: number, seed: number): number {
  return mix32(hash ^ Math.imul(seed ^ 0x9e37_79b9, 0x85eb_ca6b));
}
