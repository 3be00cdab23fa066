/**
 * Property-based tests of key derivation (lib/keys.ts) against a reference
 * "design equality" written independently of the encoder.
 *
 * Design equality (DESIGN.md "Semantics users can rely on"), as decided here:
 * - primitives are type-tagged: 1 ≠ "1" ≠ 1n, null ≠ undefined, true ≠ "true";
 * - numbers by value with -0 == 0 and NaN == NaN; bigints by value;
 * - dates by their time value (every invalid date is equal to every other);
 * - arrays are ordered; `undefined` elements count (`[undefined]` ≠ `[]`);
 * - plain and null-prototype objects: own enumerable string keys in any order,
 *   `undefined`-valued properties ignored (`{a: undefined}` == `{}`);
 *   `__proto__`, `constructor` and `prototype` are ordinary own keys;
 * - Maps and Sets: insertion order irrelevant; compared as multisets of their
 *   canonical entries/members (so Set([{}, {}]) ≠ Set([{}]));
 * - Uint8Arrays by their bytes;
 * - a call's arguments: trailing `undefined`s dropped (`f(1)` == `f(1, undefined)`).
 *
 * Length bound: every string key is at most MAX_KEY_LENGTH (250) UTF-16 code
 * units. Canonical encodings longer than that are replaced by "\0#" + 43
 * base64url characters of SHA-256 (45 units), which is below the bound, so
 * the bound is MAX_KEY_LENGTH itself, not MAX_KEY_LENGTH + the digest form.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { keyForArgs, keyForKeyFnResult, MAX_KEY_LENGTH } from '../../lib/index.js';
import type { StoreKey } from '../../lib/index.js';
import { prng } from './helpers/scheduler.js';

const WHERE = 'Svc.get';
const key = (args: readonly unknown[], skipArgs = 0): StoreKey => keyForArgs(args, skipArgs, WHERE);
/** Keys are compared the way the stores' Maps compare them (SameValueZero). */
const sameKey = (a: StoreKey, b: StoreKey): boolean => a === b || (Number.isNaN(a) && Number.isNaN(b));
const DIGEST_LENGTH = 45;

// ---------------------------------------------------------------------------------------------
// Reference design equality: a tagged tree, compared through its JSON text.
// ---------------------------------------------------------------------------------------------

type Tree = readonly unknown[];

const byJson = (trees: Tree[]): Tree[] =>
  trees
    .map((t) => [JSON.stringify(t), t] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, t]) => t);

function tree(value: unknown): Tree {
  switch (typeof value) {
    case 'string':
      return ['string', value];
    case 'number':
      return ['number', String(value === 0 ? 0 : value)];
    case 'bigint':
      return ['bigint', String(value)];
    case 'boolean':
      return ['boolean', value];
    case 'undefined':
      return ['undefined'];
    default:
  }
  if (value === null) return ['null'];
  if (value instanceof Date) return ['date', String(value.getTime())];
  if (Array.isArray(value)) return ['array', Array.from(value, tree)];
  if (value instanceof Map) return ['map', byJson([...value].map(([k, v]) => [tree(k), tree(v)]))];
  if (value instanceof Set) return ['set', byJson([...value].map(tree))];
  if (value instanceof Uint8Array) return ['bytes', Array.from(value)];
  const record = value as Record<string, unknown>;
  const props = Object.keys(record)
    .filter((k) => record[k] !== undefined)
    .sort()
    .map((k) => [k, tree(record[k])]);
  return ['object', props];
}

/** The design-equality class of a call's arguments. */
function argsClass(args: readonly unknown[], skipArgs = 0): string {
  let end = args.length;
  while (end > skipArgs && args[end - 1] === undefined) end--;
  return JSON.stringify(args.slice(skipArgs, Math.max(end, skipArgs)).map(tree));
}

// ---------------------------------------------------------------------------------------------
// Generators
// ---------------------------------------------------------------------------------------------

/** Any UTF-16 code unit (lone surrogates included), biased towards the encoder's own syntax. */
const codeUnit = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('a', '1', ':', ';', 's', 'n', '{', '}', '[', ']', '\0', '#', 'é', '😀') },
  { weight: 1, arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) },
);
const text = fc.string({ unit: codeUnit, maxLength: 6 });
/** Strings around the plain-key limit and well past it (hashed). */
const longText = fc
  .tuple(fc.constantFrom(MAX_KEY_LENGTH - 2, MAX_KEY_LENGTH, MAX_KEY_LENGTH + 1, 2_000), text)
  .map(([n, tail]) => 'x'.repeat(n) + tail);
const propKey = fc.oneof(
  fc.constantFrom('a', 'b', '', '0', '10', '2', '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty'),
  text,
);

const wideLeaf: fc.Arbitrary<unknown> = fc.oneof(
  text,
  longText,
  fc.double(),
  fc.integer(),
  fc.constantFrom(0, -0, NaN, Infinity, -Infinity, Number.MAX_SAFE_INTEGER, 1e21, 5e-324),
  fc.bigInt(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.date({ noInvalidDate: false }),
);

/**
 * A small domain: few distinct leaves, so random pairs are often equal or
 * differ in one place (1 vs "1", null vs undefined, 0 vs -0, [] vs {}).
 */
const narrowLeaf: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(0, -0, 1, NaN, '1', '', 'a', null, undefined, true, 1n, 'x'.repeat(MAX_KEY_LENGTH + 1)),
  fc.constantFrom(0, NaN).map((t) => new Date(t)),
);
const narrowKey = fc.constantFrom('a', 'b', '__proto__');

/** Builds an object with own enumerable properties (a `__proto__` key stays an own key). */
function makeObject(entries: readonly (readonly [string, unknown])[], nullProto: boolean): object {
  const object: object = nullProto ? Object.create(null) : {};
  for (const [k, v] of entries) {
    Object.defineProperty(object, k, { value: v, enumerable: true, writable: true, configurable: true });
  }
  return object;
}

function values(leaf: fc.Arbitrary<unknown>, keys: fc.Arbitrary<string>, width: number): fc.Arbitrary<unknown> {
  return fc.letrec<{ value: unknown; array: unknown; object: unknown; map: unknown; set: unknown; bytes: unknown }>(
    (tie) => ({
      value: fc.oneof(
        { depthSize: 'small', maxDepth: 4 },
        leaf,
        tie('array'),
        tie('object'),
        tie('map'),
        tie('set'),
        tie('bytes'),
      ),
      array: fc.array(tie('value'), { maxLength: width }),
      object: fc
        .tuple(fc.array(fc.tuple(keys, tie('value')), { maxLength: width }), fc.boolean())
        .map(([entries, nullProto]) => makeObject(entries, nullProto)),
      map: fc.array(fc.tuple(tie('value'), tie('value')), { maxLength: width }).map((entries) => new Map(entries)),
      set: fc.array(tie('value'), { maxLength: width }).map((members) => new Set(members)),
      bytes: fc.uint8Array({ maxLength: 3, max: 3 }),
    }),
  ).value;
}

const wideValue = values(wideLeaf, propKey, 3);
const narrowValue = values(narrowLeaf, narrowKey, 2);
const wideArgs = fc.array(wideValue, { maxLength: 4 });
const narrowArgs = fc.array(narrowValue, { maxLength: 3 });

// ---------------------------------------------------------------------------------------------
// Equal-by-design variants and one-place mutations
// ---------------------------------------------------------------------------------------------

function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/**
 * A structurally new value equal to `value` by design: objects rebuilt with
 * shuffled keys (sometimes with a null prototype) and extra undefined-valued
 * properties, Maps and Sets rebuilt in shuffled order, 0 and -0 swapped, dates
 * and byte arrays copied.
 */
function variant(value: unknown, random: () => number): unknown {
  if (typeof value === 'number') return value === 0 && random() < 0.5 ? (Object.is(value, -0) ? 0 : -0) : value;
  if (typeof value !== 'object' || value === null) return value;
  if (value instanceof Date) return new Date(value.getTime());
  if (Array.isArray(value)) return Array.from(value, (v: unknown) => variant(v, random));
  if (value instanceof Map) {
    return new Map(shuffled([...value], random).map(([k, v]) => [variant(k, random), variant(v, random)]));
  }
  if (value instanceof Set) return new Set(shuffled([...value], random).map((v) => variant(v, random)));
  if (value instanceof Uint8Array) return Uint8Array.from(value);
  const record = value as Record<string, unknown>;
  const entries: [string, unknown][] = Object.keys(record).map((k) => [k, variant(record[k], random)]);
  for (const extra of ['zz', '__proto__', 'constructor', 'u']) {
    if (!(extra in record) && random() < 0.3) entries.push([extra, undefined]);
  }
  return makeObject(shuffled(entries, random), random() < 0.3);
}

const REPLACEMENTS: readonly unknown[] = [0, 1, '1', '', null, undefined, true, 1n, [], {}, new Date(1), new Set()];

/** `value` with exactly one node replaced, wrapped, extended or shortened, chosen at random. */
function mutateOne(value: unknown, random: () => number): unknown {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const descend = random() < 0.6;
  if (descend && Array.isArray(value) && value.length > 0) {
    const i = Math.floor(random() * value.length);
    const copy = [...(value as unknown[])];
    copy[i] = mutateOne(copy[i], random);
    return copy;
  }
  if (descend && value instanceof Map && value.size > 0) {
    const entries = [...value];
    const i = Math.floor(random() * entries.length);
    const [k, v] = entries[i]!;
    entries[i] = random() < 0.5 ? [k, mutateOne(v, random)] : [mutateOne(k, random), v];
    return new Map(entries);
  }
  if (descend && typeof value === 'object' && value !== null && !(value instanceof Date)) {
    if (!(value instanceof Set) && !(value instanceof Uint8Array) && !(value instanceof Map)) {
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record);
      if (keys.length > 0) {
        const k = pick(keys);
        return makeObject(
          keys.map((x) => [x, x === k ? mutateOne(record[x], random) : record[x]]),
          Object.getPrototypeOf(value) === null,
        );
      }
    }
  }
  const ops: (() => unknown)[] = [
    () => pick(REPLACEMENTS),
    () => [value],
    () => (Array.isArray(value) ? [...(value as unknown[]), pick(REPLACEMENTS)] : { a: value }),
    () => (Array.isArray(value) ? value.slice(1) : new Set([value])),
    () =>
      typeof value === 'string'
        ? value + pick(['\uD800', '\uDC00', '\uFFFD', '\0'])
        : typeof value === 'object' && value !== null
          ? 'object'
          : String(value),
    () => (typeof value === 'number' ? BigInt(Number.isInteger(value) ? value : 0) : typeof value),
  ];
  return pick(ops)();
}

// ---------------------------------------------------------------------------------------------
// Unencodable values
// ---------------------------------------------------------------------------------------------

interface Poison {
  readonly what: RegExp;
  make(): unknown;
}

const POISONS: readonly Poison[] = [
  { what: /function/, make: () => () => 1 },
  { what: /symbol/, make: () => Symbol('s') },
  { what: /Promise/, make: () => Promise.resolve(1) },
  { what: /WeakMap/, make: () => new WeakMap() },
  { what: /WeakSet/, make: () => new WeakSet() },
  { what: /WeakRef/, make: () => new WeakRef({}) },
  {
    what: /circular/,
    make: () => {
      const loop: Record<string, unknown> = { a: 1 };
      loop.self = loop;
      return loop;
    },
  },
  {
    what: /circular/,
    make: () => {
      const loop: unknown[] = [1];
      loop.push(new Map([['back', loop]]));
      return loop;
    },
  },
];

/** `value` with the poison placed at a random leaf position (or as the value itself). */
function inject(value: unknown, poison: unknown, random: () => number): unknown {
  if (random() < 0.25) return poison;
  if (Array.isArray(value)) {
    const copy = [...(value as unknown[])];
    const i = Math.floor(random() * (copy.length + 1));
    copy[i] = i < value.length ? inject(copy[i], poison, random) : poison;
    return copy;
  }
  if (value instanceof Map) return new Map([...value, ['poisoned', inject(undefined, poison, random)]]);
  if (value instanceof Set) return new Set([...value, inject(undefined, poison, random)]);
  if (typeof value === 'object' && value !== null && !(value instanceof Date) && !(value instanceof Uint8Array)) {
    const record = value as Record<string, unknown>;
    return makeObject([...Object.keys(record).map((k) => [k, record[k]] as const), ['poisoned', poison]], false);
  }
  return poison;
}

// ---------------------------------------------------------------------------------------------

const RUNS = { numRuns: 1_500 };

describe('key derivation: equality (fast-check vs the reference design equality)', () => {
  it('gives equal keys exactly to equal-by-design arguments (small domain, many equal pairs)', () => {
    let equalPairs = 0;
    fc.assert(
      fc.property(narrowArgs, narrowArgs, (a, b) => {
        const equal = argsClass(a) === argsClass(b);
        if (equal) equalPairs++;
        expect(sameKey(key(a), key(b))).toBe(equal);
      }),
      { numRuns: 5_000 },
    );
    // the property is not vacuous in either direction
    expect(equalPairs).toBeGreaterThan(100);
    expect(equalPairs).toBeLessThan(4_900);
  });

  it('gives the same key to a rebuilt equal-by-design copy (key order, Map/Set order, -0, undefined props, trailing undefined args)', () => {
    fc.assert(
      fc.property(wideArgs, fc.integer(), fc.nat(2), (args, seed, trailing) => {
        const random = prng(seed);
        const copy = [...args.map((a) => variant(a, random)), ...Array<undefined>(trailing).fill(undefined)];
        expect(argsClass(copy)).toBe(argsClass(args)); // the reference agrees the copy is equal
        expect(sameKey(key(copy), key(args))).toBe(true);
      }),
      RUNS,
    );
  });

  it('gives different keys to arguments that differ in one place, and equal ones when the change is invisible', () => {
    let differing = 0;
    fc.assert(
      fc.property(wideArgs, fc.integer(), (args, seed) => {
        const random = prng(seed);
        const changed = args.length === 0 ? [mutateOne(undefined, random)] : [...args];
        if (args.length > 0) {
          const i = Math.floor(random() * args.length);
          changed[i] = mutateOne(args[i], random);
        }
        const equal = argsClass(args) === argsClass(changed);
        if (!equal) differing++;
        expect(sameKey(key(args), key(changed))).toBe(equal);
      }),
      { numRuns: 3_000 },
    );
    expect(differing).toBeGreaterThan(2_000);
  });

  it('gives different keys to different random arguments (wide domain: unicode, lone surrogates, long strings, bigints, dates, maps, sets)', () => {
    fc.assert(
      fc.property(wideArgs, wideArgs, (a, b) => {
        expect(sameKey(key(a), key(b))).toBe(argsClass(a) === argsClass(b));
      }),
      RUNS,
    );
  });

  it('keeps hashed keys of long strings apart when they differ only in a lone surrogate or its UTF-8 replacement', () => {
    const long = 'x'.repeat(MAX_KEY_LENGTH + 10);
    const tails = ['\uD800', '\uDC00', '\uFFFD', '\uD800\uDC00', '\uDC00\uD800', '', '\0'];
    const keys = tails.map((t) => key([long + t]));
    expect(new Set(keys).size).toBe(tails.length);
    for (const k of keys) expect(String(k)).toMatch(/^\0#[A-Za-z0-9_-]{43}$/);
    // and inside objects and Map keys
    expect(key([{ [long + '\uD800']: 1 }])).not.toBe(key([{ [long + '\uDC00']: 1 }]));
    expect(key([new Map([[long + '\uD800', 1]])])).not.toBe(key([new Map([[long + '\uFFFD', 1]])]));
  });
});

describe('key derivation: shape of keys', () => {
  it(`never returns a string key longer than MAX_KEY_LENGTH (${MAX_KEY_LENGTH}); digests are exactly ${DIGEST_LENGTH} units`, () => {
    fc.assert(
      fc.property(fc.oneof(wideArgs, fc.array(longText, { minLength: 1, maxLength: 3 })), (args) => {
        const k = key(args);
        if (typeof k === 'number') {
          expect(args.filter((a) => a !== undefined)).toHaveLength(1);
          return;
        }
        expect(typeof k).toBe('string');
        expect(k.length).toBeLessThanOrEqual(MAX_KEY_LENGTH);
        if (k.startsWith('\0#')) expect(k).toMatch(/^\0#[A-Za-z0-9_-]{43}$/);
      }),
      RUNS,
    );
  });

  it('keyFn results: a tuple is the argument list, anything else is a one-part tuple', () => {
    fc.assert(
      fc.property(wideArgs, wideValue, (tuple, single) => {
        expect(sameKey(keyForKeyFnResult(tuple, WHERE), key(tuple))).toBe(true);
        if (!Array.isArray(single)) {
          expect(sameKey(keyForKeyFnResult(single, WHERE), key([single]))).toBe(true);
          expect(sameKey(keyForKeyFnResult([single], WHERE), keyForKeyFnResult(single, WHERE))).toBe(true);
        }
      }),
      RUNS,
    );
  });

  it('skipArgs: skipped arguments never matter, even functions and symbols', () => {
    const junk = fc.array(
      fc.oneof(
        wideValue,
        fc.constant(() => 1),
        fc.constant(Symbol('s')),
      ),
      { maxLength: 3 },
    );
    fc.assert(
      fc.property(junk, wideArgs, (skipped, rest) => {
        expect(sameKey(key([...skipped, ...rest], skipped.length), key(rest))).toBe(true);
      }),
      RUNS,
    );
  });

  it('is deterministic and does not modify its input', () => {
    fc.assert(
      fc.property(wideArgs, (args) => {
        const before = argsClass(args);
        const first = key(args);
        expect(sameKey(key(args), first)).toBe(true);
        expect(argsClass(args)).toBe(before);
      }),
      { numRuns: 500 },
    );
  });
});

describe('key derivation: errors', () => {
  it('throws only the documented TypeError, naming Class.method and the argument index, for unencodable parts', () => {
    fc.assert(
      fc.property(wideArgs, fc.nat(POISONS.length - 1), fc.integer(), (args, which, seed) => {
        const random = prng(seed);
        const poison = POISONS[which]!;
        const index = Math.floor(random() * (args.length + 1));
        const poisoned = [...args];
        poisoned[index] = inject(args[index], poison.make(), random);
        let thrown: unknown;
        try {
          key(poisoned);
        } catch (error) {
          thrown = error;
        }
        expect(thrown).toBeInstanceOf(TypeError);
        const message = (thrown as TypeError).message;
        expect(message).toMatch(new RegExp(`^Svc\\.get: argument ${index}\\b`));
        expect(message).toMatch(poison.what);

        let fromKeyFn: unknown;
        try {
          keyForKeyFnResult(poisoned, WHERE);
        } catch (error) {
          fromKeyFn = error;
        }
        expect(fromKeyFn).toBeInstanceOf(TypeError);
        expect((fromKeyFn as TypeError).message).toMatch(/^Svc\.get: keyFn returned /);
        expect((fromKeyFn as TypeError).message).toMatch(poison.what);
      }),
      RUNS,
    );
  });

  it('never throws for encodable arguments', () => {
    fc.assert(
      fc.property(wideArgs, (args) => {
        expect(() => key(args)).not.toThrow();
        expect(() => keyForKeyFnResult(args, WHERE)).not.toThrow();
      }),
      RUNS,
    );
  });
});
