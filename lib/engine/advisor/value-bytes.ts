/**
 * An estimate of the heap a cached value holds, for the advisor's "memory
 * per size": a bounded walk of the value (V8's typical object layout; shared
 * and cyclic parts counted once). It measures, it does not serialize.
 */

/** Nodes one estimate visits at most; a larger value's rest is extrapolated from the mean so far. */
const MAX_NODES = 2_000;
/** Bytes of one object header (map, properties, elements) and of one slot. */
const OBJECT_HEADER = 24;
const SLOT = 8;
/** A string's header; its characters take 1 (Latin-1) or 2 bytes each. */
const STRING_HEADER = 16;

/**
 * Estimated bytes the cache holds per entry besides the value and key: the
 * LRU's slots (map entry, list links, key and value arrays, start and TTL)
 * and memokit's entry record.
 *
 * @default 120
 * @example
 * ```ts
 * const perEntry = ENTRY_OVERHEAD_BYTES + valueBytes(value) + valueBytes(key);
 * ```
 */
export const ENTRY_OVERHEAD_BYTES = 120;

function stringBytes(value: string): number {
  let wide = false;
  for (let i = 0; i < value.length && !wide; i++) wide = value.charCodeAt(i) > 0xff;
  return STRING_HEADER + value.length * (wide ? 2 : 1);
}

/**
 * Estimated heap bytes of `value` (a cached method's result or a key).
 *
 * @example
 * ```ts
 * valueBytes({ id: 1, name: 'Ada' }); // ≈ 60
 * ```
 */
export function valueBytes(value: unknown): number {
  const seen = new Set<object>();
  const pending: unknown[] = [value];
  let nodes = 0;
  let bytes = 0;
  while (pending.length > 0) {
    const next = pending.pop();
    if (typeof next === 'string') {
      bytes += stringBytes(next);
      continue;
    }
    if (typeof next === 'number') {
      bytes += Number.isInteger(next) && Math.abs(next) < 2 ** 30 ? 0 : 16; // a small integer lives in its slot
      continue;
    }
    if (typeof next === 'bigint') {
      bytes += 16 + Math.ceil(next.toString(16).length / 16) * 8;
      continue;
    }
    if (typeof next !== 'object' || next === null || seen.has(next)) continue;
    if (++nodes > MAX_NODES) {
      // The rest, as many again of what was seen so far per node.
      return Math.round(bytes + (bytes / nodes) * (pending.length + 1));
    }
    seen.add(next);
    if (ArrayBuffer.isView(next)) {
      bytes += OBJECT_HEADER * 2 + next.byteLength;
    } else if (next instanceof ArrayBuffer) {
      bytes += OBJECT_HEADER + next.byteLength;
    } else if (next instanceof Date) {
      bytes += OBJECT_HEADER + SLOT;
    } else if (next instanceof Map) {
      bytes += OBJECT_HEADER + next.size * 3 * SLOT;
      for (const [k, v] of next) pending.push(k, v);
    } else if (next instanceof Set) {
      bytes += OBJECT_HEADER + next.size * 2 * SLOT;
      for (const v of next) pending.push(v);
    } else if (Array.isArray(next)) {
      bytes += OBJECT_HEADER + next.length * SLOT;
      for (const v of next) pending.push(v);
    } else {
      const keys = Object.keys(next);
      bytes += OBJECT_HEADER + keys.length * SLOT;
      for (const key of keys) pending.push((next as Record<string, unknown>)[key]);
    }
  }
  return bytes;
}
