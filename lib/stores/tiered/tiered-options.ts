import { parseDuration, type Duration } from '../../util/duration.js';
import { messages } from '../../util/messages.js';
import { assertKnownOptions } from '../../util/options.js';
import { isStore } from '../contract.js';
import { MemoryStore, type MemoryStoreOptions } from '../memory/memory-store.js';
import { RedisStore, type RedisStoreOptions } from '../redis/index.js';
import { createStore } from '../any-url.js';
import type { InvalidationBus } from './bus-message.js';
import { RedisBus } from './bus.js';
import type { SharedTier } from './shared-tier.js';

/**
 * Options of a {@link TieredStore}.
 *
 * @example
 * ```ts
 * new TieredStore({ redis: { url: 'redis://127.0.0.1:6379', prefix: 'shop' }, l1: { max: 10_000 }, l1Ttl: '30s' });
 * ```
 */
export interface TieredStoreOptions {
  /**
   * L2: the Redis store shared by every process, the options to create one,
   * or a `redis://` URL with its query options (`?prefix=shop&ttl=10m`). With
   * options or a URL, the bus uses the same server.
   */
  redis: RedisStore | RedisStoreOptions | string;
  /**
   * The invalidation bus. Required when `redis` is a store instance.
   *
   * @default a RedisBus on `redis`'s URL/options, channel `<prefix>:memokit:bus`
   */
  bus?: InvalidationBus;
  /**
   * L1: in-process memory store options (or a store).
   *
   * @default new MemoryStore()
   */
  l1?: MemoryStore | MemoryStoreOptions;
  /**
   * Longest time an entry stays in L1 (never longer than its L2 TTL).
   * Shorter values bound how long a process that misses invalidations could
   * serve from L1 before re-reading Redis. An entry whose TTL is at most
   * `l1Ttl` keeps its own expiry in L1, so `refreshAhead` is checked on its
   * L1 hits; a longer one's L1 copy does not know its age, and is checked
   * when a process re-reads it from Redis (keep `l1Ttl` shorter than the
   * refresh zone then).
   *
   * @default '30s'
   */
  l1Ttl?: Duration;
}

const OPTIONS = ['redis', 'bus', 'l1', 'l1Ttl'] as const;

/** The parts of a tiered store its options give (stores and bus created when options describe them). */
export interface Tiers {
  readonly l1: MemoryStore;
  readonly l2: SharedTier;
  /** Whether the tiered store created L2 (and closes it). */
  readonly ownsL2: boolean;
  readonly bus: InvalidationBus;
  /** `l1Ttl` in ms. */
  readonly l1Ttl: number;
}

/**
 * Checks the options of `new TieredStore()` and creates what they describe:
 * the L1 memory store, the Redis store and a bus on the same servers.
 *
 * @example
 * ```ts
 * const { l1, l2, bus } = tiersOf({ redis: 'redis://127.0.0.1:6379?prefix=shop' }, 'new TieredStore()');
 * ```
 */
export function tiersOf(options: TieredStoreOptions, where: string): Tiers {
  assertKnownOptions(where, options, OPTIONS);
  const redisOption: unknown = options.redis;
  const given = isStore(redisOption) ? redisOption : undefined;
  const ownsL2 = given === undefined;
  const redis =
    typeof redisOption === 'object' && redisOption !== null && ownsL2 ? (redisOption as RedisStoreOptions) : undefined;
  // The bus opens its connections with client.duplicate(): refuse a client it cannot duplicate before anything connects.
  if (
    options.bus === undefined &&
    redis?.client !== undefined &&
    typeof (redis.client as { duplicate?: unknown }).duplicate !== 'function'
  ) {
    throw new TypeError(messages.TIERED_BUS_CLIENT(where));
  }
  const l1Ttl = parseDuration(options.l1Ttl ?? '30s', where, 'l1Ttl');
  let l2: SharedTier;
  if (given !== undefined) l2 = given as SharedTier;
  else if (typeof redisOption === 'string') l2 = createStore(redisOption) as RedisStore;
  else l2 = new RedisStore(redisOption as RedisStoreOptions);
  let bus = options.bus;
  if (bus === undefined) {
    if (!ownsL2) throw new TypeError(messages.TIERED_NEEDS_BUS(where));
    if (typeof redisOption === 'string') {
      const url = new URL(redisOption);
      const channel = `${url.searchParams.get('prefix') ?? 'memokit'}:memokit:bus`;
      url.search = '';
      bus = new RedisBus({ url: url.href, channel });
    } else {
      const options = redisOption as RedisStoreOptions;
      const channel = `${options.prefix ?? 'memokit'}:memokit:bus`;
      // The same servers as the store, however it was configured: a client (Redis or Cluster) is duplicated.
      bus =
        options.client !== undefined
          ? new RedisBus({ client: options.client, channel })
          : new RedisBus({ url: options.url, redis: options.redis, channel });
    }
  }
  const l1 = options.l1 instanceof MemoryStore ? options.l1 : new MemoryStore(options.l1 ?? {});
  return { l1, l2, ownsL2, bus, l1Ttl };
}
