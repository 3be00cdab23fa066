import { describe, expect, it } from '@jest/globals';
import { Load } from '../../lib/engine/in-flight.js';
import type { EngineMethod } from '../../lib/engine/method.js';
import { MethodCounters } from '../../lib/engine/stats.js';
import { EngineStore } from '../../lib/engine/store-adapter.js';
import type { CacheStore } from '../../lib/stores/contract.js';
import { MemoryStore } from '../../lib/stores/memory/memory-store.js';
import { CacheEvents, type CacheErrorEvent } from '../../lib/util/events.js';

const method: EngineMethod = {
  where: 'Svc.get',
  id: 'Svc.get',
  original: async () => 1,
  ttl: undefined,
  failSafe: undefined,
  shouldCache: undefined,
  lease: { ttl: 1_000, wait: 15 },
  keyOf: (_self, args) => args[0] as number,
};

const broken = new Error('down');

/** A store whose every operation fails (synchronously or by rejecting), with the given extras. */
function failingStore(extras: Partial<CacheStore> = {}, throwSync = false): CacheStore {
  const fail = (): Promise<never> => {
    if (throwSync) throw broken;
    return Promise.reject(broken);
  };
  return {
    kind: 'fake',
    name: 'fake',
    get: fail,
    getFailSafe: fail,
    set: fail,
    delete: fail,
    clear: fail,
    stats: () => ({ size: 0, evictions: 0 }),
    ...extras,
  } as unknown as CacheStore;
}

function adapterFor(store: CacheStore): { adapter: EngineStore; counters: MethodCounters; errors: CacheErrorEvent[] } {
  const counters = new MethodCounters();
  const events = new CacheEvents();
  const errors: CacheErrorEvent[] = [];
  events.on('error', (e) => errors.push(e));
  return { adapter: new EngineStore(method, store, counters, events), counters, errors };
}

describe('EngineStore', () => {
  it.each([
    ['rejects', false],
    ['throws', true],
  ])('answers a miss when the store’s read %s, counted and reported', async (_how, throwSync) => {
    const { adapter, counters, errors } = adapterFor(failingStore({}, throwSync));
    await expect(adapter.read(1, false, false)).resolves.toEqual({ entry: undefined });
    expect(counters.storeErrors).toBe(1);
    expect(errors).toEqual([{ source: 'Svc.get', operation: 'get', key: 1, error: broken }]);
  });

  it('never rejects a write, a delete, a clear or a stale read', async () => {
    const { adapter, counters, errors } = adapterFor(failingStore());
    await expect(adapter.write(1, 'v', undefined)).resolves.toBeUndefined();
    await expect(adapter.delete(1)).resolves.toBe(false);
    await expect(adapter.clear()).resolves.toBeUndefined();
    await expect(adapter.readFailSafe(1)).resolves.toBeUndefined();
    expect(counters.storeErrors).toBe(4);
    expect(errors.map((e) => e.operation)).toEqual(['set', 'delete', 'clear', 'get']);
  });

  it('reads with getForLoad when the store has it, keeping its load token', async () => {
    const entry = { value: 'v' };
    const { adapter } = adapterFor(
      failingStore({
        getForLoad: async (key) => (key === 1 ? { entry, token: 't1' } : { entry: undefined, token: 't2' }),
      }),
    );
    await expect(adapter.read(1, false, false)).resolves.toEqual({ entry, token: 't1' });
    await expect(adapter.read(2, false, false)).resolves.toEqual({ entry: undefined, token: 't2' });
  });

  it('waits while another process holds the lease, then reads without one', async () => {
    let leaseReads = 0;
    const { adapter, counters } = adapterFor(
      failingStore({
        getOrLease: async () => {
          leaseReads++;
          return { entry: undefined, held: true };
        },
        getForLoad: async () => ({ entry: undefined, token: 'after' }),
      }),
    );
    await expect(adapter.read(1, false, false)).resolves.toEqual({ entry: undefined, token: 'after' });
    expect(leaseReads).toBeGreaterThan(1);
    expect(counters.leaseWaits).toBe(leaseReads - 1);
    expect(counters.leaseTimeouts).toBe(1);
  });

  it('marks a load stale when its load token cannot be had', async () => {
    const { adapter, counters } = adapterFor(failingStore({ loadToken: () => Promise.reject(broken) }));
    expect(adapter.hasLoadTokens).toBe(true);
    const load = new Load(0);
    await expect(adapter.loadToken(load, 1)).resolves.toBeUndefined();
    expect(load.stale).toBe(true);
    expect(counters.storeErrors).toBe(1);
  });

  it('uses the synchronous operations of an in-process store', async () => {
    const store = new MemoryStore().namespace('adapter');
    const { adapter } = adapterFor(store);
    expect(adapter.owned).toBe(store.sync);
    store.sync!.set(1, 'one', { ttl: 1, failSafe: 60_000 });
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(store.sync!.get(1)).toBeUndefined();
    await expect(adapter.readFailSafe(1)).resolves.toMatchObject({ value: 'one' });
    await expect(adapter.delete(1)).resolves.toBe(true);
  });
});
