/**
 * Bad input against the memory store: prototype-named keys in arguments and
 * keyFn results, hostile keyFns (throwing, returning functions, symbols,
 * promises, circular, huge or deeply nested values) and hostile arguments
 * (throwing getters, revoked proxies, self-returning toJSON). Every caller
 * gets its value or a clear error; nothing pollutes Object.prototype, leaves
 * a load in flight, poisons later calls, or rejects unhandled.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  AsyncLRU,
  AsyncTTL,
  cacheStats,
  invalidateCache,
  keyForArgs,
  LRUInvalidator,
  MAX_KEY_LENGTH,
  MemoryStore,
} from '../../lib/index.js';
import type { MethodCache } from '../../lib/index.js';
import { registry } from '../../lib/api/registry.js';

const engineOf = (method: Function): MethodCache | undefined => registry.of(method)?.engines.peekDefault();

const PROTOTYPE_NAMES = Object.getOwnPropertyNames(Object.prototype).sort();
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => {
  unhandled.push(reason);
};
beforeAll(() => {
  process.on('unhandledRejection', onUnhandled);
});
afterAll(() => {
  process.off('unhandledRejection', onUnhandled);
});

/** Object.prototype is exactly as it was, and a fresh object has no inherited surprises. */
function expectPrototypeUntouched(): void {
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(PROTOTYPE_NAMES);
  const probe = {} as Record<string, unknown>;
  for (const name of ['polluted', 'isAdmin', 'x']) expect(probe[name]).toBeUndefined();
  expect(Object.getPrototypeOf(probe)).toBe(Object.prototype);
}

/** What a call settled to: its value, or its error. */
async function outcome<T>(call: Promise<T>): Promise<{ value: T } | { error: unknown }> {
  try {
    return { value: await call };
  } catch (error) {
    return { error };
  }
}

describe('bad input: prototype-named keys in arguments', () => {
  const hostile = [
    '{}',
    '{"__proto__": {"polluted": true}}',
    '{"__proto__": {"polluted": false}}',
    '{"__proto__": null}',
    '{"constructor": {"prototype": {"polluted": true}}}',
    '{"constructor": {"prototype": {"polluted": false}}}',
    '{"prototype": {"polluted": true}}',
    '{"a": {"__proto__": {"isAdmin": true}}}',
    '[{"__proto__": {"x": 1}}]',
    '{"__proto__": {"__proto__": {"polluted": true}}}',
    '{"toString": "not a function", "hasOwnProperty": 1, "valueOf": null}',
  ];

  it('gives every parsed payload its own key and its own cached value, and leaves Object.prototype alone', async () => {
    const store = new MemoryStore();
    let loads = 0;
    class Search {
      @AsyncLRU({ store, maxSize: 100 })
      async find(query: unknown, page?: number): Promise<string> {
        loads++;
        return `${JSON.stringify(query)}#${page ?? 0}`;
      }
    }
    const search = new Search();
    const parsed = hostile.map((text) => JSON.parse(text) as unknown);
    const keys = parsed.map((query) => keyForArgs([query], 0, 'Search.find'));
    expect(new Set(keys).size).toBe(hostile.length);
    // also as Map keys / Set members / second arguments
    const containers = parsed.flatMap((q) => [new Map([['__proto__', q]]), new Set([q]), [1, q]]);
    expect(new Set(containers.map((c) => keyForArgs([c], 0, 'Search.find'))).size).toBe(containers.length);

    for (let round = 0; round < 2; round++) {
      for (const [i, query] of parsed.entries()) {
        expect(await search.find(query)).toBe(`${JSON.stringify(query)}#0`);
        expect(await search.find(JSON.parse(hostile[i]!), 1)).toBe(`${JSON.stringify(query)}#1`);
      }
    }
    expect(loads).toBe(hostile.length * 2); // the second round is all hits
    expect(cacheStats(Search.prototype.find).size).toBe(hostile.length * 2);
    expect(await invalidateCache(Search.prototype.find, JSON.parse(hostile[1]!))).toBe(true);
    expect(await search.find(JSON.parse(hostile[2]!))).toBe(`${JSON.stringify(parsed[2])}#0`); // neighbour kept
    expect(loads).toBe(hostile.length * 2);
    expectPrototypeUntouched();
  });

  it('does not confuse an own "__proto__" property with the prototype, or with a null-prototype object', () => {
    const own = JSON.parse('{"__proto__": {"a": 1}}') as object;
    const inherited = Object.create({ a: 1 }) as object;
    const nullProto = Object.assign(Object.create(null) as object, { a: 1 });
    const k = (v: unknown) => keyForArgs([v], 0, 'Svc.get');
    expect(k(own)).not.toBe(k({ a: 1 }));
    // Only inherited state: rejected (every such object would share one key), never taken for the own property.
    expect(() => k(inherited)).toThrow('argument 0 is an instance of Object with no own enumerable properties');
    expect(k(nullProto)).toBe(k({ a: 1 })); // a null-prototype record is plain data
    expectPrototypeUntouched();
  });

  it('keeps methods named like Object.prototype members, and scopes named __proto__, apart', async () => {
    const store = new MemoryStore();
    class Odd {
      @AsyncLRU({ store })
      async toString(): Promise<string> {
        return 'toString';
      }
      @AsyncLRU({ store })
      async hasOwnProperty(_k: string): Promise<string> {
        return 'hasOwnProperty';
      }
      @AsyncLRU({ store, version: '__proto__' })
      async valueOf(): Promise<string> {
        return 'valueOf';
      }
    }
    const odd = new Odd();
    expect(await odd.toString()).toBe('toString');
    expect(await Odd.prototype.hasOwnProperty.call(odd, '__proto__')).toBe('hasOwnProperty');
    expect(await odd.valueOf()).toBe('valueOf');
    expect(await odd.toString()).toBe('toString');
    const proto = store.namespace('__proto__');
    await proto.set('__proto__', { polluted: true });
    expect((await proto.get('__proto__'))?.value).toEqual({ polluted: true });
    expect(store.namespace('constructor')).not.toBe(proto);
    expectPrototypeUntouched();
  });
});

describe('bad input: hostile keyFn results', () => {
  const store = new MemoryStore();
  let result: () => unknown = () => 'ok';
  let loads = 0;
  class Hostile {
    @AsyncTTL({ store, ttl: '1m', keyFn: () => result() as string })
    async get(id: number): Promise<number> {
      loads++;
      return id;
    }
  }
  const hostile = new Hostile();

  /** Calls with keyFn returning `make()`; expects the call's outcome and that nothing stays in flight. */
  async function callWith(make: () => unknown): Promise<{ value: number } | { error: unknown }> {
    result = make;
    const settled = await outcome(hostile.get(7));
    result = () => 'ok';
    expect(engineOf(Hostile.prototype.get)?.inflightCount ?? 0).toBe(0);
    return settled;
  }

  it('passes a throwing keyFn error to the caller as is, without running the method', async () => {
    const boom = new Error('keyFn exploded');
    const before = loads;
    for (const thrown of [boom, 'a string', undefined, null, 42]) {
      const settled = await callWith(() => {
        throw thrown;
      });
      expect(settled).toEqual({ error: thrown });
    }
    expect(loads).toBe(before);
  });

  it.each([
    ['a function', () => () => 1, /keyFn returned a value containing a function/],
    ['a symbol', () => Symbol('id'), /keyFn returned a value containing a symbol/],
    ['a promise (an async keyFn)', () => Promise.resolve('id'), /keyFn returned a value containing a Promise/],
    ['a WeakMap', () => new WeakMap(), /keyFn returned a value containing a WeakMap/],
    ['a function inside a tuple', () => ['user', { filter: () => true }], /containing a function at \[1\]\.filter/],
    [
      'a circular object',
      () => {
        const loop: Record<string, unknown> = {};
        loop.self = loop;
        return loop;
      },
      /keyFn returned a circular structure/,
    ],
    [
      'a circular array through a Map',
      () => {
        const loop: unknown[] = [];
        loop.push(new Map([['back', loop]]));
        return loop;
      },
      /keyFn returned a circular structure/,
    ],
    [
      'a 100,000-deep nesting',
      () => {
        let deep: unknown = 'bottom';
        for (let i = 0; i < 100_000; i++) deep = [deep];
        return deep;
      },
      /nested deeper than 200 levels/,
    ],
    [
      'an endless chain of getters',
      () => {
        const endless = (): object => ({
          get next(): object {
            return endless();
          },
        });
        return endless();
      },
      /nested deeper than 200 levels/,
    ],
  ])('rejects keyFn returning %s with a TypeError naming the method', async (_what, make, message) => {
    const settled = await callWith(make);
    expect('error' in settled).toBe(true);
    const error = (settled as { error: unknown }).error;
    expect(error).toBeInstanceOf(TypeError);
    expect((error as TypeError).message).toMatch(/^Hostile\.get: /);
    expect((error as TypeError).message).toMatch(message);
  });

  it('accepts huge keyFn results (hashed to a bounded key) and caches them', async () => {
    const huge: [string, () => unknown][] = [
      ['10 MB string', () => 'x'.repeat(10 * 1024 * 1024)],
      ['1,000,000-element array', () => [Array.from({ length: 1_000_000 }, (_, i) => i)]],
      ['100,000-key object', () => Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`k${i}`, i]))],
      ['100,000-entry Map', () => new Map(Array.from({ length: 100_000 }, (_, i) => [i, `v${i}`]))],
      ['sparse array of length 1,000,000', () => [new Array(1_000_000)]],
      ['200-deep nesting (the limit)', () => [Array.from({ length: 199 }).reduce<unknown>((inner) => [inner], [])]],
    ];
    const timings: string[] = [];
    for (const [what, make] of huge) {
      const started = performance.now();
      const before = loads;
      expect(await callWith(make)).toEqual({ value: 7 });
      expect(await callWith(make)).toEqual({ value: 7 });
      expect(loads).toBe(before + 1); // the second call was a hit on the same hashed key
      timings.push(`${what}: ${Math.round(performance.now() - started)} ms for two calls`);
    }
    console.log(`huge keyFn results:\n  ${timings.join('\n  ')}`);
    const engine = engineOf(Hostile.prototype.get)!;
    for (const make of huge.map(([, m]) => m)) {
      result = make;
      const k = registry.of(Hostile.prototype.get)!.keyOf(undefined, []);
      expect(typeof k === 'number' || k.length <= MAX_KEY_LENGTH).toBe(true);
    }
    result = () => 'ok';
    expect(engine.inflightCount).toBe(0);
  });

  it('accepts undefined, null, NaN and empty results as ordinary keys', async () => {
    for (const make of [() => undefined, () => null, () => NaN, () => [], () => '', () => [undefined]]) {
      expect(await callWith(make)).toEqual({ value: 7 });
    }
  });

  it('still serves good calls after every failure above', async () => {
    const before = loads;
    result = () => 'fresh-key';
    expect(await hostile.get(3)).toBe(3);
    expect(await hostile.get(3)).toBe(3);
    expect(loads).toBe(before + 1);
    result = () => 'ok';
    expect(unhandled).toEqual([]);
  });
});

describe('bad input: hostile arguments', () => {
  const store = new MemoryStore();
  let loads = 0;
  class Api {
    @AsyncLRU({ store })
    async get(_query: unknown): Promise<string> {
      loads++;
      return 'value';
    }
  }
  const api = new Api();

  it.each([
    [
      'a getter that throws',
      () => ({
        get bad(): never {
          throw new Error('getter exploded');
        },
      }),
      Error,
      /getter exploded/,
    ],
    [
      'a revoked proxy',
      () => {
        const { proxy, revoke } = Proxy.revocable({}, {});
        revoke();
        return proxy;
      },
      TypeError,
      /revoked/,
    ],
    [
      'toJSON returning itself',
      () => {
        class Self {
          toJSON(): unknown {
            return this;
          }
        }
        return new Self();
      },
      TypeError,
      /Api\.get: argument 0 is a circular structure/,
    ],
    [
      'toJSON that throws',
      () => {
        class Bad {
          toJSON(): never {
            throw new RangeError('toJSON exploded');
          }
        }
        return new Bad();
      },
      RangeError,
      /toJSON exploded/,
    ],
    [
      'a class instance whose constructor getter throws',
      () => {
        class Sneaky {}
        const sneaky = new Sneaky();
        Object.defineProperty(sneaky, 'constructor', {
          get(): never {
            throw new Error('constructor getter exploded');
          },
        });
        return sneaky;
      },
      Error,
      /constructor getter exploded/,
    ],
    [
      'a 100,000-deep array',
      () => Array.from({ length: 100_000 }).reduce<unknown>((inner) => [inner], 0),
      TypeError,
      /argument 0 .*nested deeper than 200 levels/,
    ],
  ])(
    'rejects an argument with %s (its own error or a TypeError), without running the method',
    async (_what, make, type, message) => {
      const before = loads;
      const settled = await outcome(api.get(make()));
      expect('error' in settled).toBe(true);
      const error = (settled as { error: unknown }).error;
      expect(error).toBeInstanceOf(type);
      expect((error as Error).message).toMatch(message);
      expect(loads).toBe(before);
      expect(engineOf(Api.prototype.get)?.inflightCount ?? 0).toBe(0);
    },
  );

  it('serves good callers concurrently with hostile ones', async () => {
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    const calls = [api.get('good'), api.get(loop), api.get('good'), api.get(() => 1), api.get({ ok: 1 })];
    const settled = await Promise.all(calls.map(outcome));
    expect(settled.map((s) => ('value' in s ? s.value : (s.error as Error).constructor.name))).toEqual([
      'value',
      'TypeError',
      'value',
      'TypeError',
      'value',
    ]);
    expect(unhandled).toEqual([]);
    expectPrototypeUntouched();
  });
});

describe('bad input: hostile invalidator keyFns', () => {
  it('rejects the mutation with a clear error before it runs, and leaves the cache working', async () => {
    const store = new MemoryStore();
    let loads = 0;
    let mutations = 0;
    let mapped: () => unknown = () => [1];
    class Repo {
      @AsyncLRU({ store })
      async get(id: number): Promise<number> {
        loads++;
        return id;
      }
      @LRUInvalidator(() => Repo.prototype.get, { keyFn: () => mapped() as [number] })
      async update(_id: number): Promise<void> {
        mutations++;
      }
    }
    const repo = new Repo();
    const boom = new Error('invalidator keyFn exploded');
    const cases: [() => unknown, (error: unknown) => void][] = [
      [
        () => {
          throw boom;
        },
        (e) => expect(e).toBe(boom),
      ],
      [
        () => 1,
        (e) => expect(String(e)).toMatch(/TypeError: @LRUInvalidator on Repo\.update: keyFn must return .* array/),
      ],
      [() => undefined, (e) => expect(String(e)).toMatch(/keyFn must return .* array/)],
      [() => [() => 1], (e) => expect(String(e)).toMatch(/TypeError: Repo\.get: argument 0 is a function/)],
      [() => [Symbol('x')], (e) => expect(String(e)).toMatch(/TypeError: Repo\.get: argument 0 is a symbol/)],
    ];
    for (const [make, check] of cases) {
      mapped = make;
      const settled = await outcome(repo.update(1));
      expect('error' in settled).toBe(true);
      check((settled as { error: unknown }).error);
    }
    expect(mutations).toBe(0);
    // no mutation window was left open: loads of key 1 still cache
    mapped = () => [1];
    await repo.get(1);
    await repo.get(1);
    expect(loads).toBe(1);
    await repo.update(1);
    await repo.get(1);
    expect(loads).toBe(2);
    expect(unhandled).toEqual([]);
  });
});

describe('bad input: store TTLs (MemoryStore API)', () => {
  /**
   * A TTL of 0 or NaN handed to the store API must not turn into "never
   * expires" (lru-cache's meaning of 0): that would let an entry outlive the
   * namespace's own TTL forever. Either the store refuses it with a TypeError,
   * or the entry expires (at once, like Redis PEXPIRE with 0 or less).
   */
  const setup = () => {
    let now = 0;
    const store = new MemoryStore({ clock: { now: () => now }, ttl: '1m' });
    return { namespace: store.namespace('ttl-input'), advance: (ms: number) => (now += ms) };
  };

  it.each([0, NaN, -1])('set(key, value, { ttl: %p }) is refused or expires, never kept forever', async (ttl) => {
    const { namespace, advance } = setup();
    const settled = await outcome(namespace.set('k', 'v', { ttl }));
    if ('error' in settled) {
      expect(settled.error).toBeInstanceOf(TypeError);
      return;
    }
    advance(61_000); // past the namespace's own 1-minute TTL
    expect(await namespace.get('k')).toBeUndefined();
    expect(await namespace.getFailSafe('k')).toBeUndefined();
  });

  it.each([0, NaN, -1])(
    'expireIn(key, %p) is refused or expires the entry at once, never makes it permanent',
    async (ttl) => {
      const { namespace, advance } = setup();
      await namespace.set('k', 'v');
      const settled = await outcome(namespace.expireIn('k', ttl));
      if ('error' in settled) {
        expect(settled.error).toBeInstanceOf(TypeError);
        return;
      }
      advance(1);
      expect(await namespace.get('k')).toBeUndefined();
    },
  );

  it('set(key, value, { ttl, failSafe: NaN }) does not keep a fail-safe copy forever', async () => {
    const { namespace, advance } = setup();
    const settled = await outcome(namespace.set('k', 'v', { ttl: 10, failSafe: NaN }));
    if ('error' in settled) {
      expect(settled.error).toBeInstanceOf(TypeError);
      return;
    }
    advance(24 * 3_600_000);
    expect(await namespace.getFailSafe('k')).toBeUndefined();
  });
});
