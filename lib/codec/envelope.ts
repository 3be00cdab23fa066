import { messages } from '../util/messages.js';
import { assertKnownOptions } from '../util/options.js';
import { EnvelopeDecoder } from './envelope-decoder.js';
import { EnvelopeEncoder } from './envelope-encoder.js';
import { MAX_DEPTH, type SerializableClass } from './envelope-format.js';
import { CorruptEntryError } from './errors.js';
import type { Serializer } from './serializer.js';

export type { SerializableClass } from './envelope-format.js';

/**
 * Options of an {@link EnvelopeSerializer}.
 *
 * @example
 * ```ts
 * const serializer = new EnvelopeSerializer({ classes: [User, Order] });
 * ```
 */
export interface EnvelopeSerializerOptions {
  /**
   * Classes whose instances may be stored. An instance is written as its own
   * enumerable properties and read back with the class's prototype (its
   * methods work; the constructor is not called, so `#private` fields and
   * constructor side effects are not restored). Subclasses must be listed
   * themselves. Class names must be unique: the name is what is stored.
   *
   * Instances of other classes are a `TypeError`, because they would come back
   * as plain objects without their methods.
   *
   * @default [] (no classes: plain data only)
   */
  readonly classes?: readonly SerializableClass[];
}

/**
 * The default, lossless serializer: JSON text in which values JSON cannot
 * represent are tagged objects (`{"~":"D","v":0}` for a Date). These
 * round-trip exactly:
 *
 * - strings (lone surrogates included), booleans, `null`, `undefined`
 * - numbers including `NaN`, `Infinity`, `-Infinity` and `-0`; bigints
 * - plain objects (own enumerable string keys; `undefined` properties kept),
 *   null-prototype objects, arrays (holes kept)
 * - `Date` (invalid dates too), `Map`, `Set`, `RegExp` (source and flags),
 *   `ArrayBuffer`, `DataView`, `Buffer` and every typed array
 * - instances of the classes listed in {@link EnvelopeSerializerOptions.classes}
 *
 * A `TypeError` ({@link UnserializableValueError}) naming what and where (e.g.
 * `a function at value.items[3].cb`) is thrown for functions, symbols,
 * symbol-keyed properties, promises, weak collections, boxed primitives,
 * circular structures, nesting deeper than 512 levels, and instances of other
 * classes (including subclasses of built-ins): those would not come back as
 * they went in. Not preserved: shared references (two paths to one object come
 * back as two copies), non-index properties of arrays, non-enumerable
 * properties, accessors (their value is stored), and frozen/sealed state.
 *
 * Decoding builds fresh objects and never assigns through `__proto__`: a
 * `"__proto__"` key becomes an own property, so stored data cannot pollute
 * prototypes, and classes are only revived from the `classes` list.
 *
 * The format is versioned by {@link EnvelopeSerializer.format} (`'env1'`).
 *
 * @example
 * ```ts
 * const serializer = new EnvelopeSerializer();
 * const text = serializer.serialize({ at: new Date(0), ids: new Set([1n]) });
 * serializer.deserialize(text); // { at: Date(0), ids: Set { 1n } }
 * ```
 */
export class EnvelopeSerializer implements Serializer {
  /**
   * The format name written with every entry: `'env1'`, or `'env1+<classes>'`
   * when classes are registered, so serializers that know different classes do
   * not read each other's entries.
   */
  readonly format: string;
  readonly #encoding: ReadonlyMap<object, string>;
  readonly #decoder: EnvelopeDecoder;

  constructor(options: EnvelopeSerializerOptions = {}) {
    const where = 'new EnvelopeSerializer()';
    assertKnownOptions(where, options, ['classes']);
    const classes = options.classes ?? [];
    if (!Array.isArray(classes)) throw new TypeError(messages.BAD_CLASSES_OPTION(where, classes));
    const encoding = new Map<object, string>();
    const decoding = new Map<string, SerializableClass>();
    for (const cls of classes as readonly unknown[]) {
      if (typeof cls !== 'function' || typeof (cls as { prototype?: unknown }).prototype !== 'object') {
        throw new TypeError(messages.BAD_CLASSES_OPTION(where, cls));
      }
      const name = (cls as { name: string }).name;
      const existing = decoding.get(name);
      if (name === '' || (existing !== undefined && existing !== cls)) {
        throw new TypeError(messages.DUPLICATE_SERIALIZABLE_CLASS(where, name));
      }
      decoding.set(name, cls as SerializableClass);
      encoding.set((cls as { prototype: object }).prototype, name);
    }
    this.#encoding = encoding;
    this.#decoder = new EnvelopeDecoder(decoding);
    this.format = decoding.size === 0 ? 'env1' : `env1+${classDigest([...decoding.keys()].sort())}`;
  }

  /**
   * @throws UnserializableValueError (a `TypeError`) naming what cannot be
   *   stored and where it is in the value
   */
  serialize(value: unknown): string {
    return new EnvelopeEncoder(this.#encoding).encode(value);
  }

  /** @throws CorruptEntryError for text this serializer did not write */
  deserialize(text: string): unknown {
    let tree: unknown;
    try {
      tree = JSON.parse(text);
    } catch (error) {
      throw new CorruptEntryError(messages.CORRUPT_ENTRY('not JSON'), { cause: error });
    }
    // Short text (too short to nest deeper than the limit) without a tagged node (`"~":`, nor an
    // escaped `~`): the parsed tree is the value as it is, no walk needed.
    if (text.length <= 2 * MAX_DEPTH && !text.includes('"~"') && !text.includes('\\u007')) return tree;
    try {
      return this.#decoder.value(tree, 0);
    } catch (error) {
      if (error instanceof CorruptEntryError) throw error;
      throw new CorruptEntryError(messages.CORRUPT_ENTRY(error instanceof Error ? error.message : String(error)), {
        cause: error,
      });
    }
  }
}

/** A short, format-safe digest of the registered class names (FNV-1a, base 36). */
function classDigest(names: readonly string[]): string {
  let hash = 0x811c9dc5;
  for (const ch of names.join(',')) {
    hash ^= ch.codePointAt(0) ?? 0;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(36);
}

/**
 * The serializer stores use when none is given: an {@link EnvelopeSerializer}
 * without registered classes.
 *
 * @default new EnvelopeSerializer()
 * @example
 * ```ts
 * const text = defaultSerializer.serialize(new Map([[1, 'a']]));
 * ```
 */
export const defaultSerializer: Serializer = new EnvelopeSerializer();
