import { type CacheStore } from 'memokit';
import { createStore } from 'memokit/redis';
import { TieredStore } from 'memokit/tiered';

/**
 * The one place the sample app chooses its cache store.
 *
 * - `REDIS_URL` unset: `undefined`, so `CacheModule.forRoot()` creates its
 *   default in-memory store (and closes it at shutdown).
 * - `REDIS_URL=redis://127.0.0.1:6379/0?prefix=catalog`: a tiered store —
 *   memory L1 in front of that Redis, with a pub/sub invalidation bus — so
 *   every instance pointed at the same Redis shares entries and keeps its
 *   in-memory copies coherent. With `CACHE_TIER=redis`: that Redis alone
 *   (`createStore(REDIS_URL)`), no in-memory copies.
 *
 * Switching stores is a one-line change here.
 */
export function cacheStoreFromEnv(env: NodeJS.ProcessEnv = process.env): CacheStore | undefined {
  const url = env.REDIS_URL?.trim();
  const tier = env.CACHE_TIER?.trim() || undefined;
  if (tier !== undefined && tier !== 'redis' && tier !== 'tiered') {
    throw new TypeError(`CACHE_TIER must be "redis" or "tiered", got ${JSON.stringify(env.CACHE_TIER)}`);
  }
  if (url === undefined || url === '') {
    if (tier !== undefined) throw new TypeError(`CACHE_TIER=${tier} needs REDIS_URL: set it, or unset CACHE_TIER`);
    return undefined;
  }
  return tier === 'redis' ? createStore(url) : new TieredStore({ redis: url });
}

/** A store's URL without its password, for logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.href;
  } catch {
    return '(unparsable URL)';
  }
}

/**
 * Waits until a store that connects somewhere (Redis) answers, up to
 * `timeoutMs`. Stores fail open, so the app works before that too: calls just
 * miss the cache and read the database. Resolves whether the store is ready.
 */
export async function waitForStore(store: CacheStore | undefined, timeoutMs = 3000): Promise<boolean> {
  const ready = (store as { ready?: (timeout: number) => Promise<boolean> } | undefined)?.ready;
  if (typeof ready !== 'function') return true;
  return ready.call(store, timeoutMs);
}

/**
 * Logs when a store that connects somewhere (Redis) stops answering and when
 * it is back, so a person watching the app knows why queries went up.
 */
export function logStoreHealth(
  store: CacheStore | undefined,
  logger: { warn(message: string): void; log(message: string): void },
): void {
  const on = (store as { on?: (event: string, listener: (error?: Error) => void) => unknown } | undefined)?.on;
  if (typeof on !== 'function') return;
  on.call(store, 'unavailable', (error) =>
    logger.warn(`cache store unavailable (${error?.message ?? 'no answer'}): requests read the database`),
  );
  on.call(store, 'available', () => logger.log('cache store available again'));
}
