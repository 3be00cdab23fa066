/** The configurations the e2e bench measures, in the order it runs them. */

export type CacheMode = 'none' | 'memokit' | 'nest-cache-manager';
export type Store = 'none' | 'memory' | 'redis' | 'tiered';

export interface Configuration {
  /** Stable id, e.g. `memokit-tiered-x3` (`--only` takes these). */
  readonly id: string;
  readonly label: string;
  readonly mode: CacheMode;
  readonly store: Store;
  readonly instances: number;
}

/** The contract's environment for one configuration (the database's variables are added by the runner). */
export function configurationEnv(config: Configuration, redisUrl: string | undefined): Record<string, string> {
  const env: Record<string, string> = { CACHE_MODE: config.mode };
  if (config.store === 'redis' || config.store === 'tiered') {
    if (redisUrl === undefined) throw new Error(`e2e: ${config.id} needs Redis`);
    env.REDIS_URL = redisUrl;
    if (config.mode === 'memokit') env.CACHE_TIER = config.store;
  }
  return env;
}

export const needsRedis = (config: Configuration): boolean => config.store === 'redis' || config.store === 'tiered';

const one = (id: string, label: string, mode: CacheMode, store: Store): Configuration => ({
  id,
  label,
  mode,
  store,
  instances: 1,
});

const three = (config: Configuration): Configuration => ({
  ...config,
  id: `${config.id}-x3`,
  label: `${config.label}, 3 instances`,
  instances: 3,
});

const none = one('none', 'no cache', 'none', 'none');
const memokitMemory = one('memokit-memory', 'memokit, memory', 'memokit', 'memory');
const nestMemory = one('nest-memory', '@nestjs/cache-manager, memory', 'nest-cache-manager', 'memory');
const memokitRedis = one('memokit-redis', 'memokit, Redis', 'memokit', 'redis');
const nestRedis = one('nest-redis', '@nestjs/cache-manager, Redis (Keyv)', 'nest-cache-manager', 'redis');
const memokitTiered = one('memokit-tiered', 'memokit, tiered (memory + Redis)', 'memokit', 'tiered');

/**
 * Single instances first (the three that the throughput targets compare run back to back), then 3 instances
 * behind the round-robin proxy: memokit on Redis and tiered (0 stale reads is the target), and
 * @nestjs/cache-manager on memory (a cache per instance: stale reads expected, the comparison's point) and on Redis.
 */
export const CONFIGURATIONS: readonly Configuration[] = [
  none,
  memokitMemory,
  nestMemory,
  memokitRedis,
  nestRedis,
  memokitTiered,
  three(memokitRedis),
  three(memokitTiered),
  three(nestMemory),
  three(nestRedis),
];

/** Ids the throughput targets compare. */
export const TARGET_IDS = { none: none.id, memokitMemory: memokitMemory.id, nestMemory: nestMemory.id } as const;
