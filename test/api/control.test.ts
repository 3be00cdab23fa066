import { describe, expect, it } from '@jest/globals';
import { AsyncLRU, AsyncTTL, cacheStats, clearCache, invalidateCache, withCacheOptions } from '../../lib/index.js';
import { deferred, flush } from '../helpers/deferred.js';

class UserService {
  loads = 0;
  @AsyncLRU()
  async getUser(id: number): Promise<{ id: number; version: number }> {
    this.loads++;
    return { id, version: this.loads };
  }

  @AsyncTTL({ ttl: '1m' })
  async search(term: string, page = 1): Promise<string> {
    this.loads++;
    return `${term}:${page}:${this.loads}`;
  }
}

describe('per-call control', () => {
  it('invalidateCache removes one entry and reports whether it did', async () => {
    const svc = new UserService();
    await svc.getUser(1);
    await svc.getUser(2);
    expect(await invalidateCache(svc.getUser, 1)).toBe(true);
    expect(await invalidateCache(svc.getUser, 1)).toBe(false);
    expect((await svc.getUser(1)).version).toBe(3);
    expect((await svc.getUser(2)).version).toBe(2);
  });

  it('invalidateCache derives the key like a call does (defaults, trailing undefined)', async () => {
    const svc = new UserService();
    await svc.search('ada');
    // search('ada') was called without page: its key is ['ada'], not ['ada', 1]
    expect(await invalidateCache(svc.search, 'ada', 1)).toBe(false);
    expect(await invalidateCache(svc.search, 'ada', undefined)).toBe(true);
  });

  it('clearCache removes every entry of the method only', async () => {
    const svc = new UserService();
    await svc.getUser(1);
    await svc.getUser(2);
    await svc.search('x');
    await clearCache(svc.getUser);
    expect(cacheStats(svc.getUser).size).toBe(0);
    expect(cacheStats(svc.search).size).toBe(1);
    const before = svc.loads;
    await svc.getUser(1);
    expect(svc.loads).toBe(before + 1);
  });

  it('useCache: false neither reads nor writes, for that one call', async () => {
    const svc = new UserService();
    const cached = await svc.getUser(7);
    const fresh = await withCacheOptions({ useCache: false }, () => svc.getUser(7));
    expect(fresh.version).toBe(cached.version + 1);
    expect(await svc.getUser(7)).toBe(cached); // the bypass did not overwrite the entry
    await withCacheOptions({ useCache: false }, () => svc.getUser(8));
    const stats = cacheStats(svc.getUser);
    expect(stats.bypassed).toBe(2);
    expect(await invalidateCache(svc.getUser, 8)).toBe(false); // nothing was written for 8
  });

  it('refresh: true reloads and stores the new value', async () => {
    const svc = new UserService();
    const first = await svc.getUser(5);
    const refreshed = await withCacheOptions({ refresh: true }, () => svc.getUser(5));
    expect(refreshed.version).toBe(first.version + 1);
    expect(await svc.getUser(5)).toBe(refreshed);
  });

  it('applies only to the first decorated call in the callback, not to calls nested inside it', async () => {
    class Outer {
      innerLoads = 0;
      @AsyncLRU()
      async inner(id: number): Promise<number> {
        return ++this.innerLoads * 100 + id;
      }
      @AsyncLRU()
      async outer(id: number): Promise<number> {
        return this.inner(id);
      }
    }
    const svc = new Outer();
    expect(await svc.inner(1)).toBe(101);
    // outer bypasses its cache; its nested inner(1) still uses the cache
    expect(await withCacheOptions({ useCache: false }, () => svc.outer(1))).toBe(101);
    expect(svc.innerLoads).toBe(1);
    expect(cacheStats(svc.outer).bypassed).toBe(1);
    expect(cacheStats(svc.inner).hits).toBe(1);
  });

  it('a refresh does not let an older in-flight load overwrite it', async () => {
    const gates = [deferred<string>(), deferred<string>()];
    let calls = 0;
    class Svc {
      @AsyncLRU()
      get(_id: number): Promise<string> {
        return gates[calls++]!.promise;
      }
    }
    const svc = new Svc();
    const old = svc.get(1);
    await flush();
    const refreshed = withCacheOptions({ refresh: true }, () => svc.get(1));
    gates[1]!.resolve('new');
    expect(await refreshed).toBe('new');
    gates[0]!.resolve('old');
    expect(await old).toBe('old');
    expect(await svc.get(1)).toBe('new');
  });

  it('throws when the callback made no decorated call, instead of ignoring the options', () => {
    expect(() => withCacheOptions({ useCache: false }, () => Promise.resolve(1))).toThrow(
      /fn made no synchronous call to a cached method/,
    );
  });

  it('rejects malformed and contradictory options', () => {
    const svc = new UserService();
    expect(() => withCacheOptions({ useCache: 'no' } as never, () => svc.getUser(1))).toThrow(TypeError);
    expect(() => withCacheOptions({ bypass: true } as never, () => svc.getUser(1))).toThrow(
      /"useCache" and\/or "refresh"/,
    );
    expect(() => withCacheOptions({ useCache: false, refresh: true }, () => svc.getUser(1))).toThrow(
      /contradict each other/,
    );
  });

  it('does not leak options to later calls when the callback throws', async () => {
    const svc = new UserService();
    await svc.getUser(9);
    expect(() =>
      withCacheOptions({ useCache: false }, () => {
        throw new Error('before any call');
      }),
    ).toThrow('before any call');
    const loads = svc.loads;
    await svc.getUser(9);
    expect(svc.loads).toBe(loads);
  });

  it('names the API and the value when given a function that is not cached', async () => {
    const plain = async (id: number) => id;
    await expect(invalidateCache(plain, 1)).rejects.toThrow(
      /invalidateCache: function plain is not a method decorated with @AsyncLRU or @AsyncTTL/,
    );
    await expect(clearCache(plain)).rejects.toThrow(/clearCache: function plain/);
    expect(() => cacheStats(plain)).toThrow(/cacheStats: function plain/);
  });
});
