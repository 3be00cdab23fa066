/**
 * bentocache 1.6: `bento.getOrSet({ key, factory, ttl })` on a single-tier
 * store with the memory driver only (`maxItems` = the workload's bound, its
 * default `serialize: true`, so values are stored as JSON and hits return
 * copies). Keys are strings.
 */
import { BentoCache, bentostore } from 'bentocache';
import { memoryDriver } from 'bentocache/drivers/memory';
import type { Build, Built, BuildSpec } from './contract.js';

export const build: Build = <A>(spec: BuildSpec<A>): Built<A> => {
  const { loader, stringKey } = spec;
  const bento = new BentoCache({
    default: 'memory',
    stores: { memory: bentostore().useL1Layer(memoryDriver({ maxItems: spec.max })) },
  });
  return {
    svc: {
      get: (arg: A) => bento.getOrSet({ key: stringKey(arg), factory: () => loader(arg), ttl: '1h' }),
    },
  };
};
