import { describe, expect, it } from '@jest/globals';
import {
  AsyncLRU,
  AsyncTTL,
  cacheStats,
  clearCache,
  invalidateCache,
  LRUInvalidator,
  MemoryStore,
  TTLInvalidator,
} from '../../lib/index.js';
import { deferred, FakeClock, flush, type Deferred } from '../helpers/deferred.js';

/**
 * A database whose reads and writes the test can hold open: each call parks
 * on a gate when one is queued, so interleavings are chosen, not raced.
 */
class GatedDb {
  readonly rows = new Map<number, string>([[1, 'v1']]);
  readonly readGates: Deferred<void>[] = [];
  readonly writeGates: Deferred<void>[] = [];
  reads = 0;

  async read(id: number): Promise<string | undefined> {
    this.reads++;
    const gate = this.readGates.shift();
    // The row is read when the call starts, like a query that sees the data as of its snapshot.
    const snapshot = this.rows.get(id);
    if (gate) await gate.promise;
    return snapshot;
  }

  async write(id: number, value: string): Promise<void> {
    const gate = this.writeGates.shift();
    if (gate) await gate.promise;
    this.rows.set(id, value);
  }

  holdNextRead(): Deferred<void> {
    const gate = deferred<void>();
    this.readGates.push(gate);
    return gate;
  }

  holdNextWrite(): Deferred<void> {
    const gate = deferred<void>();
    this.writeGates.push(gate);
    return gate;
  }
}

function userService(db: GatedDb) {
  class UserService {
    @AsyncLRU()
    async getUser(id: number): Promise<string | undefined> {
      return db.read(id);
    }

    @LRUInvalidator(() => UserService.prototype.getUser)
    async updateUser(id: number, value: string): Promise<string> {
      await db.write(id, value);
      return `updated ${id}`;
    }

    @LRUInvalidator(() => UserService.prototype.getUser)
    async failingUpdate(id: number, _value: string): Promise<void> {
      void id;
      await flush();
      throw new Error('constraint violated');
    }

    @LRUInvalidator(() => UserService.prototype.getUser, { clearAll: true })
    async replaceAll(value: string): Promise<void> {
      for (const id of db.rows.keys()) await db.write(id, value);
    }
  }
  return new UserService();
}

describe('invalidators: interleavings (controlled promises)', () => {
  it('a read in flight when the mutation starts does not store its old value', async () => {
    const db = new GatedDb();
    const svc = userService(db);
    const readGate = db.holdNextRead();
    const staleRead = svc.getUser(1); // snapshot 'v1', parked
    await flush();
    await svc.updateUser(1, 'v2');
    readGate.resolve();
    expect(await staleRead).toBe('v1'); // its own caller gets what it read
    expect(await svc.getUser(1)).toBe('v2');
    expect(db.reads).toBe(2);
    expect(await svc.getUser(1)).toBe('v2');
    expect(db.reads).toBe(2);
  });

  it('a read that starts and finishes while the mutation runs does not store', async () => {
    const db = new GatedDb();
    const svc = userService(db);
    const writeGate = db.holdNextWrite();
    const mutation = svc.updateUser(1, 'v2');
    await flush();
    expect(await svc.getUser(1)).toBe('v1'); // concurrent with the mutation: old value is allowed
    writeGate.resolve();
    expect(await mutation).toBe('updated 1');
    expect(await svc.getUser(1)).toBe('v2');
  });

  it('a read that starts during the mutation and finishes after it settles does not store', async () => {
    const db = new GatedDb();
    const svc = userService(db);
    const writeGate = db.holdNextWrite();
    const mutation = svc.updateUser(1, 'v2');
    await flush();
    const readGate = db.holdNextRead();
    const during = svc.getUser(1); // snapshot 'v1'
    await flush();
    writeGate.resolve();
    await mutation;
    readGate.resolve();
    expect(await during).toBe('v1');
    expect(await svc.getUser(1)).toBe('v2');
  });

  it('a mutation that throws leaves no stale entry and its error passes through', async () => {
    const db = new GatedDb();
    const svc = userService(db);
    await svc.getUser(1);
    db.rows.set(1, 'changed elsewhere');
    await expect(svc.failingUpdate(1, 'x')).rejects.toThrow('constraint violated');
    expect(await svc.getUser(1)).toBe('changed elsewhere');
  });

  it('two concurrent mutations: reads in between do not store, the last settled value is served', async () => {
    const db = new GatedDb();
    const svc = userService(db);
    await svc.getUser(1);
    const gateA = db.holdNextWrite();
    const gateB = db.holdNextWrite();
    const a = svc.updateUser(1, 'vA');
    const b = svc.updateUser(1, 'vB');
    await flush();
    gateA.resolve();
    await a;
    // B is still running: a read now sees vA but must not cache it
    expect(await svc.getUser(1)).toBe('vA');
    gateB.resolve();
    await b;
    expect(await svc.getUser(1)).toBe('vB');
    expect(await svc.getUser(1)).toBe('vB');
  });

  it('clearAll during loads keeps every in-flight and concurrent load out', async () => {
    const db = new GatedDb();
    db.rows.set(2, 'w1');
    const svc = userService(db);
    const g1 = db.holdNextRead();
    const g2 = db.holdNextRead();
    const r1 = svc.getUser(1);
    const r2 = svc.getUser(2);
    await flush();
    const writeGate = db.holdNextWrite();
    const mutation = svc.replaceAll('all-new');
    await flush();
    expect(await svc.getUser(1)).toBe('v1'); // started during the clear-all, not stored
    g1.resolve();
    g2.resolve();
    expect([await r1, await r2]).toEqual(['v1', 'w1']);
    writeGate.resolve();
    await mutation;
    expect(cacheStats(svc.getUser).size).toBe(0);
    expect(await svc.getUser(1)).toBe('all-new');
    expect(await svc.getUser(2)).toBe('all-new');
  });

  it('invalidateCache during a load keeps that load out; the next read loads again', async () => {
    const db = new GatedDb();
    const svc = userService(db);
    const readGate = db.holdNextRead();
    const inFlight = svc.getUser(1);
    await flush();
    db.rows.set(1, 'v2');
    await invalidateCache(svc.getUser, 1);
    readGate.resolve();
    expect(await inFlight).toBe('v1');
    expect(await svc.getUser(1)).toBe('v2');
  });

  it('clearCache during a load keeps that load out', async () => {
    const db = new GatedDb();
    const svc = userService(db);
    const readGate = db.holdNextRead();
    const inFlight = svc.getUser(1);
    await flush();
    db.rows.set(1, 'v2');
    await clearCache(svc.getUser);
    readGate.resolve();
    expect(await inFlight).toBe('v1');
    expect(await svc.getUser(1)).toBe('v2');
  });

  it('passes the mutation result through unchanged', async () => {
    const result = { ok: true };
    class Svc {
      @AsyncLRU()
      async get(_id: number): Promise<number> {
        return 1;
      }
      @LRUInvalidator(() => Svc.prototype.get)
      async set(_id: number): Promise<{ ok: boolean }> {
        return result;
      }
    }
    expect(await new Svc().set(1)).toBe(result);
  });
});

describe('invalidators: seed 003 examples', () => {
  it('get_user / update_user: miss, hit, update invalidates, miss reloads fresh data', async () => {
    const db = new Map([[1, { name: 'Bob' }]]);
    let loads = 0;
    class Users {
      @AsyncLRU({ maxSize: 128 })
      async getUser(userId: number): Promise<{ name: string } | undefined> {
        loads++;
        return db.get(userId);
      }

      @LRUInvalidator(() => Users.prototype.getUser)
      async updateUser(userId: number, data: { name: string }): Promise<void> {
        db.set(userId, data);
      }
    }
    const users = new Users();
    await users.getUser(1); // miss
    await users.getUser(1); // hit
    expect(loads).toBe(1);
    await users.updateUser(1, { name: 'Alice' });
    expect(await users.getUser(1)).toEqual({ name: 'Alice' });
    expect(loads).toBe(2);
  });

  it('get_session / end_session with @AsyncTTL and @TTLInvalidator', async () => {
    const sessions = new Map([['s1', 'alive']]);
    let loads = 0;
    class Sessions {
      @AsyncTTL({ ttl: 60_000 })
      async getSession(sessionId: string): Promise<string | null> {
        loads++;
        return sessions.get(sessionId) ?? null;
      }

      @TTLInvalidator(() => Sessions.prototype.getSession)
      async endSession(sessionId: string): Promise<void> {
        sessions.delete(sessionId);
      }
    }
    const svc = new Sessions();
    expect(await svc.getSession('s1')).toBe('alive');
    await svc.endSession('s1');
    expect(await svc.getSession('s1')).toBeNull();
    expect(loads).toBe(2);
  });

  it('rebuild_user_index with clear_all clears every entry', async () => {
    let version = 1;
    class Index {
      @AsyncLRU()
      async getUser(id: number): Promise<string> {
        return `${id}@${version}`;
      }

      @LRUInvalidator(() => Index.prototype.getUser, { clearAll: true })
      async rebuildUserIndex(): Promise<void> {
        version++;
      }
    }
    const index = new Index();
    await Promise.all([1, 2, 3].map((id) => index.getUser(id)));
    expect(cacheStats(index.getUser).size).toBe(3);
    await index.rebuildUserIndex();
    expect(cacheStats(index.getUser).size).toBe(0);
    expect(await index.getUser(2)).toBe('2@2');
  });

  it('update_item with key_fn maps the mutation arguments to the cached method', async () => {
    const items = new Map([[7, { name: 'pen', price: 1 }]]);
    class Items {
      @AsyncLRU({ maxSize: 128 })
      async getItem(itemId: number): Promise<{ name: string; price: number } | undefined> {
        return items.get(itemId);
      }

      @LRUInvalidator(() => Items.prototype.getItem, { keyFn: ([itemId]: [number, string, number]) => [itemId] })
      async updateItem(itemId: number, name: string, price: number): Promise<void> {
        items.set(itemId, { name, price });
      }

      // the seed's migration from skip_args=1: the id is the second argument
      @LRUInvalidator(() => Items.prototype.getItem, { keyFn: ([, itemId]: [string, number]) => [itemId] })
      async updateFromAdmin(_admin: string, itemId: number): Promise<void> {
        items.set(itemId, { name: 'admin edit', price: 0 });
      }
    }
    const svc = new Items();
    await svc.getItem(7);
    await svc.updateItem(7, 'pencil', 2);
    expect(await svc.getItem(7)).toEqual({ name: 'pencil', price: 2 });
    await svc.updateFromAdmin('root', 7);
    expect(await svc.getItem(7)).toEqual({ name: 'admin edit', price: 0 });
  });

  it('mutation failure safety: evicted before the mutation, so a failed one leaves nothing stale', async () => {
    let loads = 0;
    class Users {
      @AsyncLRU()
      async getUser(id: number): Promise<string> {
        loads++;
        return `user${id}`;
      }

      @LRUInvalidator(() => Users.prototype.getUser)
      async updateUser(_id: number, _data: object): Promise<void> {
        throw new Error('DB error');
      }
    }
    const users = new Users();
    await users.getUser(1); // loads and caches
    await expect(users.updateUser(1, { x: 'y' })).rejects.toThrow('DB error');
    await users.getUser(1); // cache miss -> reloads
    expect(loads).toBe(2);
  });
});

describe('invalidators: targets and options', () => {
  it('targets a method of another class, by thunk or directly', async () => {
    let loads = 0;
    class Catalog {
      @AsyncLRU()
      async product(id: number): Promise<string> {
        loads++;
        return `p${id}`;
      }
    }
    class Admin {
      @LRUInvalidator(Catalog.prototype.product)
      async rename(_id: number): Promise<void> {}

      @LRUInvalidator(() => Catalog.prototype.product)
      async reprice(_id: number, _cents: number): Promise<void> {}
    }
    const catalog = new Catalog();
    const admin = new Admin();
    await catalog.product(1);
    await admin.rename(1);
    await catalog.product(1);
    await admin.reprice(1, 100);
    await catalog.product(1);
    expect(loads).toBe(3);
  });

  it('several invalidators on one mutation evict every target', async () => {
    let loads = 0;
    class Account {
      @AsyncLRU()
      async profile(id: number): Promise<number> {
        loads++;
        return id;
      }
      @AsyncTTL({ ttl: '1m' })
      async badge(id: number): Promise<number> {
        loads++;
        return id;
      }
      @LRUInvalidator(() => Account.prototype.profile)
      @TTLInvalidator(() => Account.prototype.badge)
      async rename(_id: number, _name: string): Promise<string> {
        return 'renamed';
      }
    }
    const account = new Account();
    await account.profile(1);
    await account.badge(1);
    expect(await account.rename(1, 'x')).toBe('renamed');
    expect(Account.prototype.rename.name).toBe('rename');
    expect(Account.prototype.rename.length).toBe(2);
    await account.profile(1);
    await account.badge(1);
    expect(loads).toBe(4);
  });

  it('passes the instance to keyFn of a same-class target', async () => {
    class Tenant {
      constructor(readonly tenant: string) {}
      loads = 0;
      @AsyncLRU({ keyFn: ([id]: [number], self: Tenant | undefined) => [self?.tenant, id] })
      async get(id: number): Promise<string> {
        this.loads++;
        return `${this.tenant}${id}`;
      }
      @LRUInvalidator(() => Tenant.prototype.get)
      async touch(_id: number): Promise<void> {}
    }
    const acme = new Tenant('acme');
    await acme.get(1);
    await acme.touch(1);
    await acme.get(1);
    expect(acme.loads).toBe(2);
  });

  it('a kind mismatch fails clearly at first use, without running the mutation', async () => {
    let ran = false;
    class Mixed {
      @AsyncTTL()
      async session(_id: string): Promise<number> {
        return 1;
      }
      @LRUInvalidator(() => Mixed.prototype.session)
      async end(_id: string): Promise<void> {
        ran = true;
      }
    }
    await expect(new Mixed().end('s')).rejects.toThrow(
      /@LRUInvalidator on Mixed\.end targets Mixed\.session, which is cached with @AsyncTTL\. Use @TTLInvalidator/,
    );
    expect(ran).toBe(false);
  });

  it('a target that is not a cached method fails clearly', async () => {
    class NotCached {
      async plain(_id: number): Promise<number> {
        return 1;
      }
      @LRUInvalidator(() => NotCached.prototype.plain as never)
      async update(_id: number): Promise<void> {}
    }
    await expect(new NotCached().update(1)).rejects.toThrow(
      /@LRUInvalidator on NotCached\.update: the target must be a method decorated with @AsyncLRU or @AsyncTTL/,
    );
  });

  it('skipArgs is a TypeError that points to keyFn', () => {
    expect(() => {
      class Old {
        @AsyncLRU()
        async get(_id: number): Promise<number> {
          return 1;
        }
        // @ts-expect-error skipArgs is not an invalidator option
        @LRUInvalidator(() => Old.prototype.get, { skipArgs: 1 })
        async update(_self: unknown, _id: number): Promise<void> {}
      }
      return Old;
    }).toThrow(/@LRUInvalidator on Old\.update: invalidators take no "skipArgs" option.*keyFn/);
  });

  it('clearAll with keyFn, and a keyFn that returns a non-array, are errors', async () => {
    expect(() => {
      class Both {
        @AsyncLRU()
        async get(_id: number): Promise<number> {
          return 1;
        }
        @LRUInvalidator(() => Both.prototype.get, { clearAll: true, keyFn: () => [1] } as never)
        async update(): Promise<void> {}
      }
      return Both;
    }).toThrow(/"clearAll: true" and "keyFn" exclude each other/);

    class Scalar {
      @AsyncLRU()
      async get(_id: number): Promise<number> {
        return 1;
      }
      @LRUInvalidator(() => Scalar.prototype.get, { keyFn: (([id]: [number]) => id) as never })
      async update(_id: number): Promise<void> {}
    }
    await expect(new Scalar().update(1)).rejects.toThrow(/keyFn must return the cached method's arguments as an array/);
  });
});

describe('fail-safe (injected clock)', () => {
  function flakyService(store: MemoryStore, failSafe?: '5m') {
    const state = { fail: false, loads: 0 };
    class Prices {
      @AsyncTTL({ ttl: '30s', store, ...(failSafe ? { failSafe } : {}) })
      async price(sku: string): Promise<string> {
        state.loads++;
        if (state.fail) throw new Error('pricing service down');
        return `${sku}:${state.loads}`;
      }

      @TTLInvalidator(() => Prices.prototype.price)
      async reprice(_sku: string): Promise<void> {}
    }
    return { svc: new Prices(), state };
  }

  it('serves the expired value when the reload throws, within the fail-safe window', async () => {
    const clock = new FakeClock();
    const { svc, state } = flakyService(new MemoryStore({ clock }), '5m');
    expect(await svc.price('a')).toBe('a:1');
    clock.advance(31_000); // expired
    state.fail = true;
    expect(await svc.price('a')).toBe('a:1');
    expect(cacheStats(svc.price)).toMatchObject({ failSafeServed: 1, loadErrors: 1 });
    state.fail = false;
    expect(await svc.price('a')).toBe('a:3'); // recovers with a fresh load
  });

  it('propagates the error once the fail-safe window has passed', async () => {
    const clock = new FakeClock();
    const { svc, state } = flakyService(new MemoryStore({ clock }), '5m');
    await svc.price('a');
    clock.advance(30_000 + 5 * 60_000 + 1);
    state.fail = true;
    await expect(svc.price('a')).rejects.toThrow('pricing service down');
  });

  it('without failSafe the reload error propagates', async () => {
    const clock = new FakeClock();
    const { svc, state } = flakyService(new MemoryStore({ clock }));
    await svc.price('a');
    clock.advance(31_000);
    state.fail = true;
    await expect(svc.price('a')).rejects.toThrow('pricing service down');
    expect(cacheStats(svc.price).failSafeServed).toBe(0);
  });

  it('never serves a value that an invalidation removed', async () => {
    const clock = new FakeClock();
    const { svc, state } = flakyService(new MemoryStore({ clock }), '5m');
    await svc.price('a');
    await svc.reprice('a');
    state.fail = true;
    await expect(svc.price('a')).rejects.toThrow('pricing service down');
  });

  it('rejects a non-positive failSafe at decoration time', () => {
    expect(() => {
      class Bad {
        @AsyncTTL({ failSafe: 0 })
        async get(): Promise<number> {
          return 1;
        }
      }
      return Bad;
    }).toThrow(/@AsyncTTL on Bad\.get: option "failSafe" must be a positive duration/);
  });
});
