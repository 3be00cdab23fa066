import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { defaultSerializer, EnvelopeSerializer } from '../../../lib/codec/envelope.js';
import { CorruptEntryError, UnserializableValueError } from '../../../lib/codec/errors.js';
import type { RedisStore } from '../../../lib/stores/redis/index.js';
import { sameData } from '../../helpers/same-data.js';
import { connectedStore, uniquePrefix } from '../../setup/redis-env.js';

const roundTrip = (value: unknown, serializer = defaultSerializer): unknown =>
  serializer.deserialize(serializer.serialize(value));

/** The UnserializableValueError thrown by `run`; fails the test when nothing or something else is thrown. */
function unserializable(run: () => unknown): UnserializableValueError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(UnserializableValueError);
    expect(error).toBeInstanceOf(TypeError);
    return error as UnserializableValueError;
  }
  throw new Error('expected an UnserializableValueError, but nothing was thrown');
}

const SAMPLES: [string, unknown][] = [
  ['undefined', undefined],
  ['null', null],
  ['true', true],
  ['false', false],
  ['zero', 0],
  ['negative zero', -0],
  ['NaN', Number.NaN],
  ['Infinity', Number.POSITIVE_INFINITY],
  ['-Infinity', Number.NEGATIVE_INFINITY],
  ['max safe', Number.MAX_SAFE_INTEGER],
  ['tiny', 5e-324],
  ['huge', 1.7976931348623157e308],
  ['bigint', 123456789012345678901234567890n],
  ['negative bigint', -42n],
  ['empty string', ''],
  ['unicode', 'héllo 🌍 \u0000 \n "quoted" \\'],
  ['lone surrogates', 'a\uD800b\uDC00c'],
  ['date', new Date(Date.UTC(2024, 1, 29, 12, 0, 0, 123))],
  [
    'map with object keys',
    new Map<unknown, unknown>([
      [{ id: 1 }, 'one'],
      ['k', undefined],
      [2n, new Set([1])],
    ]),
  ],
  ['set', new Set([1, '1', null, undefined, new Date(0)])],
  ['regexp', /a+b?/giu],
  ['Uint8Array', new Uint8Array([0, 1, 255])],
  ['Float64Array', new Float64Array([1.5, -0, Number.NaN, Number.POSITIVE_INFINITY])],
  ['BigInt64Array', new BigInt64Array([-1n, 2n ** 62n])],
  ['Int16Array', new Int16Array([-32768, 32767])],
  ['Buffer', Buffer.from('bytes \u00ff')],
  ['ArrayBuffer', new Uint8Array([9, 8, 7]).buffer],
  ['DataView', new DataView(new Uint8Array([1, 2, 3, 4]).buffer)],
  ['sparse array', [1, , 3]], // eslint-disable-line no-sparse-arrays
  ['array with undefined', [undefined, null, undefined]],
  ['object with undefined property', { a: undefined, b: 1 }],
  ['nested', { user: { name: 'Ada', born: new Date(-4_000_000_000_000), tags: new Set(['x']), score: -0 } }],
  ['object using the tag key', { '~': 'D', v: 1 }],
  ['object with odd keys', { '': 1, 'a.b': 2, '[0]': 3, constructor: 4, toString: 'x', hasOwnProperty: null }],
];

describe('EnvelopeSerializer: lossless round trips', () => {
  it.each(SAMPLES)('%s', (_name, value) => {
    const decoded = roundTrip(value);
    expect(decoded).toStrictEqual(value);
    expect(sameData(decoded, value)).toBe(true);
  });

  it('keeps invalid dates invalid (deep equality cannot tell: NaN !== NaN)', () => {
    const decoded = roundTrip({ at: new Date(Number.NaN) }) as { at: Date };
    expect(decoded.at).toBeInstanceOf(Date);
    expect(Number.isNaN(decoded.at.getTime())).toBe(true);
  });

  it('keeps -0 and NaN exactly, at the root and nested', () => {
    expect(Object.is(roundTrip(-0), -0)).toBe(true);
    expect(Object.is((roundTrip({ v: -0 }) as { v: number }).v, -0)).toBe(true);
    expect(Number.isNaN(roundTrip(Number.NaN))).toBe(true);
  });

  it('keeps array holes apart from undefined elements', () => {
    const decoded = roundTrip([1, , undefined]) as unknown[]; // eslint-disable-line no-sparse-arrays
    expect(decoded).toHaveLength(3);
    expect(1 in decoded).toBe(false);
    expect(2 in decoded).toBe(true);
  });

  it('keeps undefined properties as own properties', () => {
    const decoded = roundTrip({ a: undefined }) as object;
    expect(Object.keys(decoded)).toEqual(['a']);
  });

  it('keeps null-prototype objects without a prototype', () => {
    const value = Object.assign(Object.create(null) as object, { a: 1, '~': 2 });
    const decoded = roundTrip(value) as Record<string, unknown>;
    expect(Object.getPrototypeOf(decoded)).toBeNull();
    expect({ ...decoded }).toEqual({ a: 1, '~': 2 });
  });

  it('copies typed arrays that view part of a larger buffer', () => {
    const whole = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]);
    const part = new Uint16Array(whole.buffer, 2, 2);
    const decoded = roundTrip(part) as Uint16Array;
    expect(decoded).toBeInstanceOf(Uint16Array);
    expect([...decoded]).toEqual([...part]);
    expect(decoded.byteOffset).toBe(0);
    expect(decoded.buffer.byteLength).toBe(4);
  });

  it('round-trips arbitrary data (property test)', () => {
    const arbitrary = fc.anything({
      withBigInt: true,
      withDate: true,
      withMap: true,
      withSet: true,
      withTypedArray: true,
      withSparseArray: true,
      withNullPrototype: true,
      stringUnit: 'binary',
    });
    fc.assert(
      fc.property(arbitrary, (value) => {
        const decoded = roundTrip(value);
        return sameData(decoded, value);
      }),
      { numRuns: 500 },
    );
  });

  it('writes plain JSON for plain data', () => {
    expect(defaultSerializer.serialize({ a: [1, 'x', true, null] })).toBe('{"a":[1,"x",true,null]}');
    expect(defaultSerializer.format).toBe('env1');
  });
});

describe('EnvelopeSerializer: values it refuses, with what and where', () => {
  class User {
    constructor(readonly name: string) {}
    greet(): string {
      return `hi ${this.name}`;
    }
  }

  it('names a function and its path', () => {
    const error = unserializable(() =>
      defaultSerializer.serialize({ items: [{ ok: 1 }, { cb: function onDone() {} }] }),
    );
    expect(error.path).toBe('value.items[1].cb');
    expect(error.what).toMatch(/function/);
    expect(error.message).toContain('value.items[1].cb');
    expect(error.message).toContain('onDone');
    expect(error.code).toBe('E_UNSERIALIZABLE');
  });

  it('names a symbol, a symbol key, a promise, a weak map and a boxed primitive', () => {
    expect(unserializable(() => defaultSerializer.serialize(Symbol('s'))).path).toBe('value');
    expect(unserializable(() => defaultSerializer.serialize({ [Symbol('k')]: 1 })).what).toMatch(/symbol-keyed/);
    expect(unserializable(() => defaultSerializer.serialize({ p: Promise.resolve(1) })).message).toMatch(
      /Promise at value\.p \(await it/,
    );
    expect(unserializable(() => defaultSerializer.serialize([new WeakMap()])).what).toBe('a WeakMap');
    expect(unserializable(() => defaultSerializer.serialize({ n: new Number(1) })).what).toMatch(/boxed primitive/);
  });

  it('names a circular structure and where it points back to', () => {
    const root: Record<string, unknown> = { list: [] };
    const child = { parent: root };
    (root.list as unknown[]).push(child);
    const error = unserializable(() => defaultSerializer.serialize(root));
    expect(error.path).toBe('value.list[0].parent');
    expect(error.message).toMatch(/refers back to value\b/);
  });

  it('serializes shared (non-circular) references as copies', () => {
    const shared = { n: 1 };
    const decoded = roundTrip({ a: shared, b: shared }) as { a: object; b: object };
    expect(decoded.a).toEqual(shared);
    expect(decoded.a).not.toBe(decoded.b);
  });

  it('refuses class instances unless registered, and explains how to register them', () => {
    const error = unserializable(() => defaultSerializer.serialize({ owner: new User('Ada') }));
    expect(error.path).toBe('value.owner');
    expect(error.what).toBe('an instance of class User');
    expect(error.message).toContain('classes: [User]');
    expect(unserializable(() => defaultSerializer.serialize(new (class extends Map {})())).what).toMatch(
      /instance of class/,
    );
    expect(unserializable(() => defaultSerializer.serialize(new Error('x'))).what).toBe('an instance of class Error');
  });

  it('revives registered classes with their prototype, without calling the constructor', () => {
    let constructed = 0;
    class Money {
      constructor(readonly cents: number) {
        constructed++;
      }
      format(): string {
        return `${(this.cents / 100).toFixed(2)} €`;
      }
    }
    const serializer = new EnvelopeSerializer({ classes: [Money, User] });
    expect(serializer.format).toMatch(/^env1\+/);
    const decoded = roundTrip({ price: new Money(1250), buyer: new User('Ada') }, serializer) as {
      price: Money;
      buyer: User;
    };
    expect(constructed).toBe(1);
    expect(decoded.price).toBeInstanceOf(Money);
    expect(decoded.price.format()).toBe('12.50 €');
    expect(decoded.buyer.greet()).toBe('hi Ada');
    // Another class list is another format: stores never decode each other's entries.
    expect(new EnvelopeSerializer({ classes: [Money] }).format).not.toBe(serializer.format);
  });

  it('rejects bad options', () => {
    expect(() => new EnvelopeSerializer({ classes: 'User' } as never)).toThrow(/"classes" must be an array/);
    expect(() => new EnvelopeSerializer({ classes: [() => 1] } as never)).toThrow(TypeError);
    expect(() => new EnvelopeSerializer({ clases: [] } as never)).toThrow(/unknown option "clases"/);
    const A1 = class Same {};
    const A2 = class Same {};
    expect(() => new EnvelopeSerializer({ classes: [A1, A2] })).toThrow(/two different classes named "Same"/);
  });

  it('fails on too deep nesting with a TypeError, not a stack overflow', () => {
    let deep: unknown[] = [];
    const root = deep;
    for (let i = 0; i < 5000; i++) {
      const next: unknown[] = [];
      deep.push(next);
      deep = next;
    }
    expect(unserializable(() => defaultSerializer.serialize(root)).what).toMatch(/nested deeper/);
  });
});

describe('EnvelopeSerializer: decoding untrusted text', () => {
  it('never assigns prototypes from "__proto__" keys', () => {
    const text =
      '{"__proto__":{"polluted":true},"a":{"__proto__":{"polluted":true}},"constructor":{"prototype":{"polluted":true}}}';
    const decoded = defaultSerializer.deserialize(text) as Record<string, unknown>;
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(decoded.a)).toBe(Object.prototype);
    expect(Object.keys(decoded)).toEqual(['__proto__', 'a', 'constructor']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((decoded as { polluted?: unknown }).polluted).toBeUndefined();
  });

  it('round-trips "__proto__" keys as own data', () => {
    const value = JSON.parse('{"__proto__":{"x":1},"m":{"~":"tagged"}}') as object;
    const decoded = roundTrip(value) as object;
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(decoded, '__proto__')?.value).toEqual({ x: 1 });
    expect(sameData(decoded, value)).toBe(true);
  });

  it('does not revive classes or constructors it was not given', () => {
    expect(() => defaultSerializer.deserialize('{"~":"C","c":"Object","v":{}}')).toThrow(CorruptEntryError);
    expect(() => defaultSerializer.deserialize('{"~":"T","c":"Function","v":""}')).toThrow(CorruptEntryError);
    expect(() => defaultSerializer.deserialize('{"~":"T","c":"constructor","v":""}')).toThrow(CorruptEntryError);
  });

  it.each([
    ['not JSON', '{"a":'],
    ['unknown tag', '{"~":"?"}'],
    ['bad number', '{"~":"n","v":"1"}'],
    ['bad bigint', '{"~":"b","v":"12x"}'],
    ['bad date', '{"~":"D","v":"yesterday"}'],
    ['bad map', '{"~":"M","v":[[1]]}'],
    ['bad set', '{"~":"S","v":{}}'],
    ['bad typed array length', '{"~":"T","c":"Uint32Array","v":"AAE="}'],
    ['bad regexp', '{"~":"R","s":"(","f":""}'],
    ['hole outside an array', '{"~":"h"}'],
    ['too deep', `${'['.repeat(600)}${']'.repeat(600)}`],
  ])('rejects %s as a corrupt entry', (_name, text) => {
    expect(() => defaultSerializer.deserialize(text)).toThrow(CorruptEntryError);
  });
});

describe('RedisStore: values through a real Redis', () => {
  let store: RedisStore;

  beforeAll(async () => {
    store = await connectedStore({ label: 'envelope' });
  });

  afterAll(async () => {
    await store.close();
  });

  it.each(SAMPLES)('%s', async (_name, value) => {
    await store.set('v', value);
    const entry = await store.get('v');
    expect(entry).toBeDefined();
    expect(sameData(entry?.value, value)).toBe(true);
  });

  it('stores with a custom serializer; entries of another format are misses, not decoded', async () => {
    const json = {
      format: 'json',
      serialize: (value: unknown) => JSON.stringify(value),
      deserialize: (text: string): unknown => JSON.parse(text),
    };
    const prefix = uniquePrefix('formats');
    const jsonStore = await connectedStore({ label: 'formats', prefix, serializer: json });
    const envelopeStore = await connectedStore({ label: 'formats', prefix });
    try {
      await jsonStore.set('a', { n: 1 });
      expect((await jsonStore.get('a'))?.value).toEqual({ n: 1 });
      expect(await envelopeStore.get('a')).toBeUndefined();
      await envelopeStore.set('b', new Date(0));
      expect(await jsonStore.get('b')).toBeUndefined();
      // Not corrupt: the other format's entries are left alone.
      expect((await jsonStore.get('a'))?.value).toEqual({ n: 1 });
      expect(envelopeStore.redisStats().corrupt).toBe(0);
    } finally {
      await jsonStore.close();
      await envelopeStore.close();
    }
  });
});

describe('sameData (the oracle of the property test above)', () => {
  it('treats invalid dates as equal, anywhere in a value, and nothing else looser', () => {
    expect(sameData(new Date(NaN), new Date(NaN))).toBe(true);
    expect(sameData({ a: [new Date(NaN)] }, { a: [new Date(NaN)] })).toBe(true);
    expect(sameData(new Map([[1, new Date(NaN)]]), new Map([[1, new Date(NaN)]]))).toBe(true);
    expect(sameData(new Date(NaN), new Date(0))).toBe(false);
    expect(sameData({ a: [new Date(NaN)], b: 1 }, { a: [new Date(NaN)], b: 2 })).toBe(false);
    expect(sameData({ a: [new Date(NaN)] }, { a: [new Date(NaN), 1] })).toBe(false);
    expect(sameData([new Date(NaN), -0], [new Date(NaN), 0])).toBe(false);
    expect(sameData(new Set([new Date(NaN), 1]), new Set([new Date(NaN), 2]))).toBe(false);
    expect(sameData({ d: new Date(NaN) }, Object.assign(Object.create(null) as object, { d: new Date(NaN) }))).toBe(
      false,
    );
  });
});
