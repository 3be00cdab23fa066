/**
 * An estimate of the heap a cached value holds, for the advisor's "memory
 * per size": a bounded walk of the value (V8's typical object layout; shared
 * and cyclic parts counted once). It measures, it does not serialize.
 */

/** Objects one estimate visits at most. */
const MAX_OBJECTS = 2_000;
/** A container with more children than the objects left to visit has an even sample of them visited, scaled up. */
const MIN_SAMPLE = 64;
/** Deeper parts are not visited (a long linked list is underestimated, never walked without end). */
const MAX_DEPTH = 100;
/** Bytes of one object header (map, properties, elements) and of one slot. */
const OBJECT_HEADER = 24;
const SLOT = 8;
/** A string's header; its characters take 1 (Latin-1) or 2 bytes each. */
const STRING_HEADER = 16;
/** Characters a string is scanned for one beyond Latin-1 (which makes it two bytes per character). */
const STRING_SCAN = 4_096;

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
  const scan = Math.min(value.length, STRING_SCAN);
  for (let i = 0; i < scan && !wide; i++) wide = value.charCodeAt(i) > 0xff;
  return STRING_HEADER + value.length * (wide ? 2 : 1);
}

/** The walk's state: objects seen (counted once) and how many more may be visited. */
interface Walk {
  readonly seen: Set<object>;
  left: number;
}

/**
 * The bytes of `count` children, `childAt(i)` the i-th: all of them when the
 * walk can afford it, else an even sample scaled to the count.
 */
function childrenBytes(walk: Walk, count: number, depth: number, childAt: (i: number) => unknown): number {
  const visits = Math.min(count, Math.max(MIN_SAMPLE, walk.left));
  let bytes = 0;
  for (let k = 0; k < visits; k++) bytes += bytesOf(childAt(Math.floor((k * count) / visits)), walk, depth + 1);
  return visits === count ? bytes : (bytes * count) / visits;
}

function bytesOf(value: unknown, walk: Walk, depth: number): number {
  if (typeof value === 'string') return stringBytes(value);
  if (typeof value === 'number') return Number.isInteger(value) && Math.abs(value) < 2 ** 30 ? 0 : 16; // a small integer lives in its slot
  if (typeof value === 'bigint') return 16 + Math.ceil(value.toString(16).length / 16) * 8;
  if (typeof value !== 'object' || value === null || walk.seen.has(value)) return 0;
  if (walk.left <= 0 || depth > MAX_DEPTH) return 0;
  walk.left--;
  walk.seen.add(value);
  if (ArrayBuffer.isView(value)) return OBJECT_HEADER * 2 + value.byteLength;
  if (value instanceof ArrayBuffer) return OBJECT_HEADER + value.byteLength;
  if (value instanceof Date) return OBJECT_HEADER + SLOT;
  if (value instanceof Map || value instanceof Set) {
    const entries: unknown[] = [];
    if (value instanceof Map) for (const [k, v] of value) entries.push(k, v);
    else for (const v of value) entries.push(v);
    const own = OBJECT_HEADER + value.size * (value instanceof Map ? 3 : 2) * SLOT;
    return own + childrenBytes(walk, entries.length, depth, (i) => entries[i]);
  }
  if (Array.isArray(value)) {
    const items = value as unknown[];
    return OBJECT_HEADER + items.length * SLOT + childrenBytes(walk, items.length, depth, (i) => items[i]);
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  return OBJECT_HEADER + keys.length * SLOT + childrenBytes(walk, keys.length, depth, (i) => record[keys[i]!]);
}

/**
 * Estimated heap bytes of `value` (a cached method's result or a key). At
 * most 2,000 objects are visited: a container with more children than that
 * has an even sample of them visited and scaled up.
 *
 * @example
 * ```ts
 * valueBytes({ id: 1, name: 'Ada' }); // 59
 * ```
 */
export function valueBytes(value: unknown): number {
  return Math.round(bytesOf(value, { seen: new Set(), left: MAX_OBJECTS }, 0));
}
