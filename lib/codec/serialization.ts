/**
 * The names this module held before the codec was split by role, kept so
 * existing imports keep working. New code imports the codec's public names
 * from `./index.js`, and the store-facing helpers from their own modules
 * (`assertSerializer` from `./serializer.js`, `oversize` from `./value-size.js`).
 *
 * @internal
 */
export { assertSerializer, type Serializer } from './serializer.js';
export {
  defaultSerializer,
  EnvelopeSerializer,
  type EnvelopeSerializerOptions,
  type SerializableClass,
} from './envelope.js';
export { CorruptEntryError, UnserializableValueError } from './errors.js';
export { DEFAULT_MAX_VALUE_SIZE, oversize, ValueTooLargeError } from './value-size.js';
