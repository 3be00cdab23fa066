import { describe, expect, it } from '@jest/globals';
import {
  AsyncLRU,
  AsyncTTL,
  cacheEvents,
  cacheStats,
  LRUUpdater,
  MemoryStore,
  TTLUpdater,
  type CacheErrorEvent,
} from '../../lib/index.js';
import { deferred, FakeClock, flush, type Deferred } from '../helpers/deferred.js';

/**
 * Write-through (`@LRUUpdater` / `@TTLUpdater`) on the memory store: the
 * mutation's result becomes the target's entry, with the invalidators'
 * guarantees. Redis and tiered: test/stores/redis/updaters.test.ts.
 */
interface Account {
  id: number;
  name: string;
}

function accounts(store = new MemoryStore()) {
  const db = new Map<number, string>([[1, 'ada']]);
  const state = { loads: 0, gate: undefined as Deferred<void> | undefined, fail: false };
  class Accounts {
    @AsyncLRU({ store })
    async get(id: number): Promise<Account> {
      state.loads++;
      const name = db.get(id) ?? '?';
      if (state.gate !== undefined) await state.gate.promise;
      return { id, name };
    }

    @LRUUpdater(() => Accounts.prototype.get)
    async rename(id: number, name: string): Promise<Account> {
      if (state.fail) throw new Error('constraint violated');
      db.set(id, name);
      return { id, name };
    }

    @LRUUpdater(() => Accounts.prototype.get, { keyFn: ([account]: [Account]) => [account.id] })
    async save(account: Account): Promise<Account> {
      db.set(account.id, account.name);
      return account;
    }

    @LRUUpdater(() => Accounts.prototype.get, {
      value: (result: { ok: boolean; name: string }, [id]) => ({ id, name: result.name }),
    })
    async rename2(id: number, name: string): Promise<{ ok: boolean; name: string }> {
      db.set(id, name);
      return { ok: true, name };
    }

    @LRUUpdater(() => Accounts.prototype.get, {
      value: (): Account => {
        throw new Error('cannot map');
      },
    })
    async renameBadly(id: number, name: string): Promise<{ ok: boolean }> {
      db.set(id, name);
      return { ok: true };
    }
  }
  return { svc: new Accounts(), state, db };
}

describe('@LRUUpdater (memory store)', () => {
  it("stores the mutation's result as the target's entry: the next read is a hit with the new value", async () => {
    const { svc, state } = accounts();
    expect(await svc.get(1)).toEqual({ id: 1, name: 'ada' });
    expect(await svc.rename(1, 'grace')).toEqual({ id: 1, name: 'grace' });
    expect(await svc.get(1)).toEqual({ id: 1, name: 'grace' });
    expect(state.loads).toBe(1);
    expect(cacheStats(svc.get)).toMatchObject({ hits: 1, misses: 1 });
  });

  it('stores for the key keyFn derives, and what value maps the result to', async () => {
    const { svc, state } = accounts();
    await svc.save({ id: 2, name: 'alan' });
    expect(await svc.get(2)).toEqual({ id: 2, name: 'alan' });
    await svc.rename2(2, 'turing');
    expect(await svc.get(2)).toEqual({ id: 2, name: 'turing' });
    expect(state.loads).toBe(0);
  });

  it('a mutation that throws stores nothing and leaves the key evicted', async () => {
    const { svc, state } = accounts();
    await svc.get(1);
    state.fail = true;
    await expect(svc.rename(1, 'grace')).rejects.toThrow('constraint violated');
    expect(await svc.get(1)).toEqual({ id: 1, name: 'ada' }); // reloaded from the source
    expect(state.loads).toBe(2);
  });

  it('a load in flight during the mutation never overwrites the new entry', async () => {
    const { svc, state } = accounts();
    state.gate = deferred<void>();
    const slow = svc.get(1); // read 'ada', then waits
    await flush();
    await svc.rename(1, 'grace');
    state.gate.resolve();
    expect(await slow).toEqual({ id: 1, name: 'ada' }); // its caller gets what it read
    state.gate = undefined;
    expect(await svc.get(1)).toEqual({ id: 1, name: 'grace' });
    expect(state.loads).toBe(1);
  });

  it('a value that throws: the result is returned, the key evicted, the error reported', async () => {
    const { svc, state } = accounts();
    const errors: CacheErrorEvent[] = [];
    const off = cacheEvents.on('error', (e) => errors.push(e));
    try {
      await svc.get(1);
      expect(await svc.renameBadly(1, 'grace')).toEqual({ ok: true });
      expect(await svc.get(1)).toEqual({ id: 1, name: 'grace' }); // reloaded
      expect(state.loads).toBe(2);
      expect(errors).toEqual([
        expect.objectContaining({ source: 'Accounts.renameBadly', operation: 'set', error: new Error('cannot map') }),
      ]);
    } finally {
      off();
    }
  });

  it('an updater of the other kind, or with an invalidator option, is a TypeError naming it', async () => {
    class Mixed {
      @AsyncTTL({ ttl: '1m' })
      async get(id: number): Promise<number> {
        return id;
      }

      @LRUUpdater(() => Mixed.prototype.get)
      async set(id: number): Promise<number> {
        return id;
      }
    }
    await expect(new Mixed().set(1)).rejects.toThrow(
      '@LRUUpdater on Mixed.set targets Mixed.get, which is cached with @AsyncTTL. Use @TTLUpdater for it.',
    );
    expect(() => {
      class Bad {
        @AsyncLRU()
        async get(id: number): Promise<number> {
          return id;
        }

        @LRUUpdater(() => Bad.prototype.get, { clearAll: true } as never)
        async set(id: number): Promise<number> {
          return id;
        }
      }
      void Bad;
    }).toThrow(/@LRUUpdater on Bad\.set: unknown option "clearAll"/);
  });
});

describe('@TTLUpdater (memory store, injected clock)', () => {
  it("the stored entry gets the target's TTL", async () => {
    const clock = new FakeClock();
    const store = new MemoryStore({ clock });
    let loads = 0;
    class Sessions {
      @AsyncTTL({ ttl: '30m', store })
      async session(id: string): Promise<{ id: string; seen: number }> {
        loads++;
        return { id, seen: 0 };
      }

      @TTLUpdater(() => Sessions.prototype.session)
      async touch(id: string): Promise<{ id: string; seen: number }> {
        return { id, seen: clock.now() };
      }
    }
    const sessions = new Sessions();
    clock.advance(1_000);
    await sessions.touch('s');
    expect(await sessions.session('s')).toEqual({ id: 's', seen: clock.now() });
    clock.advance(29 * 60_000);
    expect(await sessions.session('s')).toMatchObject({ seen: 1_000 }); // still fresh
    expect(loads).toBe(0);
    clock.advance(60_000 + 1);
    expect(await sessions.session('s')).toEqual({ id: 's', seen: 0 }); // expired: loaded
    expect(loads).toBe(1);
  });
});
