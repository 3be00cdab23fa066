/**
 * The codec layer: how stores that keep text turn cached values into it and
 * back. A {@link Serializer} is the contract; {@link EnvelopeSerializer} (as
 * {@link defaultSerializer}) is the lossless default; {@link compressed} wraps
 * any serializer with gzip or brotli; a serializing store rejects a value that
 * cannot be stored ({@link UnserializableValueError}) or is too large
 * ({@link ValueTooLargeError}), and reads text it cannot decode
 * ({@link CorruptEntryError}) as a miss.
 *
 * @example
 * ```ts
 * import { compressed, EnvelopeSerializer } from './codec/index.js';
 * const serializer = compressed(new EnvelopeSerializer({ classes: [Money] }), { algorithm: 'brotli' });
 * ```
 * @packageDocumentation
 */
export { compressed, type CompressionOptions } from './compression.js';
export {
  defaultSerializer,
  EnvelopeSerializer,
  type EnvelopeSerializerOptions,
  type SerializableClass,
} from './envelope.js';
export { CorruptEntryError, UnserializableValueError } from './errors.js';
export type { Serializer } from './serializer.js';
export { DEFAULT_MAX_VALUE_SIZE, ValueTooLargeError } from './value-size.js';
