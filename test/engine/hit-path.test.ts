import { describe, expect, it } from '@jest/globals';
import { AsyncLRU, cacheStats, invalidateCache } from '../../lib/index.js';

describe('engine: hit path', () => {
  it('answers hits on alternating keys with each key’s own value', async () => {
    class Svc {
      @AsyncLRU()
      async get(id: number): Promise<{ id: number }> {
        return { id };
      }
    }
    const svc = new Svc();
    const one = await svc.get(1);
    const two = await svc.get(2);
    for (let i = 0; i < 3; i++) {
      expect(await svc.get(1)).toBe(one);
      expect(await svc.get(2)).toBe(two);
    }
    expect(cacheStats(svc.get)).toMatchObject({ hits: 6, misses: 2 });
  });

  it('shares one settled promise between hits on one value, and a new one once it changed', async () => {
    let version = 0;
    class Svc {
      @AsyncLRU()
      async get(id: number): Promise<{ id: number; version: number }> {
        return { id, version: ++version };
      }
    }
    const svc = new Svc();
    const first = await svc.get(1);
    const hit = svc.get(1);
    expect(svc.get(1)).toBe(hit);
    await invalidateCache(svc.get, 1);
    const second = await svc.get(1);
    expect(second).not.toBe(first);
    const after = svc.get(1);
    expect(after).not.toBe(hit);
    expect(await after).toBe(second);
    expect(await hit).toBe(first);
  });

  it('answers a cached undefined, null or NaN as a hit', async () => {
    const values: unknown[] = [undefined, null, NaN];
    class Svc {
      loads = 0;
      @AsyncLRU()
      async get(i: number): Promise<unknown> {
        this.loads++;
        return values[i];
      }
    }
    const svc = new Svc();
    for (let i = 0; i < values.length; i++) await svc.get(i);
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < values.length; i++) expect(await svc.get(i)).toBe(values[i]);
    }
    expect(svc.loads).toBe(3);
  });
});
