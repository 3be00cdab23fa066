/**
 * The Redis group's adapters: raw ioredis by hand (the floors) and memokit on
 * a RedisStore or a TieredStore. They talk to the runner's private
 * redis-server (`bench/redis-server.ts`), whose URL is in the environment.
 * Keys carry the process id, so rounds never read each other's entries.
 */
import { Redis } from 'ioredis';
import { AsyncLRU, AsyncTTL, cacheStats, type CacheStore, type Duration } from 'memokit';
import { RedisStore } from 'memokit/redis';
import { TieredStore } from 'memokit/tiered';
import { REDIS_URL_ENV } from '../redis-server.js';
import type { Build, Built, BuildSpec } from './contract.js';

function redisUrl(): string {
  const url = process.env[REDIS_URL_ENV];
  if (url === undefined || url === '')
    throw new Error(`${REDIS_URL_ENV} is not set: run the Redis group through run.ts`);
  return url;
}

const prefix = (): string => `bench${process.pid}`;

/**
 * The floor: `JSON.parse(await redis.get(key))` on a plain ioredis client (on
 * a miss, the priming call, it loads and `SET`s the JSON).
 */
export function buildRaw(options: { readonly autoPipelining: boolean }): Build {
  return async <A>(spec: BuildSpec<A>): Promise<Built<A>> => {
    const { loader, stringKey } = spec;
    const redis = new Redis(redisUrl(), { enableAutoPipelining: options.autoPipelining });
    const ns = `${prefix()}:raw:`;
    return {
      svc: {
        async get(arg: A): Promise<unknown> {
          const key = ns + stringKey(arg);
          const hit = await redis.get(key);
          if (hit !== null) return JSON.parse(hit) as unknown;
          const value = await loader(arg);
          await redis.set(key, JSON.stringify(value));
          return value;
        },
      },
    };
  };
}

async function ready(store: { ready(): Promise<boolean> }, what: string): Promise<void> {
  if (!(await store.ready())) throw new Error(`${what} did not become ready`);
}

function decorated<A>(store: CacheStore, spec: BuildSpec<A>, ttl?: Duration): Built<A> {
  const { loader } = spec;
  class Service {
    @AsyncLRU({ store, maxSize: spec.max })
    get(arg: A): Promise<unknown> {
      return loader(arg);
    }
  }
  class ExpiringService {
    @AsyncTTL({ store, maxSize: spec.max, ttl: ttl ?? '1h' })
    get(arg: A): Promise<unknown> {
      return loader(arg);
    }
  }
  const svc = ttl === undefined ? new Service() : new ExpiringService();
  return { svc, size: () => cacheStats(svc.get).size, stats: () => cacheStats(svc.get) };
}

/**
 * `@AsyncLRU({ store, maxSize })` on a plain RedisStore (no L1): every hit reads Redis. With
 * `autoPipelining`, the store gets its client as `{ client }`: `RedisStore.clientOptions()` plus
 * `enableAutoPipelining: true`; otherwise it creates its own from `{ url, prefix }`. With `ttl`,
 * `@AsyncTTL({ ttl })` instead: entries that expire, whose header carries their write time.
 */
export function buildMemokitRedis(options: { readonly autoPipelining: boolean; readonly ttl?: Duration }): Build {
  return async <A>(spec: BuildSpec<A>): Promise<Built<A>> => {
    const store = options.autoPipelining
      ? new RedisStore({
          client: new Redis(redisUrl(), { ...RedisStore.clientOptions(), enableAutoPipelining: true }),
          prefix: prefix(),
        })
      : new RedisStore({ url: redisUrl(), prefix: prefix() });
    await ready(store, 'RedisStore');
    return decorated(store, spec, options.ttl);
  };
}

/** `@AsyncLRU({ store, maxSize })` on `new TieredStore({ redis: { url, prefix } })`: hits are L1 hits. */
export const buildMemokitTiered: Build = async <A>(spec: BuildSpec<A>): Promise<Built<A>> => {
  const store = new TieredStore({ redis: { url: redisUrl(), prefix: prefix() } });
  await ready(store, 'TieredStore');
  return decorated(store, spec);
};
