import { types } from 'node:util';
import { MemokitError } from '../util/errors.js';
import type { StoreKey } from '../keys/keys.js';
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

/**
 * A value (or a part of one) that the serializer cannot represent: a function,
 * a symbol, a circular structure, an instance of an unregistered class. Stores
 * reject the write with it; a decorated method then returns its result uncached.
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
export class UnserializableValueError extends TypeError {
  /** Always `'E_UNSERIALIZABLE'`. */
  readonly code = 'E_UNSERIALIZABLE';
  /** Where in the value the problem is, e.g. `value.items[3].cb` (`value` for the root). */
  readonly path: string;
  /** What was found there, e.g. `a function`. */
  readonly what: string;

  constructor(message: string, path: string, what: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UnserializableValueError';
    this.path = path;
    this.what = what;
  }
}

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
  declare readonly code: 'E_VALUE_TOO_LARGE';
  /** The key of the value that was not stored, as the store received it. */
  readonly key: StoreKey;
  /** Bytes the entry would have taken (UTF-8). */
  readonly size: number;
  /** The store's `maxValueSize`, in bytes. */
  readonly limit: number;

  constructor(message: string, key: StoreKey, size: number, limit: number, options?: { cause?: unknown }) {
    super('E_VALUE_TOO_LARGE', message, options);
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
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_CORRUPT_ENTRY', message, options);
    this.name = 'CorruptEntryError';
  }
}

/**
 * A class whose instances {@link EnvelopeSerializer} may store, given in its
 * `classes` option. Any class constructor fits, abstract ones included.
 *
 * @example
 * ```ts
 * class Money { constructor(readonly cents: number) {} }
 * const allowed: SerializableClass = Money;
 * ```
 */
export type SerializableClass = abstract new (...args: never[]) => object;

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

/** Deeper nesting is a `TypeError` when writing and a corrupt entry when reading, never a stack overflow. */
const MAX_DEPTH = 512;

/** The property that marks an encoded special value: `{"~": tag, ...}`. */
const TAG = '~';

const TYPED_ARRAYS: ReadonlyMap<string, { readonly BYTES_PER_ELEMENT: number; new (buffer: ArrayBuffer): object }> =
  new Map<string, { readonly BYTES_PER_ELEMENT: number; new (buffer: ArrayBuffer): object }>([
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

const FORMAT_PATTERN = /^[A-Za-z0-9.+_-]{1,40}$/;
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

const constructorName = (value: object): string | undefined => {
  const ctor = (value as { constructor?: unknown }).constructor;
  const name = typeof ctor === 'function' ? (ctor as { name?: unknown }).name : undefined;
  return typeof name === 'string' && name !== '' ? name : undefined;
};

/** `Object.prototype` of this or any other realm (vm contexts, jest environments). */
const isObjectPrototype = (proto: object): boolean =>
  proto === Object.prototype ||
  (Object.getPrototypeOf(proto) === null &&
    Object.prototype.hasOwnProperty.call(proto, 'hasOwnProperty') &&
    constructorName(proto) === 'Object');

/** `value` is an instance of the built-in `name` itself, not of a subclass (any realm). */
const isExactly = (value: object, name: string): boolean => {
  const proto = Object.getPrototypeOf(value) as object | null;
  return proto !== null && constructorName(proto) === name && isObjectPrototype(Object.getPrototypeOf(proto) as object);
};

const describeFunction = (value: Function): string => (value.name ? `a function (${value.name})` : 'a function');

/** A property on a decoded object; `__proto__` becomes an own property, never the prototype. */
function defineProp(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  } else {
    target[key] = value;
  }
}

class Encoder {
  readonly #classes: ReadonlyMap<object, string>;
  /** Objects on the current path, for cycle detection. */
  readonly #ancestors = new Set<object>();
  /** The same objects in order, to name the target of a cycle. */
  readonly #stack: object[] = [];
  /** Path segments (`.name`, `[3]`, `<map key 0>`), for error messages. */
  readonly #path: string[] = [];

  constructor(classes: ReadonlyMap<object, string>) {
    this.#classes = classes;
  }

  encode(value: unknown): string {
    switch (typeof value) {
      case 'string':
        return JSON.stringify(value);
      case 'number':
        if (Number.isFinite(value)) return Object.is(value, -0) ? '{"~":"n","v":"-0"}' : String(value);
        return `{"~":"n","v":"${value}"}`;
      case 'boolean':
        return value ? 'true' : 'false';
      case 'undefined':
        return '{"~":"u"}';
      case 'bigint':
        return `{"~":"b","v":"${value}"}`;
      case 'function':
        throw this.#fail(describeFunction(value));
      case 'symbol':
        throw this.#fail('a symbol');
      default:
        return value === null ? 'null' : this.#object(value as object);
    }
  }

  #fail(what: string, detail?: string): UnserializableValueError {
    const path = `value${this.#path.join('')}`;
    return new UnserializableValueError(messages.UNSERIALIZABLE_VALUE(what, path, detail), path, what);
  }

  #child(segment: string, value: unknown): string {
    this.#path.push(segment);
    const out = this.encode(value);
    this.#path.pop();
    return out;
  }

  #object(value: object): string {
    if (this.#ancestors.has(value)) {
      const depth = this.#stack.indexOf(value);
      const target = `value${this.#path.slice(0, depth).join('')}`;
      throw this.#fail('a circular reference', messages.CIRCULAR_VALUE_DETAIL(target));
    }
    if (this.#stack.length >= MAX_DEPTH) throw this.#fail(`a structure nested deeper than ${MAX_DEPTH} levels`);
    this.#ancestors.add(value);
    this.#stack.push(value);
    try {
      return this.#container(value);
    } finally {
      this.#ancestors.delete(value);
      this.#stack.pop();
    }
  }

  #container(value: object): string {
    if (Array.isArray(value)) return this.#array(value);
    const proto = Object.getPrototypeOf(value) as object | null;
    if (proto === null) return `{"~":"0","v":${this.#props(value)}}`;
    if (isObjectPrototype(proto)) {
      const props = this.#props(value);
      return Object.prototype.hasOwnProperty.call(value, TAG) ? `{"~":"o","v":${props}}` : props;
    }
    if (types.isDate(value) && isExactly(value, 'Date')) {
      const time = (value as Date).getTime();
      return `{"~":"D","v":${Number.isNaN(time) ? 'null' : time}}`;
    }
    if (types.isMap(value) && isExactly(value, 'Map')) {
      let out = '{"~":"M","v":[';
      let i = 0;
      for (const [k, v] of value as Map<unknown, unknown>) {
        out += `${i === 0 ? '' : ','}[${this.#child(`<map key ${i}>`, k)},${this.#child(`<map value ${i}>`, v)}]`;
        i++;
      }
      return `${out}]}`;
    }
    if (types.isSet(value) && isExactly(value, 'Set')) {
      let out = '{"~":"S","v":[';
      let i = 0;
      for (const member of value as Set<unknown>) {
        out += (i === 0 ? '' : ',') + this.#child(`<set member ${i}>`, member);
        i++;
      }
      return `${out}]}`;
    }
    if (ArrayBuffer.isView(value)) return this.#view(value);
    if (types.isArrayBuffer(value) && isExactly(value, 'ArrayBuffer')) {
      return `{"~":"A","v":"${Buffer.from(value as ArrayBuffer).toString('base64')}"}`;
    }
    if (types.isRegExp(value) && isExactly(value, 'RegExp')) {
      const re = value as RegExp;
      return `{"~":"R","s":${JSON.stringify(re.source)},"f":"${re.flags}"}`;
    }
    const registered = this.#classes.get(proto);
    if (registered !== undefined) return `{"~":"C","c":${JSON.stringify(registered)},"v":${this.#props(value)}}`;
    throw this.#unsupported(value);
  }

  #unsupported(value: object): UnserializableValueError {
    if (types.isPromise(value)) return this.#fail('a Promise', messages.UNSERIALIZABLE_PROMISE_DETAIL());
    const name = constructorName(value) ?? 'an anonymous class';
    if (types.isBoxedPrimitive(value)) return this.#fail(`a boxed primitive (${name})`);
    if (types.isWeakMap(value) || types.isWeakSet(value) || types.isSharedArrayBuffer(value)) {
      return this.#fail(`a ${name}`);
    }
    return this.#fail(`an instance of class ${name}`, messages.UNSERIALIZABLE_CLASS_DETAIL(name));
  }

  #view(value: ArrayBufferView): string {
    const name = constructorName(value) ?? '';
    const known = name === 'Buffer' || name === 'DataView' || TYPED_ARRAYS.has(name);
    if (!known) throw this.#fail(`an instance of class ${name}`, messages.UNSERIALIZABLE_CLASS_DETAIL(name));
    const bytes = Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
    return `{"~":"T","c":"${name}","v":"${bytes}"}`;
  }

  #array(value: readonly unknown[]): string {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      out += i in value ? this.#child(`[${i}]`, value[i]) : '{"~":"h"}';
    }
    return `${out}]`;
  }

  #props(value: object): string {
    for (const symbol of Object.getOwnPropertySymbols(value)) {
      if (Object.prototype.propertyIsEnumerable.call(value, symbol)) {
        throw this.#fail(`a symbol-keyed property (${symbol.toString()})`);
      }
    }
    const record = value as Record<string, unknown>;
    let out = '{';
    let first = true;
    for (const key of Object.keys(value)) {
      out += `${first ? '' : ','}${JSON.stringify(key)}:${this.#child(IDENTIFIER.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`, record[key])}`;
      first = false;
    }
    return `${out}}`;
  }
}

const corrupt = (why: string): CorruptEntryError => new CorruptEntryError(messages.CORRUPT_ENTRY(why));

class Decoder {
  readonly #classes: ReadonlyMap<string, SerializableClass>;

  constructor(classes: ReadonlyMap<string, SerializableClass>) {
    this.#classes = classes;
  }

  /** Decodes a parsed JSON node in place where it can (arrays, plain objects). */
  value(node: unknown, depth: number): unknown {
    if (typeof node !== 'object' || node === null) return node;
    if (depth > MAX_DEPTH) throw corrupt(`nested deeper than ${MAX_DEPTH} levels`);
    if (Array.isArray(node)) {
      const array = node as unknown[];
      for (let i = 0; i < array.length; i++) {
        const item = array[i];
        if (typeof item !== 'object' || item === null) continue;
        if (isHole(item)) delete array[i];
        else array[i] = this.value(item, depth + 1);
      }
      return array;
    }
    const record = node as Record<string, unknown>;
    if (Object.prototype.hasOwnProperty.call(record, TAG)) return this.#special(record, depth);
    this.#propsInPlace(record, depth);
    return record;
  }

  #propsInPlace(record: Record<string, unknown>, depth: number): void {
    for (const key of Object.keys(record)) {
      const item = record[key];
      if (typeof item === 'object' && item !== null) defineProp(record, key, this.value(item, depth + 1));
    }
  }

  /** Copies decoded properties of the JSON object `source` onto `target`. */
  #propsOnto<T extends object>(target: T, source: unknown, depth: number): T {
    if (typeof source !== 'object' || source === null || Array.isArray(source)) throw corrupt('malformed object');
    const from = source as Record<string, unknown>;
    for (const key of Object.keys(from)) {
      // Own data properties: never a prototype setter, never the prototype itself (`__proto__`).
      Object.defineProperty(target, key, {
        value: this.value(from[key], depth + 1),
        writable: true,
        enumerable: true,
        configurable: true,
      });
    }
    return target;
  }

  #special(node: Record<string, unknown>, depth: number): unknown {
    const v = node.v;
    switch (node[TAG]) {
      case 'u':
        return undefined;
      case 'n':
        if (v === 'NaN') return Number.NaN;
        if (v === 'Infinity') return Number.POSITIVE_INFINITY;
        if (v === '-Infinity') return Number.NEGATIVE_INFINITY;
        if (v === '-0') return -0;
        throw corrupt('malformed number');
      case 'b':
        if (typeof v === 'string' && /^-?\d+$/.test(v)) return BigInt(v);
        throw corrupt('malformed bigint');
      case 'D':
        if (v === null) return new Date(Number.NaN);
        if (typeof v === 'number') return new Date(v);
        throw corrupt('malformed date');
      case 'M': {
        const map = new Map<unknown, unknown>();
        for (const pair of this.#list(v)) {
          if (!Array.isArray(pair) || pair.length !== 2) throw corrupt('malformed map entry');
          map.set(this.value(pair[0], depth + 1), this.value(pair[1], depth + 1));
        }
        return map;
      }
      case 'S': {
        const set = new Set<unknown>();
        for (const member of this.#list(v)) set.add(this.value(member, depth + 1));
        return set;
      }
      case 'T':
        return this.#view(node.c, v);
      case 'A':
        if (typeof v !== 'string') throw corrupt('malformed ArrayBuffer');
        return copyBytes(Buffer.from(v, 'base64'));
      case 'R':
        if (typeof node.s !== 'string' || typeof node.f !== 'string') throw corrupt('malformed RegExp');
        return new RegExp(node.s, node.f);
      case 'o':
        return this.#propsOnto({}, v, depth);
      case '0':
        return this.#propsOnto(Object.create(null) as object, v, depth);
      case 'C': {
        const cls = typeof node.c === 'string' ? this.#classes.get(node.c) : undefined;
        if (cls === undefined) throw corrupt(`unknown class ${JSON.stringify(node.c)}`);
        return this.#propsOnto(Object.create(cls.prototype as object) as object, v, depth);
      }
      default:
        throw corrupt(`unknown tag ${JSON.stringify(node[TAG])}`);
    }
  }

  #list(v: unknown): unknown[] {
    if (!Array.isArray(v)) throw corrupt('malformed collection');
    return v;
  }

  #view(name: unknown, v: unknown): object {
    if (typeof name !== 'string' || typeof v !== 'string') throw corrupt('malformed typed array');
    const buffer = copyBytes(Buffer.from(v, 'base64'));
    if (name === 'Buffer') return Buffer.from(buffer);
    if (name === 'DataView') return new DataView(buffer);
    const ctor = TYPED_ARRAYS.get(name);
    if (ctor === undefined) throw corrupt(`unknown typed array ${JSON.stringify(name)}`);
    if (buffer.byteLength % ctor.BYTES_PER_ELEMENT !== 0) throw corrupt(`malformed ${name}`);
    return new ctor(buffer);
  }
}

const isHole = (item: object): boolean =>
  !Array.isArray(item) &&
  (item as Record<string, unknown>)[TAG] === 'h' &&
  Object.prototype.hasOwnProperty.call(item, TAG);

/** A fresh ArrayBuffer holding `bytes` (never a slice of Node's shared pool). */
function copyBytes(bytes: Buffer): ArrayBuffer {
  const buffer = new ArrayBuffer(bytes.byteLength);
  new Uint8Array(buffer).set(bytes);
  return buffer;
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
  readonly #decoder: Decoder;

  constructor(options: EnvelopeSerializerOptions = {}) {
    const where = 'new EnvelopeSerializer()';
    if (typeof options !== 'object' || options === null)
      throw new TypeError(messages.BAD_OPTIONS_OBJECT(where, options));
    for (const key of Object.keys(options)) {
      if (key !== 'classes') throw new TypeError(messages.UNKNOWN_OPTION(where, key, ['classes']));
    }
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
    this.#decoder = new Decoder(decoding);
    this.format = decoding.size === 0 ? 'env1' : `env1+${classDigest([...decoding.keys()].sort())}`;
  }

  /**
   * @throws UnserializableValueError (a `TypeError`) naming what cannot be
   *   stored and where it is in the value
   */
  serialize(value: unknown): string {
    return new Encoder(this.#encoding).encode(value);
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

/**
 * Checks that `serializer` is usable by a store; throws a `TypeError` naming
 * `where` otherwise.
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
