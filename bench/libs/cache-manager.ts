/**
 * cache-manager 7: `cache.wrap(key, fn)` over the in-memory store its readme
 * recommends (`createKeyv({ lruSize })` from cacheable: CacheableMemory behind
 * Keyv), with a one-hour TTL. Keys are strings.
 */
import { createCache } from 'cache-manager';
import { createKeyv } from 'cacheable';
import { HOUR_MS, type Build, type Built, type BuildSpec } from './contract.js';

export const build: Build = <A>(spec: BuildSpec<A>): Built<A> => {
  const { loader, stringKey } = spec;
  const cache = createCache({ stores: [createKeyv({ lruSize: spec.max })], ttl: HOUR_MS });
  return {
    svc: {
      get: (arg: A) => cache.wrap(stringKey(arg), () => loader(arg)),
    },
  };
};
