/**
 * The floors: the cache one would write by hand, with no library.
 *
 * {@link build} is a `Map` bounded by a ring buffer of keys in insertion
 * order (FIFO eviction). On the workloads measured here it does the same
 * observable work as an LRU: hits never reorder anything a FIFO would keep
 * differently within the bound, and on the miss workload every key is new, so
 * the least recently used entry is the oldest inserted. It is the cheapest
 * correct bounded cache in JavaScript, O(1) per operation. (Evicting
 * `map.keys().next().value` instead is a trap: V8 leaves deleted slots as holes
 * that the iterator skips one by one, so that "obvious" floor runs about 80x
 * slower than this one at 10,000 entries.)
 */
import type { Build, Built, BuildSpec } from './contract.js';

export const build: Build = <A>(spec: BuildSpec<A>): Built<A> => {
  const { loader, mapKey, max } = spec;
  const map = new Map<unknown, unknown>();
  const ring: unknown[] = new Array<unknown>(max);
  let head = 0;
  return {
    svc: {
      async get(arg: A): Promise<unknown> {
        const key = mapKey(arg);
        const hit = map.get(key);
        if (hit !== undefined) return hit;
        const value = await loader(arg);
        if (map.size >= max) map.delete(ring[head]);
        ring[head] = key;
        head = head + 1 === max ? 0 : head + 1;
        map.set(key, value);
        return value;
      },
    },
    size: () => map.size,
  };
};

/** The memory floor: a plain `Map` holding the same objects, nothing else. */
export const buildUnbounded: Build = <A>(spec: BuildSpec<A>): Built<A> => {
  const { loader, mapKey } = spec;
  const map = new Map<unknown, unknown>();
  return {
    svc: {
      async get(arg: A): Promise<unknown> {
        const key = mapKey(arg);
        const hit = map.get(key);
        if (hit !== undefined) return hit;
        const value = await loader(arg);
        map.set(key, value);
        return value;
      },
    },
    size: () => map.size,
  };
};
