import { describe, expect, it } from '@jest/globals';
import {
  AsyncLRU,
  AsyncTTL,
  cacheStats,
  clearCache,
  invalidateCache,
  MemoryStore,
  NotAPromiseError,
  withCacheOptions,
} from '../../lib/index.js';
import { deferred, FakeClock, flush, type Deferred } from '../helpers/deferred.js';

describe('engine: single-flight', () => {
  it('runs the method once for 100 concurrent calls on a cold key', async () => {
    const gate = deferred<string>();
    class Svc {
      calls = 0;
      @AsyncLRU()
      get(id: number): Promise<string> {
        this.calls++;
        return gate.promise.then((v) => `${v}:${id}`);
      }
    }
    const svc = new Svc();
    const calls = Array.from({ length: 100 }, () => svc.get(7));
    await flush();
    expect(svc.calls).toBe(1);
    gate.resolve('loaded');
    const results = await Promise.all(calls);
    expect(new Set(results)).toEqual(new Set(['loaded:7']));
    expect(svc.calls).toBe(1);
    const stats = cacheStats(svc.get);
    expect(stats).toMatchObject({ misses: 1, loads: 1, inflightJoins: 99, hits: 0, size: 1 });
    await svc.get(7);
    expect(cacheStats(svc.get).hits).toBe(1);
  });

  it('loads different keys independently', async () => {
    const gates = new Map([1, 2].map((id) => [id, deferred<number>()]));
    class Svc {
      calls: number[] = [];
      @AsyncLRU()
      get(id: number): Promise<number> {
        this.calls.push(id);
        return gates.get(id)!.promise;
      }
    }
    const svc = new Svc();
    const one = svc.get(1);
    const two = svc.get(2);
    gates.get(2)!.resolve(20);
    expect(await two).toBe(20);
    gates.get(1)!.resolve(10);
    expect(await one).toBe(10);
    expect(svc.calls).toEqual([1, 2]);
  });

  it("joins each key's load whether it is the only one in flight or one of several", async () => {
    const gates = new Map([1, 2, 3, 4].map((id) => [id, deferred<number>()]));
    class Svc {
      calls: number[] = [];
      @AsyncLRU()
      get(id: number): Promise<number> {
        this.calls.push(id);
        return gates.get(id)!.promise;
      }
    }
    const svc = new Svc();
    const first = [svc.get(1), svc.get(2), svc.get(3)]; // 1 alone, then 2 and 3 beside it
    const joined = [svc.get(1), svc.get(2), svc.get(3)];
    gates.get(1)!.resolve(10);
    expect(await first[0]).toBe(10);
    const fourth = svc.get(4); // 1 settled: 4 starts while 2 and 3 are still in flight
    const again = [svc.get(2), svc.get(3), svc.get(4)];
    for (const id of [4, 3, 2]) gates.get(id)!.resolve(id * 10);
    expect(await Promise.all([...first, ...joined, fourth, ...again])).toEqual([
      10, 20, 30, 10, 20, 30, 40, 20, 30, 40,
    ]);
    expect(svc.calls).toEqual([1, 2, 3, 4]);
    expect(cacheStats(svc.get)).toMatchObject({ misses: 4, loads: 4, inflightJoins: 6, size: 4 });
  });

  it('never lets a call join a load that a refresh replaced, wherever each was registered', async () => {
    const gates: Deferred<string>[] = [];
    class Svc {
      calls: number[] = [];
      @AsyncLRU()
      get(id: number): Promise<string> {
        this.calls.push(id);
        const gate = deferred<string>();
        gates.push(gate);
        return gate.promise;
      }
    }
    const svc = new Svc();
    const two = svc.get(2); // the only load in flight
    const oldOne = svc.get(1); // a second one
    gates[0]!.resolve('two');
    await two;
    const newOne = withCacheOptions({ refresh: true }, () => svc.get(1)); // replaces the old load of 1
    await invalidateCache(svc.get, 1); // and is abandoned in turn
    const later = svc.get(1); // must start afresh: joining the old load would return what the refresh replaced
    expect(svc.calls).toEqual([2, 1, 1, 1]);
    gates[1]!.resolve('old');
    gates[2]!.resolve('refreshed');
    gates[3]!.resolve('latest');
    expect(await Promise.all([oldOne, newOne, later])).toEqual(['old', 'refreshed', 'latest']);
  });

  it('joins the load of a NaN argument (keys compare like Map keys)', async () => {
    const gate = deferred<string>();
    let calls = 0;
    class Svc {
      @AsyncLRU()
      get(_n: number): Promise<string> {
        calls++;
        return gate.promise;
      }
    }
    const svc = new Svc();
    const both = [svc.get(Number.NaN), svc.get(Number.NaN)];
    gate.resolve('nan');
    expect(await Promise.all(both)).toEqual(['nan', 'nan']);
    expect(await svc.get(Number.NaN)).toBe('nan');
    expect(calls).toBe(1);
  });

  it('shares a rejection with joined callers and never caches it', async () => {
    const gate = deferred<number>();
    let calls = 0;
    class Svc {
      @AsyncLRU()
      get(id: number): Promise<number> {
        calls++;
        return calls === 1 ? gate.promise : Promise.resolve(id);
      }
    }
    const svc = new Svc();
    const first = svc.get(1);
    const joined = svc.get(1);
    const boom = new Error('db down');
    gate.reject(boom);
    await expect(first).rejects.toBe(boom);
    await expect(joined).rejects.toBe(boom);
    expect(calls).toBe(1);
    expect(cacheStats(svc.get)).toMatchObject({ loadErrors: 1, size: 0 });
    await expect(svc.get(1)).resolves.toBe(1);
    expect(calls).toBe(2);
  });
});

describe('engine: what is cached', () => {
  it('caches undefined and null results', async () => {
    let calls = 0;
    class Svc {
      @AsyncLRU()
      async find(id: number): Promise<null | undefined> {
        calls++;
        return id === 1 ? null : undefined;
      }
    }
    const svc = new Svc();
    expect(await svc.find(1)).toBeNull();
    expect(await svc.find(1)).toBeNull();
    expect(await svc.find(2)).toBeUndefined();
    expect(await svc.find(2)).toBeUndefined();
    expect(calls).toBe(2);
  });

  it('caches falsy values 0, false and empty string', async () => {
    let calls = 0;
    const values: Record<number, unknown> = { 1: 0, 2: false, 3: '' };
    class Svc {
      @AsyncLRU()
      async get(id: number): Promise<unknown> {
        calls++;
        return values[id];
      }
    }
    const svc = new Svc();
    for (const id of [1, 2, 3, 1, 2, 3]) expect(await svc.get(id)).toBe(values[id]);
    expect(calls).toBe(3);
  });

  it('stores only what shouldCache accepts, passing value and args', async () => {
    const seen: unknown[] = [];
    let calls = 0;
    class Svc {
      @AsyncLRU({
        shouldCache: (value: number | null, args: [number]) => {
          seen.push([value, args]);
          return value !== null;
        },
      })
      async get(id: number): Promise<number | null> {
        calls++;
        return id > 0 ? id : null;
      }
    }
    const svc = new Svc();
    expect(await svc.get(0)).toBeNull();
    expect(await svc.get(0)).toBeNull();
    expect(calls).toBe(2);
    expect(await svc.get(5)).toBe(5);
    expect(await svc.get(5)).toBe(5);
    expect(calls).toBe(3);
    expect(seen).toEqual([
      [null, [0]],
      [null, [0]],
      [5, [5]],
    ]);
  });

  it('returns the value uncached when shouldCache throws', async () => {
    let calls = 0;
    class Svc {
      @AsyncLRU({
        shouldCache: () => {
          throw new Error('bad predicate');
        },
      })
      async get(id: number): Promise<number> {
        calls++;
        return id;
      }
    }
    const svc = new Svc();
    expect(await svc.get(3)).toBe(3);
    expect(await svc.get(3)).toBe(3);
    expect(calls).toBe(2);
    expect(cacheStats(svc.get).storeErrors).toBe(2);
  });

  it('rejects with NotAPromiseError naming Class.method when the method returns a plain value', async () => {
    class Reports {
      @AsyncLRU()
      get(id: number): Promise<number> {
        return id as unknown as Promise<number>;
      }
    }
    const call = new Reports().get(1);
    await expect(call).rejects.toBeInstanceOf(NotAPromiseError);
    await expect(call).rejects.toThrow(/Reports\.get .*must return a promise.*returned 1/);
  });

  it('turns a synchronous throw of a non-async method into a rejection', async () => {
    class Svc {
      @AsyncLRU()
      get(_id: number): Promise<number> {
        throw new Error('sync boom');
      }
    }
    const call = new Svc().get(1);
    expect(call).toBeInstanceOf(Promise);
    await expect(call).rejects.toThrow('sync boom');
  });

  it('accepts non-async methods that return a promise', async () => {
    class Svc {
      calls = 0;
      @AsyncLRU()
      get(id: number): Promise<number> {
        this.calls++;
        return Promise.resolve(id + 1);
      }
    }
    const svc = new Svc();
    expect(await svc.get(1)).toBe(2);
    expect(await svc.get(1)).toBe(2);
    expect(svc.calls).toBe(1);
  });
});

describe('engine: keys', () => {
  it('treats 1 and "1", null and undefined as different keys', async () => {
    const received: unknown[] = [];
    class Svc {
      @AsyncLRU()
      async get(x: unknown): Promise<string> {
        received.push(x);
        return typeof x;
      }
    }
    const svc = new Svc();
    expect(await svc.get(1)).toBe('number');
    expect(await svc.get('1')).toBe('string');
    expect(await svc.get(null)).toBe('object');
    expect(await svc.get(undefined)).toBe('undefined');
    await Promise.all([svc.get(1), svc.get('1'), svc.get(null), svc.get(undefined)]);
    expect(received).toEqual([1, '1', null, undefined]);
  });

  it('gives {a:1,b:2} and {b:2,a:1} one entry, and f(1) and f(1, undefined) one entry', async () => {
    let calls = 0;
    class Svc {
      @AsyncLRU()
      async search(_q: object, _page?: number): Promise<number> {
        return ++calls;
      }
    }
    const svc = new Svc();
    expect(await svc.search({ a: 1, b: 2 })).toBe(1);
    expect(await svc.search({ b: 2, a: 1 })).toBe(1);
    expect(await svc.search({ b: 2, a: 1 }, undefined)).toBe(1);
    expect(await svc.search({ a: 1, b: 2 }, 2)).toBe(2);
    expect(await svc.search({ a: 1, b: 3 })).toBe(3);
  });

  it('skipArgs leaves leading arguments out of the key', async () => {
    let calls = 0;
    class Svc {
      @AsyncLRU({ skipArgs: 1 })
      async get(_ctx: { requestId: string }, id: number): Promise<string> {
        calls++;
        return `user${id}`;
      }
    }
    const svc = new Svc();
    expect(await svc.get({ requestId: 'a' }, 1)).toBe('user1');
    expect(await svc.get({ requestId: 'b' }, 1)).toBe('user1');
    expect(calls).toBe(1);
    expect(await svc.get({ requestId: 'a' }, 2)).toBe('user2');
    expect(calls).toBe(2);
    // invalidateCache takes the full argument list and applies skipArgs the same way
    expect(await invalidateCache(svc.get, { requestId: 'zzz' }, 1)).toBe(true);
    await svc.get({ requestId: 'c' }, 1);
    expect(calls).toBe(3);
  });

  it('keyFn replaces the derivation and receives the instance', async () => {
    let calls = 0;
    class TenantRepo {
      constructor(readonly tenant: string) {}
      @AsyncLRU({ keyFn: ([id]: [number, string?], self: TenantRepo | undefined) => [self?.tenant, id] })
      async get(id: number, _traceId?: string): Promise<string> {
        calls++;
        return `${this.tenant}:${id}`;
      }
    }
    const acme = new TenantRepo('acme');
    const globex = new TenantRepo('globex');
    expect(await acme.get(1, 'trace-1')).toBe('acme:1');
    expect(await acme.get(1, 'trace-2')).toBe('acme:1');
    expect(await globex.get(1)).toBe('globex:1');
    expect(calls).toBe(2);
  });

  it('rejects with a TypeError naming Class.method and the argument index for a function argument', async () => {
    class Catalog {
      @AsyncLRU()
      async list(_page: number, _filter: unknown): Promise<number> {
        return 1;
      }
    }
    const call = new Catalog().list(1, () => true);
    await expect(call).rejects.toBeInstanceOf(TypeError);
    await expect(call).rejects.toThrow(/Catalog\.list: argument 1 is a function/);
  });

  it('shares the cache between instances of the class', async () => {
    let calls = 0;
    class Svc {
      @AsyncLRU()
      async get(id: number): Promise<number> {
        calls++;
        return id;
      }
    }
    await new Svc().get(1);
    await new Svc().get(1);
    expect(calls).toBe(1);
  });

  it('returns the same settled promise for repeated hits (no allocation on the hit path)', async () => {
    class Svc {
      @AsyncLRU()
      async get(id: number): Promise<{ id: number }> {
        return { id };
      }
    }
    const svc = new Svc();
    const value = await svc.get(1);
    const hitA = svc.get(1);
    const hitB = svc.get(1);
    expect(hitA).toBe(hitB);
    expect(await hitA).toBe(value);
  });
});

describe('engine: bounds and expiry (injected clock)', () => {
  it('evicts the least recently used entry beyond maxSize and counts it', async () => {
    let calls = 0;
    const store = new MemoryStore();
    class Svc {
      @AsyncLRU({ maxSize: 2, store })
      async get(id: number): Promise<number> {
        calls++;
        return id;
      }
    }
    const svc = new Svc();
    await svc.get(1);
    await svc.get(2);
    await svc.get(1); // 1 is now most recent
    await svc.get(3); // evicts 2
    expect(calls).toBe(3);
    await svc.get(1);
    expect(calls).toBe(3);
    await svc.get(2);
    expect(calls).toBe(4);
    expect(cacheStats(svc.get)).toMatchObject({ size: 2, evictions: 2 });
  });

  it('expires @AsyncTTL entries after ttl, read from the injected clock', async () => {
    const clock = new FakeClock();
    const store = new MemoryStore({ clock });
    let calls = 0;
    class Sessions {
      @AsyncTTL({ ttl: '30s', store })
      async get(id: string): Promise<string> {
        calls++;
        return `${id}#${calls}`;
      }
    }
    const svc = new Sessions();
    expect(await svc.get('s1')).toBe('s1#1');
    clock.advance(29_999);
    expect(await svc.get('s1')).toBe('s1#1');
    clock.advance(2);
    expect(await svc.get('s1')).toBe('s1#2');
    expect(calls).toBe(2);
  });

  it('defaults @AsyncTTL to 60s', async () => {
    const clock = new FakeClock();
    const store = new MemoryStore({ clock });
    let calls = 0;
    class Svc {
      @AsyncTTL({ store })
      async get(): Promise<number> {
        return ++calls;
      }
    }
    const svc = new Svc();
    await svc.get();
    clock.advance(59_000);
    expect(await svc.get()).toBe(1);
    clock.advance(2_000);
    expect(await svc.get()).toBe(2);
  });

  it('never expires @AsyncLRU entries', async () => {
    const clock = new FakeClock();
    const store = new MemoryStore({ clock });
    let calls = 0;
    class Svc {
      @AsyncLRU({ store })
      async get(): Promise<number> {
        return ++calls;
      }
    }
    const svc = new Svc();
    await svc.get();
    clock.advance(365 * 24 * 3_600_000);
    expect(await svc.get()).toBe(1);
  });
});

describe('engine: invalidation overtaking loads', () => {
  it('a load in flight when its key is invalidated returns its value but does not store it', async () => {
    const gates = [deferred<string>(), deferred<string>()];
    let calls = 0;
    class Svc {
      @AsyncLRU()
      get(_id: number): Promise<string> {
        return gates[calls++]!.promise;
      }
    }
    const svc = new Svc();
    const before = svc.get(1);
    await flush();
    expect(await invalidateCache(svc.get, 1)).toBe(false); // nothing stored yet
    const after = svc.get(1); // must not join the overtaken load
    expect(calls).toBe(2);
    gates[0]!.resolve('old');
    gates[1]!.resolve('new');
    expect(await before).toBe('old');
    expect(await after).toBe('new');
    expect(await svc.get(1)).toBe('new');
    expect(calls).toBe(2);
  });

  it('clearCache during loads keeps their values out of the cache', async () => {
    const gate = deferred<number>();
    let calls = 0;
    class Svc {
      @AsyncLRU()
      get(id: number): Promise<number> {
        calls++;
        return calls <= 2 ? gate.promise.then((v) => v + id) : Promise.resolve(-id);
      }
    }
    const svc = new Svc();
    const a = svc.get(1);
    const b = svc.get(2);
    await clearCache(svc.get);
    gate.resolve(100);
    expect(await a).toBe(101);
    expect(await b).toBe(102);
    expect(cacheStats(svc.get).size).toBe(0);
    expect(await svc.get(1)).toBe(-1);
    expect(await svc.get(2)).toBe(-2);
    expect(calls).toBe(4);
  });
});
