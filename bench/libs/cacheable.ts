/**
 * cacheable 2: `cache.getOrSet(key, fn)` on a `Cacheable` whose primary store
 * is its in-memory LRU (`createKeyv({ lruSize })`), with a one-hour TTL. Keys
 * are strings.
 */
import { Cacheable, createKeyv } from 'cacheable';
import { HOUR_MS, type Build, type Built, type BuildSpec } from './contract.js';

export const build: Build = <A>(spec: BuildSpec<A>): Built<A> => {
  const { loader, stringKey } = spec;
  const cache = new Cacheable({ primary: createKeyv({ lruSize: spec.max }), ttl: HOUR_MS });
  return {
    svc: {
      get: (arg: A) => cache.getOrSet(stringKey(arg), () => loader(arg)),
    },
  };
};
