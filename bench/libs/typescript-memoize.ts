/**
 * typescript-memoize: `@Memoize()` (legacy decorator). It caches the returned
 * promise itself in a per-instance `Map` with no bound and no eviction. Numbers
 * key by the first argument (its default); objects need a `hashFunction`
 * (`JSON.stringify`), as its default would key every object by identity.
 */
import { Memoize } from 'typescript-memoize';
import type { Build, Built, BuildSpec } from './contract.js';

export const build: Build = <A>(spec: BuildSpec<A>): Built<A> => {
  const { loader } = spec;
  class Service {
    @Memoize()
    get(arg: A): Promise<unknown> {
      return loader(arg);
    }
  }
  return { svc: new Service() };
};

export const buildObjectKeys: Build = <A>(spec: BuildSpec<A>): Built<A> => {
  const { loader } = spec;
  class Service {
    @Memoize({ hashFunction: (arg: unknown) => JSON.stringify(arg) })
    get(arg: A): Promise<unknown> {
      return loader(arg);
    }
  }
  return { svc: new Service() };
};
