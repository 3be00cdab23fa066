/**
 * The canonical encoding of values into key text: type-tagged (`1` and `"1"`
 * differ), self-delimiting (no two argument lists concatenate alike), object
 * keys and Map/Set members sorted, so equal arguments give equal text. How the
 * text becomes a key (the single-value shortcut, the digest of long keys, the
 * error messages) is `keys.ts`'s part.
 *
 * @internal
 */

/** Nesting deeper than this in one argument is a `TypeError`, never a stack overflow. */
const MAX_DEPTH = 200;

/**
 * Why a value cannot be part of a key: a kind of value keys never hold (`what`
 * names it), a circular structure, or an opaque class instance (`what` is its
 * class name): one with no own enumerable properties and no `toJSON`, whose
 * instances would all get the same key.
 */
export type Unencodable = 'unencodable' | 'circular' | 'opaque';

/**
 * A value that cannot be part of a key, thrown while encoding; its path is
 * built as it unwinds. It never leaves the keys layer: `keys.ts` turns it into
 * a `TypeError` naming the method, the argument and the path.
 */
export class UnencodableError extends Error {
  /** Path from the argument to the failing value, filled in while the error unwinds (outermost first). */
  readonly segments: (string | number)[] = [];
  constructor(
    readonly what: string,
    readonly kind: Unencodable = 'unencodable',
  ) {
    super(what);
  }

  get path(): string {
    return pathOf(this.segments);
  }
}

const pathOf = (segments: readonly (string | number)[]): string =>
  segments.map((s) => (typeof s === 'number' ? `[${s}]` : `.${s}`)).join('');

/** Prepends `segment` to the path of an encoding error passing through; other errors pass unchanged. */
const under = (error: unknown, segment: string | number): unknown => {
  if (error instanceof UnencodableError) error.segments.unshift(segment);
  return error;
};

const str = (s: string): string => `s${s.length}:${s}`;

/**
 * Encoded property names (`str(name)`), memoized: names repeat across calls,
 * so most lookups hit. Bounded: cleared when it reaches the limit.
 */
const propNames = new Map<string, string>();
const PROP_NAMES_MAX = 10_000;

const propName = (name: string): string => {
  let encoded = propNames.get(name);
  if (encoded === undefined) {
    if (propNames.size >= PROP_NAMES_MAX) propNames.clear();
    encoded = str(name);
    propNames.set(name, encoded);
  }
  return encoded;
};

/**
 * Sorts property names in place, in the order of `Array.prototype.sort()`
 * (UTF-16 code units; names are distinct): an insertion sort for the usual
 * few names, which does nothing when they are already sorted.
 */
function sortNames(names: string[]): void {
  const n = names.length;
  if (n > 16) {
    names.sort();
    return;
  }
  for (let i = 1; i < n; i++) {
    const name = names[i]!;
    let j = i - 1;
    if (names[j]! < name) continue;
    while (j >= 0 && names[j]! > name) {
      names[j + 1] = names[j]!;
      j--;
    }
    names[j + 1] = name;
  }
}

const isPlainObject = (value: object): boolean => {
  const proto = Object.getPrototypeOf(value) as object | null;
  return proto === null || proto === Object.prototype;
};

/** A plain object of another realm (a vm context): its prototype is that realm's `Object.prototype`. */
const isForeignPlainObject = (value: object): boolean => {
  const proto = Object.getPrototypeOf(value) as { constructor?: unknown } | null;
  return (
    proto !== null &&
    Object.getPrototypeOf(proto) === null &&
    typeof proto.constructor === 'function' &&
    proto.constructor.name === 'Object'
  );
};

const UNENCODABLE_OBJECTS: readonly [Function, string][] = [
  [Promise, 'Promise'],
  [WeakMap, 'WeakMap'],
  [WeakSet, 'WeakSet'],
  [WeakRef, 'WeakRef'],
];

/**
 * Encodes values canonically: type-tagged, self-delimiting, object keys
 * sorted, Map/Set members sorted by their encoding, dates/bigints/typed arrays
 * by value. Objects whose properties are all `undefined` encode like `{}`.
 *
 * One short-lived instance per key: its state stays in the young generation
 * (a long-lived, reused encoder would pay a write barrier for every value it
 * records). The path of an encoding error is built only when one is thrown.
 */
export class CanonicalEncoder {
  readonly #ancestors: object[] = [];

  encode(value: unknown): string {
    switch (typeof value) {
      case 'string':
        return str(value);
      case 'number':
        return `n${value === 0 ? 0 : value};`;
      case 'bigint':
        return `b${value};`;
      case 'boolean':
        return value ? 'T' : 'F';
      case 'undefined':
        return 'U';
      case 'function':
        throw new UnencodableError('function');
      case 'symbol':
        throw new UnencodableError('symbol');
      default:
        return value === null ? 'N' : this.#encodeObject(value as object);
    }
  }

  #encodeObject(value: object): string {
    // Arrays and plain objects first: the outcome of the general order below, sooner.
    // (On an error the encoder is dropped: nothing to pop.)
    const ancestors = this.#ancestors;
    let out: string;
    if (Array.isArray(value)) {
      this.#enter(value);
      out = this.#encodeArray(value as unknown[]);
    } else if (isPlainObject(value) && !ArrayBuffer.isView(value)) {
      this.#enter(value);
      out = `{${this.#encodeProps(value, Object.keys(value))}}`;
    } else if (value instanceof Date) {
      return `d${value.getTime()};`;
    } else {
      this.#enter(value);
      out = this.#encodeContainer(value);
    }
    ancestors.pop();
    return out;
  }

  #enter(value: object): void {
    const ancestors = this.#ancestors;
    if (ancestors.length !== 0) {
      if (ancestors.includes(value)) throw new UnencodableError('circular structure', 'circular');
      if (ancestors.length >= MAX_DEPTH) throw new UnencodableError(`structure nested deeper than ${MAX_DEPTH} levels`);
    }
    ancestors.push(value);
  }

  #encodeArray(value: readonly unknown[]): string {
    let out = '[';
    let i = 0;
    try {
      for (; i < value.length; i++) out += this.encode(value[i]);
    } catch (error) {
      throw under(error, i);
    }
    return `${out}]`;
  }

  #encodeContainer(value: object): string {
    if (value instanceof Map) {
      const entries: string[] = [];
      let i = 0;
      let segment = 'key';
      try {
        for (const [k, v] of value) {
          segment = 'key';
          const encodedKey = this.encode(k);
          segment = 'value';
          entries.push(encodedKey + this.encode(v));
          i++;
        }
      } catch (error) {
        throw under(error, `<${segment} ${i}>`);
      }
      return `M{${entries.sort().join('')}}`;
    }
    if (value instanceof Set) {
      const members: string[] = [];
      let i = 0;
      try {
        for (const v of value) {
          members.push(this.encode(v));
          i++;
        }
      } catch (error) {
        throw under(error, `<member ${i}>`);
      }
      return `S{${members.sort().join('')}}`;
    }
    if (ArrayBuffer.isView(value)) {
      const bytes = Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
      return `t${str(value.constructor.name)}${str(bytes)}`;
    }
    if (value instanceof ArrayBuffer) return `A${str(Buffer.from(value).toString('base64'))}`;
    if (value instanceof RegExp) return `r${str(String(value))}`;
    // Boxed primitives have no own enumerable properties: encode their primitive value.
    if (value instanceof Number || value instanceof Boolean || value instanceof String || value instanceof BigInt) {
      return `v${this.#child('valueOf()', value.valueOf())}`;
    }
    for (const [ctor, name] of UNENCODABLE_OBJECTS) if (value instanceof ctor) throw new UnencodableError(name);
    const name = (value.constructor as { name?: unknown } | undefined)?.name;
    const tag = str(typeof name === 'string' ? name : '');
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') return `j${tag}${this.#child('toJSON()', toJSON.call(value))}`;
    const names = Object.keys(value);
    // No own enumerable state (e.g. all in #private fields): every instance would get this one key.
    if (names.length === 0 && !isForeignPlainObject(value)) {
      throw new UnencodableError(typeof name === 'string' && name !== '' ? name : '<anonymous class>', 'opaque');
    }
    return `o${tag}{${this.#encodeProps(value, names)}}`;
  }

  #child(segment: string, value: unknown): string {
    try {
      return this.encode(value);
    } catch (error) {
      throw under(error, segment);
    }
  }

  /** `names`: the value's own enumerable property names (sorted here, in place). */
  #encodeProps(value: object, names: string[]): string {
    const record = value as Record<string, unknown>;
    sortNames(names);
    let out = '';
    let name = '';
    try {
      for (let i = 0; i < names.length; i++) {
        name = names[i]!;
        const v = record[name];
        if (v !== undefined) out += propName(name) + this.encode(v);
      }
    } catch (error) {
      // Only encoding a property's value throws these (a throwing getter's error passes unchanged).
      throw under(error, name);
    }
    return out;
  }
}
