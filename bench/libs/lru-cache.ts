/** lru-cache wired by hand: look up, else await the loader and store. No single-flight. */
import { LRUCache } from 'lru-cache';
import type { Build, Built, BuildSpec } from './contract.js';

export const build: Build = <A>(spec: BuildSpec<A>): Built<A> => {
  const { loader, mapKey } = spec;
  const lru = new LRUCache<NonNullable<unknown>, NonNullable<unknown>>({ max: spec.max });
  return {
    svc: {
      async get(arg: A): Promise<unknown> {
        const key = mapKey(arg) as NonNullable<unknown>;
        const hit = lru.get(key);
        if (hit !== undefined) return hit;
        const value = (await loader(arg)) as NonNullable<unknown>;
        lru.set(key, value);
        return value;
      },
    },
    size: () => lru.size,
  };
};
