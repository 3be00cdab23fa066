import { types } from 'node:util';
import { messages } from '../util/messages.js';
import { MAX_DEPTH, TAG, TYPED_ARRAYS } from './envelope-format.js';
import { UnserializableValueError } from './errors.js';

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

/**
 * Writes one value in the envelope format (see `envelope-format.ts`); throws an
 * {@link UnserializableValueError} naming what cannot be stored and where.
 * One instance per value: it tracks the path being written.
 *
 * @internal
 */
export class EnvelopeEncoder {
  readonly #classes: ReadonlyMap<object, string>;
  /** Objects on the current path, for cycle detection. */
  readonly #ancestors = new Set<object>();
  /** The same objects in order, to name the target of a cycle. */
  readonly #stack: object[] = [];
  /** Path segments (`.name`, `[3]`, `<map key 0>`), for error messages. */
  readonly #path: string[] = [];

  /** `classes`: the name stored for the instances of each registered class, by its prototype. */
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
