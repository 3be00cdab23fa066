import { messages } from './messages.js';

/**
 * A size in bytes: a number of bytes, or a string with a unit.
 *
 * Units: `b`, `kb` (1024 bytes) and `mb` (1024 × 1024 bytes), binary as in
 * `redis.conf`. Fractions are allowed when they make whole bytes (`'1.5kb'`).
 *
 * @example
 * ```ts
 * const a: ByteSize = 65_536;  // 64 KiB
 * const b: ByteSize = '512kb'; // 524 288 bytes
 * const c: ByteSize = '1mb';   // 1 048 576 bytes
 * ```
 */
export type ByteSize = number | `${number}${ByteSizeUnit}` | `${number} ${ByteSizeUnit}`;

/**
 * Units accepted in a {@link ByteSize} string.
 *
 * @example
 * ```ts
 * const unit: ByteSizeUnit = 'kb';
 * ```
 */
export type ByteSizeUnit = 'b' | 'kb' | 'mb';

const UNIT_BYTES: Readonly<Record<ByteSizeUnit, number>> = {
  b: 1,
  kb: 1024,
  mb: 1024 * 1024,
};

const PATTERN = /^(\d+(?:\.\d+)?|\.\d+)\s*(b|kb|mb)$/;

/**
 * Converts a {@link ByteSize} to bytes. Zero, negative, fractional (in whole
 * bytes), non-finite and malformed values throw a `TypeError` naming `where`
 * and `option`; there is never a silent default.
 *
 * @param value - the size to parse
 * @param where - what is being configured, e.g. `new RedisStore()`
 * @param option - the option name, e.g. `maxValueSize`
 * @returns the size in bytes (a positive safe integer)
 *
 * @example
 * ```ts
 * parseByteSize('1mb', 'new RedisStore()', 'maxValueSize'); // 1048576
 * parseByteSize(0, 'new RedisStore()', 'maxValueSize');     // throws TypeError
 * ```
 */
export function parseByteSize(value: unknown, where: string, option: string): number {
  let bytes = Number.NaN;
  if (typeof value === 'number') {
    bytes = value;
  } else if (typeof value === 'string') {
    const match = PATTERN.exec(value.trim());
    if (match !== null) bytes = Number(match[1]) * UNIT_BYTES[match[2] as ByteSizeUnit];
  }
  if (!Number.isSafeInteger(bytes) || bytes <= 0) {
    throw new TypeError(messages.BAD_BYTE_SIZE(where, option, value));
  }
  return bytes;
}
