import { messages } from '../util/messages.js';
import { MAX_DEPTH, TAG, TYPED_ARRAYS, type SerializableClass } from './envelope-format.js';
import { CorruptEntryError } from './errors.js';

const corrupt = (why: string): CorruptEntryError => new CorruptEntryError(messages.CORRUPT_ENTRY(why));

/** A property on a decoded object; `__proto__` becomes an own property, never the prototype. */
function defineProp(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  } else {
    target[key] = value;
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
 * Turns parsed envelope JSON (see `envelope-format.ts`) back into the value it
 * encodes; throws a {@link CorruptEntryError} for anything the encoder does not
 * write. Untrusted input: it never assigns through `__proto__` and revives
 * only the registered classes. Stateless: one instance per serializer.
 *
 * @internal
 */
export class EnvelopeDecoder {
  readonly #classes: ReadonlyMap<string, SerializableClass>;

  /** `classes`: the registered classes, by the name stored for their instances. */
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
