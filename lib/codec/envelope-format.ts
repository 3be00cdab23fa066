/**
 * The envelope format (`env1`), shared by its encoder and decoder: JSON text
 * in which a value JSON cannot represent is an object tagged by its `"~"`
 * property:
 *
 * | tag | value                                   | fields                              |
 * |-----|-----------------------------------------|-------------------------------------|
 * | `u` | `undefined`                             |                                     |
 * | `h` | a hole in an array                      |                                     |
 * | `n` | `NaN`, `±Infinity`, `-0`                | `v`: `"NaN"`, `"Infinity"`, `"-Infinity"`, `"-0"` |
 * | `b` | a bigint                                | `v`: its decimal digits             |
 * | `D` | a `Date`                                | `v`: epoch milliseconds, `null` if invalid |
 * | `M` | a `Map`                                 | `v`: `[[key, value], ...]`          |
 * | `S` | a `Set`                                 | `v`: `[member, ...]`                |
 * | `T` | a typed array, `Buffer` or `DataView`   | `c`: class name, `v`: base64 bytes  |
 * | `A` | an `ArrayBuffer`                        | `v`: base64 bytes                   |
 * | `R` | a `RegExp`                              | `s`: source, `f`: flags             |
 * | `o` | a plain object with its own `"~"` key   | `v`: its properties                 |
 * | `0` | a null-prototype object                 | `v`: its properties                 |
 * | `C` | an instance of a registered class       | `c`: class name, `v`: its properties |
 *
 * Strings, finite numbers, booleans, `null`, arrays and other plain objects
 * are plain JSON.
 *
 * @internal
 */

/** Deeper nesting is a `TypeError` when writing and a corrupt entry when reading, never a stack overflow. */
export const MAX_DEPTH = 512;

/** The property that marks an encoded special value: `{"~": tag, ...}`. */
export const TAG = '~';

/**
 * A class whose instances {@link EnvelopeSerializer} may store (tag `C`), given
 * in its `classes` option. Any class constructor fits, abstract ones included.
 *
 * @example
 * ```ts
 * class Money { constructor(readonly cents: number) {} }
 * const allowed: SerializableClass = Money;
 * ```
 */
export type SerializableClass = abstract new (...args: never[]) => object;

/** A typed array class: built from an `ArrayBuffer`, whose length must be a multiple of its element size. */
export interface TypedArrayClass {
  readonly BYTES_PER_ELEMENT: number;
  new (buffer: ArrayBuffer): object;
}

/** The typed arrays the envelope stores (tag `T`), by class name. */
export const TYPED_ARRAYS: ReadonlyMap<string, TypedArrayClass> = new Map<string, TypedArrayClass>([
  ['Int8Array', Int8Array],
  ['Uint8Array', Uint8Array],
  ['Uint8ClampedArray', Uint8ClampedArray],
  ['Int16Array', Int16Array],
  ['Uint16Array', Uint16Array],
  ['Int32Array', Int32Array],
  ['Uint32Array', Uint32Array],
  ['Float32Array', Float32Array],
  ['Float64Array', Float64Array],
  ['BigInt64Array', BigInt64Array],
  ['BigUint64Array', BigUint64Array],
]);
