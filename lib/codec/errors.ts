import { MemokitError, MemokitTypeError, type MemokitErrorOptions } from '../util/errors.js';

/**
 * A value (or a part of one) that the serializer cannot represent: a function,
 * a symbol, a circular structure, an instance of an unregistered class. Stores
 * reject the write with it; a decorated method then returns its result uncached.
 *
 * It is a `TypeError` (the {@link Serializer} contract and the store docs
 * promise one, and custom serializers throw plain `TypeError`s) and a
 * memokit error: `error instanceof MemokitError` holds, `code` is
 * `'E_UNSERIALIZABLE'`.
 *
 * @example
 * ```ts
 * try {
 *   defaultSerializer.serialize({ onClick: () => {} });
 * } catch (error) {
 *   if (error instanceof UnserializableValueError) console.log(error.path); // "value.onClick"
 * }
 * ```
 */
export class UnserializableValueError extends MemokitTypeError {
  /** The code of every `UnserializableValueError`. */
  static readonly code = 'E_UNSERIALIZABLE';
  /** Always `'E_UNSERIALIZABLE'`. */
  declare readonly code: typeof UnserializableValueError.code;
  /** Where in the value the problem is, e.g. `value.items[3].cb` (`value` for the root). */
  readonly path: string;
  /** What was found there, e.g. `a function`. */
  readonly what: string;

  constructor(message: string, path: string, what: string, options?: MemokitErrorOptions) {
    super(UnserializableValueError.code, message, options);
    this.name = 'UnserializableValueError';
    this.path = path;
    this.what = what;
  }
}

/**
 * Stored text that cannot be decoded: written by another program, another
 * serializer, or damaged. Stores read such an entry as a miss and delete it.
 *
 * @example
 * ```ts
 * store.on('error', (error) => {
 *   if (error.cause instanceof CorruptEntryError) console.warn('dropped a corrupt cache entry');
 * });
 * ```
 */
export class CorruptEntryError extends MemokitError {
  /** The code of every `CorruptEntryError`. */
  static readonly code = 'E_CORRUPT_ENTRY';
  declare readonly code: typeof CorruptEntryError.code;

  constructor(message: string, options?: MemokitErrorOptions) {
    super(CorruptEntryError.code, message, options);
    this.name = 'CorruptEntryError';
  }
}
