import { describe, expect, it } from '@jest/globals';
import { parseByteSize } from '../../lib/util/byte-size.js';
import { parseDuration } from '../../lib/util/duration.js';
import { typeErrorOf } from '../helpers/errors.js';

describe('parseDuration: milliseconds, or a string with a unit', () => {
  it.each([
    [250, 250],
    [0.5, 0.5],
    ['250ms', 250],
    ['30s', 30_000],
    ['1.5s', 1_500],
    ['.5s', 500],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['1d', 86_400_000],
    [' 2 s ', 2_000],
  ])('%p is %p ms', (value, ms) => {
    expect(parseDuration(value, 'MemoryStore', 'ttl')).toBe(ms);
  });

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY, '', '5', '5 minutes', '1w', '-1s', '0s', null, {}])(
    'refuses %p with a TypeError naming where, the option and the units',
    (value) => {
      const message = typeErrorOf(() => parseDuration(value, 'MemoryStore', 'ttl'));
      expect(message).toMatch(/^MemoryStore: option "ttl" must be a positive duration in milliseconds /);
      expect(message).toMatch(/\('250ms', '30s', '5m', '1h', '1d'\); got /);
    },
  );
});

describe('parseByteSize: bytes, or a string with a binary unit', () => {
  it.each([
    [1, 1],
    [65_536, 65_536],
    ['10b', 10],
    ['512kb', 524_288],
    ['1.5kb', 1_536],
    ['1mb', 1_048_576],
    [' 4 mb ', 4_194_304],
  ])('%p is %p bytes', (value, bytes) => {
    expect(parseByteSize(value, 'new RedisStore()', 'maxValueSize')).toBe(bytes);
  });

  it.each([0, -1, 1.5, Number.NaN, '0kb', '1gb', '1MB', '0.1b', 'big', null])(
    'refuses %p with a TypeError naming where, the option and the units',
    (value) => {
      const message = typeErrorOf(() => parseByteSize(value, 'new RedisStore()', 'maxValueSize'));
      expect(message).toMatch(/^new RedisStore\(\): option "maxValueSize" must be a positive whole number of bytes /);
      expect(message).toMatch(/\('512kb', '1mb'; kb = 1024 bytes, mb = 1024 kb\); got /);
    },
  );
});
