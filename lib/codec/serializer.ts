import { messages } from '../util/messages.js';

/**
 * Turns cached values into text for stores that keep bytes (Redis) and back.
 * Implement it to store another format (JSON for interop with other languages,
 * a schema-based codec); the default is {@link EnvelopeSerializer}.
 *
 * `deserialize` may throw for text it does not understand: the store treats
 * the entry as corrupt, reads it as a miss and deletes it.
 *
 * @example
 * ```ts
 * const json: Serializer = {
 *   format: 'json',
 *   serialize: (value) => JSON.stringify(value),
 *   deserialize: (text) => JSON.parse(text),
 * };
 * const store = new RedisStore({ url: 'redis://127.0.0.1:6379', serializer: json });
 * ```
 */
export interface Serializer {
  /**
   * Names the format in every stored entry (letters, digits, `.`, `+`, `_`,
   * `-`; at most 40 characters). An entry written in another format reads as a miss,
   * so changing the serializer (or its version) never decodes foreign data.
   */
  readonly format: string;
  /** The text for `value`; throws a `TypeError` for a value it cannot represent. */
  serialize(value: unknown): string;
  /** The value for `text`; throws for text it does not understand. */
  deserialize(text: string): unknown;
}

const FORMAT_PATTERN = /^[A-Za-z0-9.+_-]{1,40}$/;

/**
 * Checks that `serializer` is usable by a store; throws a `TypeError` naming
 * `where` and the option `serializer` otherwise.
 *
 * @example
 * ```ts
 * assertSerializer(options.serializer ?? defaultSerializer, 'new RedisStore()');
 * ```
 * @internal
 */
export function assertSerializer(serializer: unknown, where: string): asserts serializer is Serializer {
  const candidate = serializer as Partial<Serializer> | null;
  if (
    typeof candidate !== 'object' ||
    candidate === null ||
    typeof candidate.serialize !== 'function' ||
    typeof candidate.deserialize !== 'function' ||
    typeof candidate.format !== 'string' ||
    !FORMAT_PATTERN.test(candidate.format)
  ) {
    throw new TypeError(messages.BAD_SERIALIZER(where, serializer));
  }
}
