/** memokit through its decorators, on the process-default MemoryStore. Stats and single-flight are always on. */
import { adviseCache, AsyncLRU, AsyncTTL, cacheStats, type AdvisorOptions, type CacheAdvice } from 'memokit';
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

/** The method {@link buildLruWithAdvisor} built last (one per child process). */
let advised: ((arg: never) => Promise<unknown>) | undefined;

/** `@AsyncLRU({ maxSize, advisor })`: the sizing advisor records every call. */
export function buildLruWithAdvisor(advisor: boolean | number | AdvisorOptions): Build {
  return <A>(spec: BuildSpec<A>): Built<A> => {
    const { loader } = spec;
    class Service {
      @AsyncLRU({ maxSize: spec.max, advisor })
      get(arg: A): Promise<unknown> {
        return loader(arg);
      }
    }
    const svc = new Service();
    advised = svc.get;
    return built(svc);
  };
}

/** The advisor's report on the method {@link buildLruWithAdvisor} built. */
export function adviceOfBuilt(): CacheAdvice {
  if (advised === undefined) throw new Error('no method with the advisor was built in this process');
  return adviseCache(advised);
}
