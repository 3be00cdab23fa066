/** memokit through its decorators, on the process-default MemoryStore. Stats and single-flight are always on. */
import { AsyncLRU, AsyncTTL, cacheStats } from 'memokit';
import type { Build, Built, BuildSpec } from './contract.js';

function built<A>(svc: { get(arg: A): Promise<unknown> }): Built<A> {
  return {
    svc,
    size: () => cacheStats(svc.get).size,
    stats: () => cacheStats(svc.get),
  };
}

/** `@AsyncLRU({ maxSize })`. */
export const buildLru: Build = <A>(spec: BuildSpec<A>): Built<A> => {
  const { loader } = spec;
  class Service {
    @AsyncLRU({ maxSize: spec.max })
    get(arg: A): Promise<unknown> {
      return loader(arg);
    }
  }
  return built(new Service());
};

/** `@AsyncTTL({ ttl: '1h', maxSize })`. */
export const buildTtl: Build = <A>(spec: BuildSpec<A>): Built<A> => {
  const { loader } = spec;
  class Service {
    @AsyncTTL({ ttl: '1h', maxSize: spec.max })
    get(arg: A): Promise<unknown> {
      return loader(arg);
    }
  }
  return built(new Service());
};
