import { runInNewContext } from 'node:vm';
import { describe, expect, it } from '@jest/globals';
import {
  AsyncLRU,
  keyForArgs,
  keyForKeyFnResult,
  MAX_KEY_LENGTH,
  MemoryStore,
  storeKeyToString,
} from '../../lib/index.js';
import type { StoreKey } from '../../lib/index.js';
import { typeErrorOf } from '../helpers/errors.js';

const WHERE = 'Svc.get';
const key = (...args: unknown[]): StoreKey => keyForArgs(args, 0, WHERE);

/** The TypeError message thrown for `args`, or fails the test when nothing is thrown. */
describe('keyForArgs: fast path', () => {
  it('uses a single number or string argument as is', () => {
    expect(key(42)).toBe(42);
    expect(key('alice')).toBe('alice');
    expect(key(1.5)).toBe(1.5);
  });

  it('keeps 1 and "1" apart', () => {
    expect(key(1)).not.toEqual(key('1'));
    expect(key([1])).not.toEqual(key(['1']));
    expect(key({ a: 1 })).not.toEqual(key({ a: '1' }));
    expect(key(1, 2)).not.toEqual(key('1', '2'));
  });

  it('gives the number key the same string form a one-number tuple would have', () => {
    expect(storeKeyToString(42)).toBe('\0n42;');
    expect(storeKeyToString('alice')).toBe('alice');
    expect(storeKeyToString(key(1))).not.toBe(storeKeyToString(key('1')));
  });

  it('encodes other single primitives instead of passing them through', () => {
    for (const value of [true, false, null, 10n]) {
      const k = key(value);
      expect(typeof k).toBe('string');
      expect(String(k).startsWith('\0')).toBe(true);
    }
    expect(key(true)).not.toEqual(key(false));
  });
});

describe('keyForArgs: type tagging', () => {
  it('keeps null and undefined apart as single arguments', () => {
    expect(key(null)).not.toEqual(key(undefined));
    expect(key(null)).not.toEqual(key());
  });

  it('keeps null and undefined apart inside arrays', () => {
    expect(key([null])).not.toEqual(key([undefined]));
    expect(key([null, 1])).not.toEqual(key([undefined, 1]));
  });

  it('ignores undefined-valued object properties but not null-valued ones', () => {
    expect(key({ a: undefined, b: 1 })).toEqual(key({ b: 1 }));
    expect(key({ a: null, b: 1 })).not.toEqual(key({ b: 1 }));
    expect(key({ a: null })).not.toEqual(key({ a: undefined }));
  });

  it('keeps [] and {} apart', () => {
    expect(key([])).not.toEqual(key({}));
    expect(key([[]])).not.toEqual(key([{}]));
  });

  it('keeps booleans, strings and numbers apart', () => {
    const keys = [key(true, 0), key('true', 0), key(1, 0), key('1', 0), key(1n, 0), key('T', 0)];
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('does not confuse argument boundaries', () => {
    expect(key('ab', 'c')).not.toEqual(key('a', 'bc'));
    expect(key(['a', 'b'])).not.toEqual(key('a', 'b'));
    expect(key([1, 2], 3)).not.toEqual(key([1], [2, 3]));
    expect(key({ a: 'b', c: 'd' })).not.toEqual(key({ a: 'bc', '': 'd' }));
  });
});

describe('keyForArgs: canonical objects', () => {
  it('sorts object keys', () => {
    expect(key({ a: 1, b: 2 })).toEqual(key({ b: 2, a: 1 }));
    expect(key({ a: 1, b: 2 })).not.toEqual(key({ a: 2, b: 1 }));
  });

  it('treats null-prototype objects like plain objects', () => {
    const bare = Object.assign(Object.create(null) as Record<string, number>, { a: 1 });
    expect(key(bare)).toEqual(key({ a: 1 }));
  });

  it('encodes nested structures by value, at every level', () => {
    const a = { user: { id: 1, tags: ['x', 'y'], meta: { b: 2, a: 1 } }, page: [1, { size: 10 }] };
    const b = { page: [1, { size: 10 }], user: { meta: { a: 1, b: 2 }, tags: ['x', 'y'], id: 1 } };
    expect(key(a)).toEqual(key(b));
    expect(key(a)).not.toEqual(key({ ...b, page: [1, { size: 11 }] }));
    expect(key(a)).not.toEqual(key({ ...b, user: { ...b.user, tags: ['y', 'x'] } }));
  });

  it('keeps class instances of different classes with the same fields apart', () => {
    class Point {
      constructor(
        readonly x: number,
        readonly y: number,
      ) {}
    }
    class Size {
      constructor(
        readonly x: number,
        readonly y: number,
      ) {}
    }
    expect(key(new Point(1, 2))).toEqual(key(new Point(1, 2)));
    expect(key(new Point(1, 2))).not.toEqual(key(new Point(2, 1)));
    expect(key(new Point(1, 2))).not.toEqual(key(new Size(1, 2)));
    expect(key(new Point(1, 2))).not.toEqual(key({ x: 1, y: 2 }));
  });

  it('encodes boxed primitives by their value', () => {
    expect(key(new Number(1), 0)).toEqual(key(new Number(1), 0));
    expect(key(new Number(1), 0)).not.toEqual(key(new Number(2), 0));
    expect(key(new Boolean(true), 0)).not.toEqual(key(new Boolean(false), 0));
    expect(key(new String('a'), 0)).not.toEqual(key(new String('b'), 0));
    expect(key(Object(1n), 0)).not.toEqual(key(Object(2n), 0));
  });

  it('allows shared, non-circular references', () => {
    const shared = { id: 7 };
    const k = key({ a: shared, b: shared, list: [shared, shared] });
    expect(k).toEqual(key({ a: { id: 7 }, b: { id: 7 }, list: [{ id: 7 }, { id: 7 }] }));
    expect(key(shared, shared)).toEqual(key({ id: 7 }, { id: 7 }));
  });
});

describe('keyForArgs: built-in values', () => {
  it('encodes dates by value', () => {
    expect(key(new Date(1000), 0)).toEqual(key(new Date(1000), 0));
    expect(key(new Date(1000), 0)).not.toEqual(key(new Date(1001), 0));
    expect(key(new Date(1000), 0)).not.toEqual(key(1000, 0));
    expect(key({ at: new Date(5) })).not.toEqual(key({ at: new Date(6) }));
  });

  it('encodes bigints by value, apart from numbers', () => {
    expect(key(10n)).toEqual(key(BigInt(10)));
    expect(key(10n)).not.toEqual(key(11n));
    expect(key(10n)).not.toEqual(key(10));
    expect(key(2n ** 100n)).not.toEqual(key(2n ** 100n + 1n));
  });

  it('encodes maps by value, whatever their insertion order', () => {
    const m1 = new Map<unknown, unknown>([
      ['a', 1],
      ['b', 2],
    ]);
    const m2 = new Map<unknown, unknown>([
      ['b', 2],
      ['a', 1],
    ]);
    expect(key(m1)).toEqual(key(m2));
    expect(key(m1)).not.toEqual(key(new Map([['a', 1]])));
    expect(key(m1)).not.toEqual(
      key(
        new Map([
          ['a', 2],
          ['b', 1],
        ]),
      ),
    );
    expect(key(new Map([[1, 'x']]))).not.toEqual(key(new Map([['1', 'x']])));
    expect(key(new Map([['a', 1]]))).not.toEqual(key({ a: 1 }));
  });

  it('encodes sets by value, whatever their insertion order', () => {
    expect(key(new Set([1, 2, 3]))).toEqual(key(new Set([3, 1, 2])));
    expect(key(new Set([1, 2]))).not.toEqual(key(new Set([1, 2, 3])));
    expect(key(new Set([1, 2]))).not.toEqual(key([1, 2]));
    expect(key(new Set([{ a: 1 }]))).toEqual(key(new Set([{ a: 1 }])));
  });

  it('encodes typed arrays by value and by type', () => {
    expect(key(new Uint8Array([1, 2, 3]))).toEqual(key(new Uint8Array([1, 2, 3])));
    expect(key(new Uint8Array([1, 2, 3]))).not.toEqual(key(new Uint8Array([1, 2, 4])));
    expect(key(new Uint8Array([1, 2]))).not.toEqual(key(new Int8Array([1, 2])));
    expect(key(new Uint8Array([1, 2]))).not.toEqual(key([1, 2]));
    // A view covers only its own window of the buffer.
    const buffer = new Uint8Array([9, 1, 2, 9]);
    expect(key(buffer.subarray(1, 3))).toEqual(key(new Uint8Array([1, 2])));
  });

  it('treats -0 as 0 and NaN as one stable value', () => {
    expect(key(-0)).toBe(0);
    expect(Object.is(key(-0), 0)).toBe(true);
    expect(key(-0, 1)).toEqual(key(0, 1));
    expect(key({ a: -0 })).toEqual(key({ a: 0 }));
    expect(key([NaN])).toEqual(key([NaN]));
    expect(key([NaN])).not.toEqual(key([0]));
    expect(key(NaN, 1)).toEqual(key(NaN, 1));
    expect(Number.isNaN(key(NaN))).toBe(true);
  });

  it('handles unicode exactly', () => {
    expect(key('héllo')).toBe('héllo');
    expect(key('日本', 1)).not.toEqual(key('中国', 1));
    expect(key({ '😀': 1 })).not.toEqual(key({ '😁': 1 }));
    // Precomposed and decomposed forms are different strings.
    expect(key('\u00e9', 1)).not.toEqual(key('e\u0301', 1));
  });
});

describe('keyForArgs: arguments', () => {
  it('shares a key between f(1) and f(1, undefined)', () => {
    expect(key(1, undefined)).toBe(key(1));
    expect(key(1, undefined, undefined)).toBe(1);
    expect(key({ a: 1 }, undefined)).toEqual(key({ a: 1 }));
    expect(key(undefined)).toEqual(key());
  });

  it('keeps undefined arguments that are not trailing', () => {
    expect(key(undefined, 1)).not.toEqual(key(1));
    expect(key(1, undefined, 2)).not.toEqual(key(1, 2));
  });

  it('drops the first skipArgs arguments from the key', () => {
    const ctxA = { requestId: 'a' };
    const ctxB = { requestId: 'b' };
    expect(keyForArgs([ctxA, 42], 1, WHERE)).toBe(42);
    expect(keyForArgs([ctxA, 42], 1, WHERE)).toBe(keyForArgs([ctxB, 42], 1, WHERE));
    expect(keyForArgs([ctxA, 42], 0, WHERE)).not.toEqual(keyForArgs([ctxB, 42], 0, WHERE));
    expect(keyForArgs([ctxA, 1, 2], 1, WHERE)).toEqual(key(1, 2));
    expect(keyForArgs([ctxA, 1, undefined], 1, WHERE)).toBe(1);
  });
});

describe('keyForArgs: long keys', () => {
  it('keeps strings up to MAX_KEY_LENGTH as is, hashes longer ones', () => {
    const limit = 'a'.repeat(MAX_KEY_LENGTH);
    expect(key(limit)).toBe(limit);
    const long = 'a'.repeat(MAX_KEY_LENGTH + 1);
    const k = String(key(long));
    expect(k).not.toBe(long);
    expect(k.startsWith('\0#')).toBe(true);
    expect(k.length).toBeLessThanOrEqual(MAX_KEY_LENGTH);
    expect(key(long)).toBe(k);
  });

  it('keeps long strings that differ only at the end apart', () => {
    const base = 'x'.repeat(10_000);
    expect(key(base + 'a')).not.toEqual(key(base + 'b'));
    expect(key(base)).not.toEqual(key(base + base));
  });

  it('bounds long composite keys and keeps them distinct', () => {
    const big = (n: number) => ({ ids: Array.from({ length: 500 }, (_, i) => i + n), name: 'report' });
    const k1 = String(key(big(0)));
    const k2 = String(key(big(1)));
    expect(k1.length).toBeLessThanOrEqual(MAX_KEY_LENGTH);
    expect(k1.startsWith('\0#')).toBe(true);
    expect(k1).not.toBe(k2);
    expect(key(big(0))).toBe(k1);
    // At least 128 bits: 43 base64url characters of a SHA-256 digest after the marker.
    expect(k1).toMatch(/^\0#[A-Za-z0-9_-]{22,}$/);
  });

  it('keeps long strings that differ only in lone surrogates apart', () => {
    const base = 'x'.repeat(MAX_KEY_LENGTH);
    expect(key(base + '\uD800')).not.toEqual(key(base + '\uD801'));
    expect(key(base + '\uDC00', 1)).not.toEqual(key(base + '\uFFFD', 1));
  });
});

describe('keyForArgs: no collisions with plain strings', () => {
  it('never returns a string starting with "\\0" for a plain string argument', () => {
    const composite = String(key(1, 2));
    expect(composite.startsWith('\0')).toBe(true);
    expect(key(composite)).not.toBe(composite);
    expect(String(key(composite)).startsWith('\0')).toBe(true);
    expect(key('\0')).not.toEqual(key());
    expect(key('\0N')).not.toEqual(key(null));
  });

  it('keeps a string that looks like a hashed key apart from that key', () => {
    const hashed = String(key('y'.repeat(MAX_KEY_LENGTH + 1)));
    expect(key(hashed)).not.toBe(hashed);
  });

  it('keeps plain strings apart from number keys in string form', () => {
    expect(key(storeKeyToString(42))).not.toBe(storeKeyToString(42));
  });
});

describe('keyForArgs: unencodable arguments', () => {
  it('rejects a function, naming the method and the argument index', () => {
    const message = typeErrorOf(() => keyForArgs([1, () => 2], 0, 'Svc.get'));
    expect(message).toContain('Svc.get');
    expect(message).toContain('argument 1');
    expect(message).toContain('function');
  });

  it('rejects a symbol, naming the method and the argument index', () => {
    const message = typeErrorOf(() => keyForArgs([Symbol('s')], 0, 'Users.find'));
    expect(message).toContain('Users.find');
    expect(message).toContain('argument 0');
    expect(message).toContain('symbol');
  });

  it('names the path to a nested function', () => {
    const message = typeErrorOf(() => key('x', { filter: { where: [1, () => 0] } }));
    expect(message).toContain('argument 1');
    expect(message).toContain('.filter.where[1]');
  });

  it('counts skipped arguments in the index', () => {
    const fn = () => 0;
    expect(typeErrorOf(() => keyForArgs(['ctx', 1, fn], 1, WHERE))).toContain('argument 2');
    expect(typeErrorOf(() => keyForArgs(['ctx', 'ctx2', fn], 2, WHERE))).toContain('argument 2');
    // A skipped function is fine.
    expect(keyForArgs([fn, 5], 1, WHERE)).toBe(5);
  });

  it('rejects circular structures, naming the method and the argument index', () => {
    const node: { id: number; self?: unknown } = { id: 1 };
    node.self = node;
    const message = typeErrorOf(() => keyForArgs([1, 2, node], 0, 'Tree.walk'));
    expect(message).toContain('Tree.walk');
    expect(message).toContain('argument 2');
    expect(message).toMatch(/circular/);
    const list: unknown[] = [1];
    list.push([list]);
    expect(typeErrorOf(() => key(list))).toMatch(/circular/);
  });

  it('rejects promises and weak collections', () => {
    expect(typeErrorOf(() => key(1, Promise.resolve(1)))).toContain('argument 1');
    expect(typeErrorOf(() => key(new WeakMap()))).toContain('WeakMap');
    expect(typeErrorOf(() => key(new WeakSet()))).toContain('WeakSet');
    expect(typeErrorOf(() => key({ p: Promise.resolve(1) }))).toContain('Promise');
  });

  it('rejects structures nested too deeply with a TypeError, not a stack overflow', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 10_000; i++) deep = [deep];
    expect(typeErrorOf(() => key(deep))).toContain(WHERE);
  });
});

describe('keyForKeyFnResult', () => {
  it('treats an array as a tuple of key parts', () => {
    expect(keyForKeyFnResult([42], WHERE)).toBe(42);
    expect(keyForKeyFnResult(['alice'], WHERE)).toBe('alice');
    expect(keyForKeyFnResult(['user', 42], WHERE)).toEqual(key('user', 42));
    expect(keyForKeyFnResult(['user', 42], WHERE)).not.toEqual(keyForKeyFnResult([['user', 42]], WHERE));
  });

  it('treats anything else as a single part', () => {
    expect(keyForKeyFnResult(42, WHERE)).toBe(42);
    expect(keyForKeyFnResult('alice', WHERE)).toBe('alice');
    expect(keyForKeyFnResult({ b: 2, a: 1 }, WHERE)).toEqual(key({ a: 1, b: 2 }));
    expect(keyForKeyFnResult(42, WHERE)).not.toEqual(keyForKeyFnResult('42', WHERE));
  });

  it('drops trailing undefined parts', () => {
    expect(keyForKeyFnResult([1, undefined], WHERE)).toBe(1);
  });

  it('rejects unencodable results, naming the method', () => {
    const inTuple = typeErrorOf(() => keyForKeyFnResult(['a', () => 1], 'Svc.find'));
    expect(inTuple).toContain('Svc.find');
    expect(inTuple).toContain('keyFn');
    expect(inTuple).toContain('[1]');
    const single = typeErrorOf(() => keyForKeyFnResult(Symbol('s'), 'Svc.find'));
    expect(single).toContain('Svc.find');
    expect(single).toContain('symbol');
    // Not an array, so there is no tuple index to point at.
    expect(single).not.toContain('[0]');
    const loop: Record<string, unknown> = {};
    loop.loop = loop;
    expect(typeErrorOf(() => keyForKeyFnResult(loop, 'Svc.find'))).toMatch(/circular/);
  });
});

/** A value object whose state is all in #private fields: no own enumerable properties. */
class Money {
  readonly #cents: number;
  constructor(cents: number) {
    this.#cents = cents;
  }
  get cents(): number {
    return this.#cents;
  }
}

/** The same, made keyable by a toJSON() method. */
class Price {
  readonly #cents: number;
  readonly #currency: string;
  constructor(cents: number, currency = 'EUR') {
    this.#cents = cents;
    this.#currency = currency;
  }
  toJSON(): { currency: string; cents: number } {
    return { currency: this.#currency, cents: this.#cents };
  }
}

describe('keyForArgs: class instances with no own enumerable properties', () => {
  it('rejects one (all its instances would share a key), naming the method, the argument and the fix', () => {
    expect(typeErrorOf(() => keyForArgs(['EUR', new Money(100)], 0, 'Prices.format'))).toBe(
      'Prices.format: argument 1 is an instance of Money with no own enumerable properties (its state is in #private fields ' +
        'or its prototype), so every Money would get the same cache key. Pass a keyFn option that builds the key ' +
        'from its identifying values, or give Money a toJSON() method returning them.',
    );
    // Other built-ins without own state that the encoder does not know by value.
    expect(typeErrorOf(() => key(new URLSearchParams('a=1')))).toContain(
      'argument 0 is an instance of URLSearchParams',
    );
    expect(typeErrorOf(() => key(Object.create({ inherited: 1 })))).toContain('argument 0 is an instance of Object');
    expect(typeErrorOf(() => key(new (class {})()))).toContain('is an instance of <anonymous class>');
  });

  it('names the path of one nested in an array, an object or a Map, counting skipped arguments', () => {
    expect(typeErrorOf(() => key([1, new Money(1)]))).toContain('argument 0 at [1] is an instance of Money');
    expect(typeErrorOf(() => key('x', { order: { total: new Money(1) } }))).toContain(
      'argument 1 at .order.total is an instance of Money',
    );
    expect(typeErrorOf(() => key(new Map([['total', new Money(1)]])))).toContain(
      'at .<value 0> is an instance of Money',
    );
    expect(typeErrorOf(() => keyForArgs(['ctx', new Money(1)], 1, WHERE))).toContain(
      'argument 1 is an instance of Money',
    );
    expect(keyForArgs([new Money(1), 5], 1, WHERE)).toBe(5); // skipped: fine
  });

  it('keys one with a toJSON() by its result, canonically', () => {
    expect(key(new Price(100))).toEqual(key(new Price(100)));
    expect(key(new Price(100))).not.toEqual(key(new Price(999)));
    expect(key(new Price(100))).not.toEqual(key(new Price(100, 'USD')));
    expect(key([new Price(100)])).toEqual(key([new Price(100)]));
    expect(key(new Price(100))).not.toEqual(key({ currency: 'EUR', cents: 100 })); // the class name is part of it
  });

  it('rejects one returned by a keyFn, naming the fix', () => {
    const message = typeErrorOf(() => keyForKeyFnResult(['EUR', new Money(1)], 'Prices.format'));
    expect(message).toContain(
      'Prices.format: keyFn returned an instance of Money with no own enumerable properties at [1]',
    );
    expect(message).toContain('toJSON()');
  });

  it('keeps class instances with own fields keyed by class name and fields; plain objects of another realm are fine', () => {
    class Account {
      readonly #secret = Math.random();
      constructor(readonly id: number) {}
      get secret(): number {
        return this.#secret;
      }
    }
    // Own enumerable fields only: #private ones are not part of the key.
    expect(key(new Account(1))).toEqual(key(new Account(1)));
    expect(key(new Account(1))).not.toEqual(key(new Account(2)));
    // Different classes with the same fields stay apart by their names (keys are shared across processes,
    // so a class's name is all a key can hold of it: two classes of the same name and fields share keys).
    class Team {
      constructor(readonly id: number) {}
    }
    expect(key(new Account(1))).not.toEqual(key(new Team(1)));
    const twin = (() => {
      class Team {
        constructor(readonly id: number) {}
      }
      return new Team(1);
    })();
    expect(key(twin)).toEqual(key(new Team(1)));
    // An empty plain object made in another realm (a vm context) is not an opaque instance.
    expect(typeof key(runInNewContext('({})'))).toBe('string');
  });

  it("a decorated method no longer serves one value object's result for another", async () => {
    class Prices {
      loads = 0;
      @AsyncLRU({ store: new MemoryStore() })
      async format(amount: Money): Promise<string> {
        this.loads++;
        return `${(amount.cents / 100).toFixed(2)} EUR`;
      }
      @AsyncLRU({ store: new MemoryStore(), keyFn: ([amount]: [Money]) => [amount.cents] })
      async formatKeyed(amount: Money): Promise<string> {
        return `${(amount.cents / 100).toFixed(2)} EUR`;
      }
    }
    const prices = new Prices();
    // Before: the second call returned '1.00 EUR'.
    await expect(Promise.resolve().then(() => prices.format(new Money(100)))).rejects.toThrow(
      'Prices.format: argument 0 is an instance of Money with no own enumerable properties',
    );
    expect(prices.loads).toBe(0);
    expect(await prices.formatKeyed(new Money(100))).toBe('1.00 EUR');
    expect(await prices.formatKeyed(new Money(999))).toBe('9.99 EUR');
  });
});
