import { describe, expect, it } from '@jest/globals';
import { AsyncLRU, AsyncTTL, clearCache, invalidateCache, MemoryStore, VaryError } from '../../lib/index.js';
import { inTenant, tenantSettings } from '../helpers/tenants.js';

/**
 * `vary`: request-context parts of every key, on the memory store. The
 * context is a plain AsyncLocalStorage (test/nest-redis/vary.e2e.test.ts runs it
 * with nestjs-cls in a Nest app, and test/stores/redis/vary.test.ts on Redis
 * and the tiered store).
 */
/** The tenant-keyed settings service on a memory store of its own. */
const service = () => tenantSettings(new MemoryStore());

describe('vary', () => {
  it('keeps one entry per context for the same arguments', async () => {
    const { svc, loads } = service();
    const a1 = await inTenant('a', () => svc.get('theme'));
    const b1 = await inTenant('b', () => svc.get('theme'));
    expect(a1).toBe('a:theme:1');
    expect(b1).toBe('b:theme:2');
    expect(await inTenant('a', () => svc.get('theme'))).toBe(a1);
    expect(await inTenant('b', () => svc.get('theme'))).toBe(b1);
    expect(loads).toEqual(['a:theme', 'b:theme']);
  });

  it("an invalidator evicts the current context's entry only", async () => {
    const { svc, loads } = service();
    await inTenant('a', () => svc.get('theme'));
    await inTenant('b', () => svc.get('theme'));
    await inTenant('a', () => svc.set('theme'));
    expect(await inTenant('b', () => svc.get('theme'))).toBe('b:theme:2'); // kept
    expect(await inTenant('a', () => svc.get('theme'))).toBe('a:theme:3'); // reloaded
    expect(loads).toHaveLength(3);
  });

  it("invalidateCache evicts the current context's entry; clearCache every context's", async () => {
    const { svc, loads } = service();
    await inTenant('a', () => svc.get('theme'));
    await inTenant('b', () => svc.get('theme'));
    expect(await inTenant('b', () => invalidateCache(svc.get, 'theme'))).toBe(true);
    await inTenant('a', () => svc.get('theme'));
    await inTenant('b', () => svc.get('theme'));
    expect(loads).toHaveLength(3);
    await clearCache(svc.get);
    await inTenant('a', () => svc.get('theme'));
    await inTenant('b', () => svc.get('theme'));
    expect(loads).toHaveLength(5);
  });

  it('outside any context the call rejects with VaryError and the method does not run', async () => {
    const { svc, loads } = service();
    await inTenant('a', () => svc.get('theme'));
    const error = await svc.get('theme').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VaryError);
    expect(error).toMatchObject({ code: 'E_VARY', method: 'Settings.get' });
    expect((error as Error).message).toMatch(
      /^Settings\.get: option "vary" returned undefined; it must return a non-empty array of strings, numbers or booleans/,
    );
    // A mutation outside any context cannot know whose entry to evict: it rejects before running.
    await expect(svc.set('theme')).rejects.toBeInstanceOf(VaryError);
    await expect(invalidateCache(svc.get, 'theme')).rejects.toBeInstanceOf(VaryError);
    expect(loads).toEqual(['a:theme']);
    expect(await inTenant('a', () => svc.get('theme'))).toBe('a:theme:1'); // untouched
  });

  it('a vary that throws, or returns parts a key cannot hold, rejects naming the method and the option', async () => {
    const store = new MemoryStore();
    let parts: unknown = [];
    let runs = 0;
    class Profiles {
      @AsyncLRU({ store, vary: () => parts as readonly string[] })
      async get(id: number): Promise<number> {
        runs++;
        return id;
      }

      @AsyncLRU({
        store,
        vary: () => {
          throw new Error('no request in scope');
        },
      })
      async other(id: number): Promise<number> {
        runs++;
        return id;
      }
    }
    const profiles = new Profiles();
    await expect(profiles.get(1)).rejects.toThrow(/Profiles\.get: option "vary" returned \[\]/);
    parts = [{ tenant: 'a' }];
    await expect(profiles.get(1)).rejects.toThrow(VaryError);
    parts = ['a', undefined];
    await expect(profiles.get(1)).rejects.toThrow(VaryError);
    await expect(profiles.other(1)).rejects.toThrow(/Profiles\.other: option "vary" threw \(no request in scope\)/);
    expect(runs).toBe(0);
    parts = ['a', 7, false];
    expect(await profiles.get(1)).toBe(1);
  });

  it('context and arguments never combine into the key of another pair', async () => {
    const store = new MemoryStore();
    let context = '';
    let runs = 0;
    class Keys {
      @AsyncLRU({ store, vary: () => [context] })
      async get(key: string): Promise<string> {
        runs++;
        return `${context}|${key}`;
      }
    }
    const keys = new Keys();
    context = 'a\0sb';
    expect(await keys.get('c')).toBe('a\0sb|c');
    context = 'a';
    expect(await keys.get('b\0sc')).toBe('a|b\0sc');
    expect(runs).toBe(2);
  });

  it('a non-function vary is a TypeError when the decorator is applied', () => {
    expect(() => {
      class Bad {
        @AsyncTTL({ vary: ['tenant'] as never })
        async get(): Promise<number> {
          return 1;
        }
      }
      void Bad;
    }).toThrow(/option "vary"/);
  });
});
