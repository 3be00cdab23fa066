import { MemokitError, type MemokitErrorOptions } from '../util/errors.js';
import type { StoreKey } from '../util/store-key.js';

/**
 * The largest stored entry a serializing store accepts unless configured
 * otherwise: 1 MiB (1 048 576 bytes), memcached's default item size limit.
 * See {@link RedisStoreOptions.maxValueSize}.
 *
 * @default 1048576
 * @example
 * ```ts
 * const store = new RedisStore({ url, maxValueSize: 4 * DEFAULT_MAX_VALUE_SIZE }); // 4 MiB
 * ```
 */
export const DEFAULT_MAX_VALUE_SIZE = 1024 * 1024;

/**
 * A value whose stored form is larger than the store's `maxValueSize` (bytes
 * of UTF-8, as sent to Redis). Stores reject the write with it and store
 * nothing; a decorated method then returns its result uncached and counts a
 * store error. Raise `maxValueSize`, or skip such values with `shouldCache`.
 *
 * @example
 * ```ts
 * try {
 *   await cache.set('report', hugeReport);
 * } catch (error) {
 *   if (error instanceof ValueTooLargeError) console.warn(`${error.size} > ${error.limit} bytes`);
 * }
 * ```
 */
export class ValueTooLargeError extends MemokitError {
  /** The code of every `ValueTooLargeError`. */
  static readonly code = 'E_VALUE_TOO_LARGE';
  declare readonly code: typeof ValueTooLargeError.code;
  /** The key of the value that was not stored, as the store received it. */
  readonly key: StoreKey;
  /** Bytes the entry would have taken (UTF-8). */
  readonly size: number;
  /** The store's `maxValueSize`, in bytes. */
  readonly limit: number;

  constructor(message: string, key: StoreKey, size: number, limit: number, options?: MemokitErrorOptions) {
    super(ValueTooLargeError.code, message, options);
    this.name = 'ValueTooLargeError';
    this.key = key;
    this.size = size;
    this.limit = limit;
  }
}

/**
 * Bytes `text` takes in UTF-8, compared with `limit`: `undefined` when it fits,
 * else its size. Cheap for texts far from the limit (a UTF-16 unit is 1 to 3
 * UTF-8 bytes).
 *
 * @example
 * ```ts
 * const size = oversize(record, 1024); // undefined, or the byte size above 1024
 * ```
 * @internal
 */
export function oversize(text: string, limit: number): number | undefined {
  if (text.length * 3 <= limit) return undefined;
  if (text.length > limit) return Buffer.byteLength(text, 'utf8');
  const size = Buffer.byteLength(text, 'utf8');
  return size > limit ? size : undefined;
}
