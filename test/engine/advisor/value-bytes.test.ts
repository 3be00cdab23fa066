import { describe, expect, it } from '@jest/globals';
import { valueBytes } from '../../../lib/engine/advisor/value-bytes.js';

/**
 * The heap estimate's model (value-bytes.ts): an object costs a 24-byte
 * header and 8 bytes per slot (property, element, Set entry: 2, Map entry:
 * 3); a string 16 bytes and 1 byte per character, 2 when one is beyond
 * Latin-1; a small integer lives in its slot, any other number is a 16-byte
 * box; a typed array two headers and its bytes. The figures below follow
 * from it by hand.
 */
const HEADER = 24;
const SLOT = 8;
const STRING = 16;

describe('valueBytes', () => {
  it('primitives: small integers and constants live in their slot, other numbers are boxed', () => {
    expect(valueBytes(undefined)).toBe(0);
    expect(valueBytes(null)).toBe(0);
    expect(valueBytes(true)).toBe(0);
    expect(valueBytes(0)).toBe(0);
    expect(valueBytes(-123_456)).toBe(0);
    expect(valueBytes(2 ** 30 - 1)).toBe(0);
    expect(valueBytes(2 ** 30)).toBe(16);
    expect(valueBytes(1.5)).toBe(16);
    expect(valueBytes(Number.NaN)).toBe(16);
    expect(valueBytes(Number.POSITIVE_INFINITY)).toBe(16);
    expect(valueBytes(10n)).toBe(16 + 8);
    expect(valueBytes(2n ** 64n)).toBe(16 + 16); // 17 hex digits: two 64-bit words
  });

  it('strings: one byte per Latin-1 character, two when any character is wider', () => {
    expect(valueBytes('')).toBe(STRING);
    expect(valueBytes('abc')).toBe(STRING + 3);
    expect(valueBytes('héllo')).toBe(STRING + 5); // é is U+00E9: still Latin-1
    expect(valueBytes('\u00ff')).toBe(STRING + 1);
    expect(valueBytes('\u0100')).toBe(STRING + 2);
    expect(valueBytes('日本')).toBe(STRING + 4);
    expect(valueBytes('😀')).toBe(STRING + 4); // two UTF-16 units
    expect(valueBytes(`${'a'.repeat(999)}€`)).toBe(STRING + 2_000); // one wide character widens them all
  });

  it('objects and arrays: a header, a slot per property or element, and what they hold', () => {
    expect(valueBytes({})).toBe(HEADER);
    expect(valueBytes({ id: 1, name: 'Ada' })).toBe(HEADER + 2 * SLOT + STRING + 3);
    expect(valueBytes({ x: { y: { z: 'a' } } })).toBe(3 * (HEADER + SLOT) + STRING + 1);
    expect(valueBytes([1, 2, 3])).toBe(HEADER + 3 * SLOT);
    expect(valueBytes(['a', 'bc', 1.5])).toBe(HEADER + 3 * SLOT + STRING + 1 + STRING + 2 + 16);
    expect(valueBytes([[], [[]]])).toBe(HEADER + 2 * SLOT + HEADER + HEADER + SLOT + HEADER);
    // a nested value counts as much inside as on its own
    const row = { id: 7, tags: ['x', 'yz'], price: 9.99 };
    expect(valueBytes({ row })).toBe(HEADER + SLOT + valueBytes(row));
  });

  it('Map and Set: three and two slots per entry, and their keys and values', () => {
    expect(valueBytes(new Map())).toBe(HEADER);
    expect(
      valueBytes(
        new Map<string, unknown>([
          ['a', 1],
          ['bb', 'c'],
        ]),
      ),
    ).toBe(HEADER + 2 * 3 * SLOT + (STRING + 1) + (STRING + 2) + (STRING + 1));
    expect(valueBytes(new Set(['a', 'b']))).toBe(HEADER + 2 * 2 * SLOT + 2 * (STRING + 1));
    expect(valueBytes(new Map([[{}, new Set([1])]]))).toBe(HEADER + 3 * SLOT + HEADER + (HEADER + 2 * SLOT));
  });

  it('typed arrays, buffers and dates: their bytes, not their elements one by one', () => {
    expect(valueBytes(new Uint8Array(100))).toBe(2 * HEADER + 100);
    expect(valueBytes(new Float64Array(10))).toBe(2 * HEADER + 80);
    expect(valueBytes(new DataView(new ArrayBuffer(8)))).toBe(2 * HEADER + 8);
    expect(valueBytes(new ArrayBuffer(64))).toBe(HEADER + 64);
    expect(valueBytes(Buffer.from('hello'))).toBe(2 * HEADER + 5);
    expect(valueBytes(new Date(0))).toBe(HEADER + SLOT);
  });

  it('cycles terminate and a shared part counts once', () => {
    const node: { name: string; self?: unknown; peer?: unknown } = { name: 'a' };
    node.self = node;
    expect(valueBytes(node)).toBe(HEADER + 2 * SLOT + STRING + 1);
    const a: Record<string, unknown> = { v: 1 };
    const b: Record<string, unknown> = { v: 2, a };
    a.b = b;
    expect(valueBytes(a)).toBe(HEADER + 2 * SLOT + HEADER + 2 * SLOT);
    const shared = { label: 'shared' };
    expect(valueBytes([shared, shared, shared])).toBe(HEADER + 3 * SLOT + HEADER + SLOT + STRING + 6);
    const map = new Map<string, unknown>();
    map.set('me', map);
    expect(valueBytes(map)).toBe(HEADER + 3 * SLOT + STRING + 2);
  });
});

describe('valueBytes beyond 2,000 objects', () => {
  /** `count` objects of one property each, counting the property reads: one per object the walk visits. */
  function counted(count: number) {
    const reads = { count: 0 };
    const rows = Array.from({ length: count }, () => ({
      get id() {
        reads.count++;
        return 1;
      },
    }));
    return { rows, reads };
  }

  it('below the bound: every object is visited and counted', () => {
    const { rows, reads } = counted(1_999);
    expect(valueBytes(rows)).toBe(HEADER + 1_999 * SLOT + 1_999 * (HEADER + SLOT));
    expect(reads.count).toBe(1_999);
  });

  it('a huge array of objects: at most 2,000 objects visited', () => {
    const { rows, reads } = counted(100_000);
    expect(valueBytes(rows)).toBeGreaterThan(0);
    expect(reads.count).toBeLessThanOrEqual(2_000);
    expect(reads.count).toBeGreaterThan(1_900);
  });

  it('a huge array of objects: the rest extrapolated to a plausible figure', () => {
    // A full walk under the same model: 4,000,024 bytes. The rest is
    // extrapolated from the mean bytes per object visited, and that mean
    // includes the array itself (800,024 of the 863,992 bytes seen over
    // 2,001 nodes), so each of the 98,001 objects left was taken for ≈ 430
    // bytes instead of 32: ≈ 43 MB, 10.8 times the figure.
    const count = 100_000;
    const estimate = valueBytes(counted(count).rows);
    const full = HEADER + count * SLOT + count * (HEADER + SLOT);
    expect(estimate).toBeGreaterThan(full / 2);
    expect(estimate).toBeLessThan(full * 2);
  });

  it('a huge array of primitives is one object: counted in full (the bound counts objects)', () => {
    expect(valueBytes(new Array<number>(1_000_000).fill(1.5))).toBe(HEADER + 1_000_000 * (SLOT + 16));
    expect(valueBytes(new Array<string>(100_000).fill('abcd'))).toBe(HEADER + 100_000 * (SLOT + STRING + 4));
  });
});
