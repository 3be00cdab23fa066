import { describe, expect, it } from '@jest/globals';
import { AsyncLRU, AsyncTTL, MemoryStore, NullStore, withCacheOptions } from '../../lib/index.js';
import { cachedEntries, callOutcome, recordingStore, VirtualClock } from '../../lib/testing/index.js';
import { deferred } from '../helpers/deferred.js';

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
