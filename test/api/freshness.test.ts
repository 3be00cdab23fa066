import { afterEach, describe, expect, it, jest } from '@jest/globals';
import {
  AsyncLRU,
  AsyncTTL,
  Cache,
  cacheEvents,
  cacheStats,
  LoadTimeoutError,
  MemoryStore,
  TTLInvalidator,
  type KeyEvent,
} from '../../lib/index.js';
import { deferred, FakeClock, flush, type Deferred } from '../helpers/deferred.js';

/**
 * The freshness policies on the memory store. Entry ages read the store's
 * injected clock; load timeouts run on jest's fake timers. No sleeps.
 */

/** A service whose loads the test settles one by one (`pending`), or at once when `auto` is set. */
function controlled() {
  const state = { loads: 0, auto: true, fail: false, pending: [] as Deferred<string>[] };
  const load = (id: string): Promise<string> => {
    state.loads++;
    if (state.fail) return Promise.reject(new Error('backend down'));
    if (state.auto) return Promise.resolve(`${id}:${state.loads}`);
    const d = deferred<string>();
    state.pending.push(d);
    return d.promise;
  };
  return { state, load };
}

afterEach(() => {
  jest.useRealTimers();
});

describe('staleWhileRevalidate (memory store, injected clock)', () => {
  function service(clock: FakeClock) {
    const { state, load } = controlled();
    const store = new MemoryStore({ clock });
    class Catalog {
      @AsyncTTL({ ttl: '1s', staleWhileRevalidate: '10s', store })
      async item(id: string): Promise<string> {
        return load(id);
      }

      @TTLInvalidator(() => Catalog.prototype.item)
      async rename(_id: string): Promise<void> {}
    }
    return { svc: new Catalog(), state };
  }

  it('serves the expired value at once and reloads it once in the background', async () => {
    const clock = new FakeClock();
    const { svc, state } = service(clock);
    const refreshes: KeyEvent[] = [];
    const off = cacheEvents.on('refresh', (e) => refreshes.push(e));
    try {
      expect(await svc.item('a')).toBe('a:1');
      clock.advance(1_500); // expired, inside the 10 s window
      state.auto = false;
      // Every caller gets the expired value without waiting; one reload runs.
      const answers = await Promise.all([svc.item('a'), svc.item('a'), svc.item('a')]);
      expect(answers).toEqual(['a:1', 'a:1', 'a:1']);
      expect(state.loads).toBe(2);
      expect(state.pending).toHaveLength(1);
      state.pending[0]!.resolve('a:2');
      await flush();
      expect(await svc.item('a')).toBe('a:2');
      expect(state.loads).toBe(2);
      expect(cacheStats(svc.item)).toMatchObject({ staleWhileRevalidateServed: 3, refreshes: 1, loads: 2 });
      expect(refreshes).toEqual([{ source: expect.stringContaining('Catalog.item'), key: 'a' }]);
    } finally {
      off();
    }
  });

  it('makes callers wait for the load once the window has passed', async () => {
    const clock = new FakeClock();
    const { svc, state } = service(clock);
    await svc.item('a');
    clock.advance(1_000 + 10_000 + 1);
    state.auto = false;
    const call = svc.item('a');
    await flush();
    expect(state.pending).toHaveLength(1);
    state.pending[0]!.resolve('a:2');
    expect(await call).toBe('a:2');
    expect(cacheStats(svc.item).staleWhileRevalidateServed).toBe(0);
  });

  it('never serves a value that was invalidated', async () => {
    const clock = new FakeClock();
    const { svc, state } = service(clock);
    await svc.item('a');
    clock.advance(1_500);
    await svc.rename('a');
    state.auto = false;
    const call = svc.item('a');
    await flush();
    state.pending[0]!.resolve('a:2');
    expect(await call).toBe('a:2');
    expect(cacheStats(svc.item).staleWhileRevalidateServed).toBe(0);
  });

  it('keeps a background reload that an invalidation overtook out of the cache', async () => {
    const clock = new FakeClock();
    const { svc, state } = service(clock);
    await svc.item('a');
    clock.advance(1_500);
    state.auto = false;
    expect(await svc.item('a')).toBe('a:1'); // stale; the reload (load 2) is pending
    await svc.rename('a'); // the reload's value predates this
    state.pending[0]!.resolve('a:2-before-rename');
    await flush();
    state.auto = true;
    expect(await svc.item('a')).toBe('a:3');
  });

  it('counts a failed background reload and serves the expired value again', async () => {
    const clock = new FakeClock();
    const { svc, state } = service(clock);
    await svc.item('a');
    clock.advance(1_500);
    state.fail = true;
    expect(await svc.item('a')).toBe('a:1');
    await flush();
    expect(cacheStats(svc.item)).toMatchObject({ refreshes: 1, refreshErrors: 1, loadErrors: 1 });
    expect(await svc.item('a')).toBe('a:1');
  });
});

describe('refreshAhead (memory store, injected clock)', () => {
  it('reloads an entry older than the fraction on a hit; callers keep the current value', async () => {
    const clock = new FakeClock();
    const { state, load } = controlled();
    const store = new MemoryStore({ clock });
    class Catalog {
      @AsyncTTL({ ttl: '10s', refreshAhead: 0.8, store })
      async item(id: string): Promise<string> {
        return load(id);
      }
    }
    const svc = new Catalog();
    expect(await svc.item('a')).toBe('a:1');
    clock.advance(7_000); // younger than 80% of 10 s: a plain hit
    expect(await svc.item('a')).toBe('a:1');
    expect(state.loads).toBe(1);
    clock.advance(1_500); // 8.5 s old
    state.auto = false;
    expect(await Promise.all([svc.item('a'), svc.item('a')])).toEqual(['a:1', 'a:1']);
    expect(state.pending).toHaveLength(1);
    state.pending[0]!.resolve('a:2');
    await flush();
    clock.advance(5_000); // past the first entry's expiry: the reloaded one is fresh
    expect(await svc.item('a')).toBe('a:2');
    expect(cacheStats(svc.item)).toMatchObject({ refreshes: 1, loads: 2, misses: 1 });
  });
});

describe('timeout (fake timers; entry ages on the injected clock)', () => {
  function service(clock: FakeClock, options: Record<string, unknown>) {
    const { state, load } = controlled();
    const store = new MemoryStore({ clock });
    class Reports {
      @AsyncTTL({ ttl: '1s', store, ...options })
      async build(id: string): Promise<string> {
        return load(id);
      }
    }
    return { svc: new Reports(), state };
  }

  it('past soft, a call gets the fail-safe value; the load goes on and is stored', async () => {
    jest.useFakeTimers({ doNotFake: ['performance'] });
    const clock = new FakeClock();
    const { svc, state } = service(clock, { failSafe: '1m', timeout: { soft: '100ms' } });
    expect(await svc.build('r')).toBe('r:1');
    clock.advance(2_000);
    state.auto = false;
    const call = svc.build('r');
    await jest.advanceTimersByTimeAsync(100);
    expect(await call).toBe('r:1');
    expect(cacheStats(svc.build)).toMatchObject({ timeouts: 1, timeoutServed: 1 });
    state.pending[0]!.resolve('r:2');
    await flush();
    expect(await svc.build('r')).toBe('r:2');
  });

  it('past hard with nothing allowed to stand in, rejects with LoadTimeoutError; the load is stored later', async () => {
    jest.useFakeTimers({ doNotFake: ['performance'] });
    const clock = new FakeClock();
    const { svc, state } = service(clock, { timeout: { hard: '2s' } });
    state.auto = false;
    const call = svc.build('r');
    const outcome = call.then(
      () => undefined,
      (error: unknown) => error,
    );
    await jest.advanceTimersByTimeAsync(2_000);
    const error = await outcome;
    expect(error).toBeInstanceOf(LoadTimeoutError);
    expect(error).toMatchObject({ code: 'E_LOAD_TIMEOUT', timeoutMs: 2_000 });
    expect((error as Error).message).toMatch(/Reports\.build.*timeout\.hard \(2000 ms\)/);
    // A caller arriving after the timeout joins the same load with a wait of its own, not the old error.
    const late = svc.build('r');
    await jest.advanceTimersByTimeAsync(1_000);
    state.pending[0]!.resolve('r:1');
    expect(await late).toBe('r:1');
    await flush();
    expect(await svc.build('r')).toBe('r:1');
    expect(state.loads).toBe(1);
  });

  it('after a hard timeout nothing rejects unobserved, and one timed-out call counts once', async () => {
    jest.useFakeTimers({ doNotFake: ['performance'] });
    const clock = new FakeClock();
    const { svc, state } = service(clock, { timeout: { hard: '50ms' } });
    state.auto = false;
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const outcome = svc.build('r').then(
        () => 'resolved',
        (error: unknown) => (error instanceof LoadTimeoutError ? 'timed out' : 'other'),
      );
      await jest.advanceTimersByTimeAsync(300); // six hard periods while the load runs
      expect(await outcome).toBe('timed out');
      state.pending[0]!.resolve('r:1');
      await jest.advanceTimersByTimeAsync(300);
      await flush();
      expect(unhandled).toEqual([]);
      expect(cacheStats(svc.build).timeouts).toBe(1);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('a load that finishes in time is not affected', async () => {
    jest.useFakeTimers({ doNotFake: ['performance'] });
    const clock = new FakeClock();
    const { svc, state } = service(clock, { timeout: { hard: '2s' } });
    state.auto = false;
    const call = svc.build('r');
    await jest.advanceTimersByTimeAsync(500);
    state.pending[0]!.resolve('r:1');
    expect(await call).toBe('r:1');
    await jest.advanceTimersByTimeAsync(5_000);
    expect(cacheStats(svc.build).timeouts).toBe(0);
  });
});

describe('failSafe with retryAfter (injected clock)', () => {
  it('serves the expired value for retryAfter without calling the method again', async () => {
    const clock = new FakeClock();
    const { state, load } = controlled();
    const store = new MemoryStore({ clock });
    class Prices {
      @AsyncTTL({ ttl: '30s', store, failSafe: { window: '10m', retryAfter: '1m' } })
      async price(sku: string): Promise<string> {
        return load(sku);
      }
    }
    const svc = new Prices();
    expect(await svc.price('a')).toBe('a:1');
    clock.advance(31_000);
    state.fail = true;
    expect(await svc.price('a')).toBe('a:1');
    expect(state.loads).toBe(2);
    clock.advance(30_000);
    expect(await svc.price('a')).toBe('a:1'); // throttled: no call
    expect(state.loads).toBe(2);
    clock.advance(31_000); // retryAfter passed: the method is tried again
    expect(await svc.price('a')).toBe('a:1');
    expect(state.loads).toBe(3);
    state.fail = false;
    clock.advance(61_000);
    expect(await svc.price('a')).toBe('a:4');
  });

  it('the throttle never outlives the original window', async () => {
    const clock = new FakeClock();
    const { state, load } = controlled();
    const store = new MemoryStore({ clock });
    class Prices {
      @AsyncTTL({ ttl: '30s', store, failSafe: { window: '2m', retryAfter: '1m' } })
      async price(sku: string): Promise<string> {
        return load(sku);
      }
    }
    const svc = new Prices();
    await svc.price('a');
    state.fail = true;
    clock.advance(30_000 + 70_000); // 70 s stale: 50 s of the window left, less than retryAfter
    expect(await svc.price('a')).toBe('a:1');
    clock.advance(51_000); // past the original window
    await expect(svc.price('a')).rejects.toThrow('backend down');
  });
});

describe('jitter and ttl from the value (injected clock)', () => {
  it('spreads the TTLs of entries written together within ±jitter', async () => {
    const clock = new FakeClock();
    const { state, load } = controlled();
    const store = new MemoryStore({ clock });
    class Items {
      @AsyncTTL({ ttl: '100s', store, jitter: 0.2, maxSize: 1_000 })
      async item(id: string): Promise<string> {
        return load(id);
      }
    }
    const svc = new Items();
    const ids = Array.from({ length: 200 }, (_, i) => `k${i}`);
    for (const id of ids) await svc.item(id);
    clock.advance(79_000); // below 0.8 × 100 s: every entry is alive
    for (const id of ids) await svc.item(id);
    expect(state.loads).toBe(200);
    clock.advance(21_000); // 100 s: about half expired
    for (const id of ids) await svc.item(id);
    const reloaded = state.loads - 200;
    expect(reloaded).toBeGreaterThan(40);
    expect(reloaded).toBeLessThan(160);
  });

  it('takes each entry TTL from the value and the arguments', async () => {
    const clock = new FakeClock();
    let loads = 0;
    const store = new MemoryStore({ clock });
    class Users {
      @AsyncTTL({ store, ttl: (user: string | null) => (user === null ? '10s' : '10m') })
      async find(id: number): Promise<string | null> {
        loads++;
        return id > 0 ? `user${id}` : null;
      }
    }
    const svc = new Users();
    await svc.find(1);
    await svc.find(0);
    clock.advance(11_000);
    await svc.find(1); // 10 min: still cached
    await svc.find(0); // 10 s: reloaded
    expect(loads).toBe(3);
  });

  it('a ttl function that returns nonsense leaves the value uncached and reports it', async () => {
    const errors: unknown[] = [];
    const off = cacheEvents.on('error', (e) => errors.push(e.error));
    try {
      let loads = 0;
      class Users {
        @AsyncTTL({ store: new MemoryStore(), ttl: () => -5 })
        async find(_id: number): Promise<string> {
          loads++;
          return 'u';
        }
      }
      const svc = new Users();
      expect(await svc.find(1)).toBe('u');
      expect(await svc.find(1)).toBe('u');
      expect(loads).toBe(2);
      expect(String(errors[0])).toMatch(
        /Users\.find.*option "ttl" \(a function\) must return a positive duration.*got -5/,
      );
    } finally {
      off();
    }
  });
});

describe('validation', () => {
  const define = (decorate: () => unknown) => () => {
    class Svc {
      async m(): Promise<number> {
        return 1;
      }
    }
    const descriptor = Object.getOwnPropertyDescriptor(Svc.prototype, 'm')!;
    (decorate() as (t: object, k: string, d: PropertyDescriptor) => void)(Svc.prototype, 'm', descriptor);
  };

  it.each([
    [{ refreshAhead: 1.5 }, /option "refreshAhead" must be a number strictly between 0 and 1.*got 1\.5/],
    [{ refreshAhead: 0 }, /option "refreshAhead" must be a number strictly between 0 and 1/],
    [{ jitter: 1 }, /option "jitter" must be a number from 0 up to \(not including\) 1/],
    [
      { failSafe: '1m', timeout: { soft: '3s', hard: '1s' } },
      /soft \(3000 ms\) must not be longer than hard \(1000 ms\)/,
    ],
    [
      { timeout: { soft: '100ms' } },
      /"timeout\.soft" only answers a call with an expired value.*Add failSafe or staleWhileRevalidate/,
    ],
    [{ timeout: {} }, /option "timeout" must set soft, hard or both/],
    [{ timeout: { sof: '1s' } }, /option "timeout": unknown option "sof"/],
    [{ staleWhileRevalidate: 0 }, /option "staleWhileRevalidate" must be a positive duration/],
    [{ failSafe: { window: '1m' } }, /option "failSafe\.retryAfter" must be a positive duration/],
    [{ ttl: () => '1s', refreshAhead: 0.5 }, /option "refreshAhead" needs a fixed ttl/],
  ])('@AsyncTTL(%j) is a TypeError naming the method and the option', (options, message) => {
    expect(define(() => AsyncTTL(options as never))).toThrow(TypeError);
    expect(define(() => AsyncTTL(options as never))).toThrow(message);
    expect(define(() => AsyncTTL(options as never))).toThrow(/@AsyncTTL on Svc\.m/);
  });

  it('a freshness option on @AsyncLRU says it needs a TTL', () => {
    expect(define(() => AsyncLRU({ staleWhileRevalidate: '1m' } as never))).toThrow(
      /@AsyncLRU on Svc\.m: option "staleWhileRevalidate" needs entries that expire.*Use @AsyncTTL/,
    );
  });
});

describe('the manual Cache API and its scopes (injected clock)', () => {
  it('getOrSet serves the expired value while it reloads (staleWhileRevalidate), and scopes inherit it', async () => {
    const clock = new FakeClock();
    const cache = new Cache({ store: new MemoryStore({ clock }), ttl: '1s', staleWhileRevalidate: '10s' });
    const scope = cache.scope('reports', { ttl: '2s' });
    let loads = 0;
    const pending: Deferred<string>[] = [];
    const loader = (): Promise<string> => {
      loads++;
      if (loads === 1) return Promise.resolve('v1');
      const d = deferred<string>();
      pending.push(d);
      return d.promise;
    };
    expect(await scope.getOrSet('r', loader)).toBe('v1');
    clock.advance(2_500);
    expect(await scope.getOrSet('r', loader)).toBe('v1'); // expired: served at once, reload pending
    expect(pending).toHaveLength(1);
    pending[0]!.resolve('v2');
    await flush();
    expect(await scope.getOrSet('r', loader)).toBe('v2');
    expect(scope.stats()).toMatchObject({ staleWhileRevalidateServed: 1, refreshes: 1 });
    await cache.close();
  });

  it('a freshness policy on a cache without ttl is a TypeError naming the option', () => {
    expect(() => new Cache({ staleWhileRevalidate: '1m' })).toThrow(
      /new Cache\(\): option "staleWhileRevalidate" needs entries that expire, and this cache has no ttl/,
    );
    expect(() => new Cache({ ttl: '1m' }).scope('s', { refreshAhead: 2 })).toThrow(
      /scope\("s"\): option "refreshAhead" must be a number strictly between 0 and 1/,
    );
  });

  it('a loader with a parameter sets its entry TTL from the value, or skips the write', async () => {
    const clock = new FakeClock();
    const cache = new Cache({ store: new MemoryStore({ clock }), ttl: '10m' });
    let loads = 0;
    const find = (id: number) =>
      cache.getOrSet(`user:${id}`, async (ctx) => {
        loads++;
        if (id === 0) ctx.ttl = '10s'; // not found: cached briefly
        if (id < 0) ctx.skip(); // never cached
        return id === 0 ? null : `user${id}`;
      });
    await find(1);
    await find(0);
    await find(-1);
    await find(-1);
    expect(loads).toBe(4);
    clock.advance(11_000);
    await find(1);
    await find(0);
    expect(loads).toBe(5);
    await cache.close();
  });

  it('a loader that sets a bad ttl gets its value; nothing is cached and the error is reported', async () => {
    const cache = new Cache({ ttl: '10m' });
    const errors: unknown[] = [];
    const off = cache.events.on('error', (e) => errors.push(e.error));
    let loads = 0;
    const load = () =>
      cache.getOrSet('k', async (ctx) => {
        loads++;
        ctx.ttl = '-3s' as never;
        return 'v';
      });
    expect(await load()).toBe('v');
    expect(await load()).toBe('v');
    expect(loads).toBe(2);
    expect(String(errors[0])).toMatch(/getOrSet: the loader set ctx\.ttl to "-3s", which is not a positive duration/);
    off();
    await cache.close();
  });

  it("refreshAhead follows a call's own ttl: an entry is never due for a refresh when it is written", async () => {
    const clock = new FakeClock();
    const cache = new Cache({ store: new MemoryStore({ clock }), ttl: '1h', refreshAhead: 0.8 });
    let loads = 0;
    const load = () =>
      cache.getOrSet(
        'k',
        async () => {
          loads++;
          return loads;
        },
        { ttl: '1m' },
      );
    for (let i = 0; i < 6; i++) await load();
    await flush();
    expect(loads).toBe(1);
    clock.advance(50_000); // 10 s left of 1 min: in the zone of this entry
    await load();
    await flush();
    expect(loads).toBe(2);
    expect(cache.stats().refreshes).toBe(1);
    await cache.close();
  });

  it('a loader that sets ctx.ttl on a cache with refreshAhead gets its value; nothing is cached; the error says why', async () => {
    const cache = new Cache({ ttl: '1h', refreshAhead: 0.8 });
    const errors: unknown[] = [];
    const off = cache.events.on('error', (e) => errors.push(e.error));
    let loads = 0;
    const load = () =>
      cache.getOrSet('k', async (ctx) => {
        loads++;
        ctx.ttl = '1m';
        return 'v';
      });
    expect(await load()).toBe('v');
    expect(await load()).toBe('v');
    expect(loads).toBe(2);
    expect(String(errors[0])).toMatch(/the loader set ctx\.ttl, and this call has refreshAhead/);
    off();
    await cache.close();
  });

  it('jitter must be smaller than refreshAhead', () => {
    expect(() => new Cache({ ttl: '1h', refreshAhead: 0.2, jitter: 0.3 })).toThrow(
      /option "jitter" \(0\.3\) must be smaller than "refreshAhead" \(0\.2\)/,
    );
  });
});
