import { describe, expect, it } from '@jest/globals';
import { AsyncLRU, AsyncTTL, LoadTimeoutError, MemoryStore, NullStore, withCacheOptions } from '../../lib/index.js';
import { cachedEntries, callOutcome, recordingStore, VirtualClock } from '../../lib/testing/index.js';
import { deferred, flush, type Deferred } from '../helpers/deferred.js';

/** memokit/testing's kit: the recording store, the virtual clock and callOutcome, as a test uses them. */
describe('recordingStore', () => {
  it('records every operation with namespace, key and outcome, and changes nothing', async () => {
    const store = recordingStore(new MemoryStore());
    class Users {
      @AsyncLRU({ store })
      async get(id: number): Promise<{ id: number }> {
        return { id };
      }
    }
    const users = new Users();
    const first = await users.get(1);
    expect(await users.get(1)).toBe(first); // the same cached object: the store behaves as before
    const ops = store.operations('Users.get');
    expect(ops.filter((o) => o.op === 'sync.get').map((o) => [o.key, o.outcome])).toEqual([
      [1, 'miss'],
      [1, 'hit'],
    ]);
    expect(ops.filter((o) => o.op === 'sync.set').map((o) => o.key)).toEqual([1]);
    expect(store instanceof MemoryStore).toBe(true);
    store.reset();
    expect(store.operations()).toEqual([]);
  });

  it('records failures as errors and lets them through', async () => {
    const store = recordingStore(new NullStore());
    const ns = store.namespace('n');
    ns.get = () => Promise.reject(new Error('down'));
    await expect(ns.get('k')).rejects.toThrow('down');
    await ns.set('k', 1);
    expect(store.operations('n')).toEqual([
      { op: 'get', namespace: 'n', key: 'k', outcome: 'error' },
      { op: 'set', namespace: 'n', key: 'k', outcome: 'ok' },
    ]);
  });

  it("reads the store's getters on the store itself (they use its private fields)", () => {
    const clock = new VirtualClock();
    const store = recordingStore(new MemoryStore({ clock }));
    expect(store.clock).toBe(clock);
    expect(store.namespace('n').clock).toBe(clock);
  });

  it('keeps the last `limit` operations', async () => {
    const store = recordingStore(new MemoryStore(), { limit: 3 });
    const ns = store.namespace('n');
    for (let i = 0; i < 5; i++) await ns.get(i);
    expect(store.operations().map((o) => o.key)).toEqual([2, 3, 4]);
  });
});

describe('VirtualClock and callOutcome', () => {
  it('a TTL method: load, hit, then load again once the clock passed the TTL', async () => {
    const clock = new VirtualClock();
    class Rates {
      @AsyncTTL({ ttl: '1m', store: new MemoryStore({ clock }) })
      async rate(currency: string): Promise<number> {
        return currency.length;
      }
    }
    const rates = new Rates();
    expect(await callOutcome(rates.rate, () => rates.rate('EUR'))).toEqual({ outcome: 'load', value: 3 });
    expect((await callOutcome(rates.rate, () => rates.rate('EUR'))).outcome).toBe('hit');
    clock.advance(60_001);
    expect((await callOutcome(rates.rate, () => rates.rate('EUR'))).outcome).toBe('load');
    expect(
      (await callOutcome(rates.rate, () => withCacheOptions({ useCache: false }, () => rates.rate('EUR')))).outcome,
    ).toBe('bypass');
    expect(() => clock.advance(-1)).toThrow(/VirtualClock\.advance\(\): ms must be a finite number/);
  });

  it('says join for a call that waited for another call’s load, and stale for an expired value served', async () => {
    const clock = new VirtualClock();
    const gate = deferred<void>();
    let loads = 0;
    class Reports {
      @AsyncTTL({ ttl: '1m', staleWhileRevalidate: '1h', store: new MemoryStore({ clock }) })
      async build(id: string): Promise<string> {
        loads++;
        if (loads === 1) await gate.promise;
        return `${id}:${loads}`;
      }
    }
    const reports = new Reports();
    const first = reports.build('q');
    const joined = callOutcome(reports.build, () => reports.build('q'));
    gate.resolve();
    await first;
    expect(await joined).toEqual({ outcome: 'join', value: 'q:1' });
    clock.advance(60_001);
    expect(await callOutcome(reports.build, () => reports.build('q'))).toEqual({ outcome: 'stale', value: 'q:1' });
  });

  it('throws when the figures say more than one thing happened', async () => {
    class Twice {
      @AsyncLRU({ store: new MemoryStore() })
      async get(id: number): Promise<number> {
        return id;
      }
    }
    const twice = new Twice();
    await twice.get(1);
    await expect(callOutcome(twice.get, async () => [await twice.get(1), await twice.get(2)])).rejects.toThrow(
      /callOutcome: the figures of the method changed by hit and load during the call/,
    );
  });
});

describe('cachedEntries', () => {
  it("lists a method's live entries with their keys, values and time left on the store's clock", async () => {
    const clock = new VirtualClock();
    class Users {
      @AsyncTTL({ ttl: '1m', store: new MemoryStore({ clock }) })
      async get(id: number): Promise<{ id: number }> {
        return { id };
      }
    }
    const users = new Users();
    await users.get(1);
    clock.advance(1_000);
    await users.get(2);
    expect(cachedEntries(users.get)).toEqual([
      { key: 2, value: { id: 2 }, ttlLeftMs: 60_000 }, // most recently used first
      { key: 1, value: { id: 1 }, ttlLeftMs: 59_000 },
    ]);
    clock.advance(59_001);
    expect(cachedEntries(users.get).map((e) => e.key)).toEqual([2]);
  });

  it('a store that cannot be listed is a TypeError naming the method', async () => {
    class Remote {
      @AsyncLRU({ store: new NullStore() })
      async get(id: number): Promise<number> {
        return id;
      }
    }
    const remote = new Remote();
    await remote.get(1);
    expect(() => cachedEntries(remote.get)).toThrow(/cachedEntries\(Remote\.get\): its entries are in a "null" store/);
  });
});

describe('VirtualClock timers', () => {
  it('fires timers as it advances: earliest first, each with the clock at its due time', () => {
    const clock = new VirtualClock(100);
    const fired: [string, number][] = [];
    clock.setTimeout(() => fired.push(['b', clock.now()]), 20);
    clock.setTimeout(() => {
      fired.push(['a', clock.now()]);
      clock.setTimeout(() => fired.push(['a+5', clock.now()]), 5); // armed by a timer, due before the end
    }, 10);
    const cancelled = clock.setTimeout(() => fired.push(['cancelled', clock.now()]), 15);
    clock.setTimeout(() => fired.push(['late', clock.now()]), 50);
    clock.clearTimeout(cancelled);
    expect(clock.pendingTimers).toBe(3);
    clock.advance(30);
    expect(fired).toEqual([
      ['a', 110],
      ['a+5', 115],
      ['b', 120],
    ]);
    expect(clock.now()).toBe(130);
    expect(clock.pendingTimers).toBe(1);
    clock.setTimeout(() => fired.push(['now', clock.now()]), 0);
    clock.advance(0); // a 0 ms timer fires at the next advance, even by 0
    expect(fired.at(-1)).toEqual(['now', 130]);
    clock.advance(20);
    expect(fired.at(-1)).toEqual(['late', 150]);
    expect(clock.pendingTimers).toBe(0);
  });

  it('a callback that throws stops the advance at its due time; later timers stay armed', () => {
    const clock = new VirtualClock();
    const fired: number[] = [];
    clock.setTimeout(() => {
      throw new Error('boom');
    }, 10);
    clock.setTimeout(() => fired.push(clock.now()), 20);
    expect(() => clock.advance(30)).toThrow('boom');
    expect(clock.now()).toBe(10);
    expect(clock.pendingTimers).toBe(1);
    clock.advance(20);
    expect(fired).toEqual([20]);
  });

  it('drives load timeouts: an hour-long hard timeout rejects when the clock passes it, and the load still stores', async () => {
    const clock = new VirtualClock();
    const gate = deferred<string>();
    let loads = 0;
    class Reports {
      @AsyncTTL({ ttl: '1d', timeout: { hard: '1h' }, store: new MemoryStore({ clock }) })
      async build(id: string): Promise<string> {
        loads++;
        return `${id}:${await gate.promise}`;
      }
    }
    const reports = new Reports();
    const call = reports.build('q');
    const outcome = call.then(
      () => 'resolved',
      (error: unknown) => error,
    );
    clock.advance(3_599_999);
    await flush();
    expect(await Promise.race([outcome, Promise.resolve('pending')])).toBe('pending');
    clock.advance(1);
    const error = await outcome;
    expect(error).toBeInstanceOf(LoadTimeoutError);
    expect(error).toMatchObject({ code: 'E_LOAD_TIMEOUT', timeoutMs: 3_600_000 });
    gate.resolve('done');
    await flush();
    expect(await reports.build('q')).toBe('q:done'); // stored when the load completed: a hit
    expect(loads).toBe(1);
    expect(clock.pendingTimers).toBe(0);
  });

  it('drives the soft timeout: a slow reload of an expired entry serves the fail-safe value when the clock passes soft', async () => {
    const clock = new VirtualClock();
    const gates: Deferred<number>[] = [];
    class Prices {
      @AsyncTTL({ ttl: '1m', failSafe: '1h', timeout: { soft: '10m' }, store: new MemoryStore({ clock }) })
      async price(sku: string): Promise<number> {
        const gate = deferred<number>();
        gates.push(gate);
        return sku.length * (await gate.promise);
      }
    }
    const prices = new Prices();
    const first = prices.price('abc');
    gates[0]!.resolve(1);
    expect(await first).toBe(3);
    clock.advance(60_001); // expired, within the fail-safe window
    const slow = prices.price('abc');
    await flush();
    expect(gates).toHaveLength(2);
    clock.advance(600_000);
    expect(await slow).toBe(3); // the expired value, served at the soft timeout
    gates[1]!.resolve(2);
    await flush();
    expect(await prices.price('abc')).toBe(6);
  });

  it('a load that settles before its timeouts cancels their timers', async () => {
    const clock = new VirtualClock();
    class Quick {
      @AsyncTTL({ ttl: '1m', timeout: { soft: '1s', hard: '2s' }, failSafe: '1h', store: new MemoryStore({ clock }) })
      async get(id: number): Promise<number> {
        return id;
      }
    }
    const quick = new Quick();
    expect(await quick.get(1)).toBe(1);
    expect(clock.pendingTimers).toBe(0);
  });

  it('a clock with setTimeout but no clearTimeout is a TypeError naming the option', () => {
    const clock = { now: () => 0, setTimeout: () => ({}) };
    expect(() => new MemoryStore({ clock })).toThrow(
      'new MemoryStore(): option "clock.clearTimeout" must be a function; got undefined.',
    );
  });
});
