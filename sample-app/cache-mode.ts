import { Inject, Injectable } from '@nestjs/common';
import { withCacheOptions } from 'memokit';

/**
 * How the app caches (`CACHE_MODE`), for comparing under load:
 *
 * - `memokit` (default): the decorated services, as a memokit user writes them;
 * - `none`: the same services with every read made with `useCache: false`, so
 *   every GET runs its query (the database baseline);
 * - `nest-cache-manager`: the product routes cached the way
 *   `@nestjs/cache-manager` users do (its `CacheInterceptor`, `del` on write);
 *   see `catalog/cache-manager.controller.ts`.
 */
export type CacheMode = 'memokit' | 'none' | 'nest-cache-manager';

const MODES: readonly CacheMode[] = ['memokit', 'none', 'nest-cache-manager'];

/** Parses `CACHE_MODE`: default `memokit`. */
export function cacheModeFromEnv(value: string | undefined): CacheMode {
  const mode = value?.trim() || 'memokit';
  if (!(MODES as readonly string[]).includes(mode)) {
    throw new TypeError(`CACHE_MODE must be one of ${MODES.join(', ')}; got ${JSON.stringify(value)}`);
  }
  return mode as CacheMode;
}

/** The injection token of the app's {@link CacheMode}. */
export const CACHE_MODE = Symbol('CACHE_MODE');

/** Hits and misses of a cache the app counts itself (the cache-manager store). */
export class HitCounter {
  hits = 0;
  misses = 0;

  reset(): void {
    this.hits = 0;
    this.misses = 0;
  }
}

/** Runs controller reads in the app's mode: with the cache, or (`none`) without it. */
@Injectable()
export class CacheModeService {
  constructor(@Inject(CACHE_MODE) readonly mode: CacheMode) {}

  /** Calls `read` (a call of one decorated method); in `none` mode with `useCache: false`. */
  read<T>(read: () => Promise<T>): Promise<T> {
    return this.mode === 'none' ? withCacheOptions({ useCache: false }, read) : read();
  }
}
