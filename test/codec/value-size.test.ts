import { describe, expect, it } from '@jest/globals';
import { DEFAULT_MAX_VALUE_SIZE, oversize } from '../../lib/codec/value-size.js';

describe('oversize: the UTF-8 size of a text over a limit', () => {
  it('is undefined for texts that fit, however they are made of', () => {
    expect(oversize('', 1)).toBeUndefined();
    expect(oversize('abc', 3)).toBeUndefined();
    expect(oversize('é'.repeat(5), 10)).toBeUndefined(); // 10 bytes
    expect(oversize('€', 3)).toBeUndefined(); // 3 bytes
  });

  it('is the byte size for texts over the limit, counting multi-byte characters', () => {
    expect(oversize('abcd', 3)).toBe(4);
    expect(oversize('é'.repeat(6), 10)).toBe(12);
    expect(oversize('€€', 5)).toBe(6);
    expect(oversize('😀', 3)).toBe(4); // a surrogate pair is 4 bytes
  });

  it('defaults to 1 MiB, memcached item size', () => {
    expect(DEFAULT_MAX_VALUE_SIZE).toBe(1_048_576);
    expect(oversize('x'.repeat(DEFAULT_MAX_VALUE_SIZE), DEFAULT_MAX_VALUE_SIZE)).toBeUndefined();
    expect(oversize('x'.repeat(DEFAULT_MAX_VALUE_SIZE + 1), DEFAULT_MAX_VALUE_SIZE)).toBe(DEFAULT_MAX_VALUE_SIZE + 1);
  });
});
