import { Controller, Get, Header, Inject } from '@nestjs/common';
import { CacheService, type BoundCachedMethodInfo } from 'memokit/nest';
import { CACHE_MODE, HitCounter, type CacheMode } from '../cache-mode.js';
import { CatalogDatabase, type TableName } from '../catalog/catalog.database.js';
import { SHARED_SCOPES } from '../users/users.service.js';

/** A method's row: its figures, and the shared scope whose bucket its entries and limit are. */
export type MethodRow = BoundCachedMethodInfo & {
  /** `null` unless the method shares a scope: then `entries`/`maxSize` are the scope's total over `methods` methods. */
  readonly sharedScope: { readonly name: string; readonly methods: number } | null;
};

/** The body of `GET /cache/stats`. */
export interface CacheStatsResponse {
  /** How the app caches (`CACHE_MODE`). */
  readonly mode: CacheMode;
  /** The module's default store. */
  readonly store: { readonly name: string; readonly kind: string };
  /**
   * Every cache lookup of the app: `hits` answered without the database (memokit
   * hits and joined in-flight loads, or cache-manager gets that found a value),
   * `misses` went to it. Zeros in `none` mode.
   */
  readonly summary: { readonly hits: number; readonly misses: number };
  /** Queries the database ran so far (what the cache did not answer). */
  readonly queries: number;
  readonly queriesByTable: Record<TableName, number>;
  readonly database: { readonly engine: 'sqlite' | 'postgres'; readonly latencyMs: number };
  /** Every cached method of this application, with its figures (`CacheService.stats()`). */
  readonly methods: MethodRow[];
}

@Controller('cache')
export class StatsController {
  constructor(
    private readonly cache: CacheService,
    private readonly db: CatalogDatabase,
    private readonly counter: HitCounter,
    @Inject(CACHE_MODE) private readonly mode: CacheMode,
  ) {}

  @Get('stats')
  @Header('Cache-Control', 'no-store')
  stats(): CacheStatsResponse {
    const store = this.cache.getStore();
    const methods = this.cache.stats();
    let hits = this.counter.hits;
    let misses = this.counter.misses;
    for (const { stats } of methods) {
      hits += stats.hits + stats.inflightJoins;
      misses += stats.misses + stats.bypassed;
    }
    return {
      mode: this.mode,
      store: {
        name: this.cache.storeNames().find((n) => this.cache.getStore(n) === store) ?? 'default',
        kind: store.kind,
      },
      summary: this.mode === 'none' ? { hits: 0, misses: 0 } : { hits, misses },
      queries: this.db.queries,
      queriesByTable: this.db.queriesByTable(),
      database: { engine: this.db.engine, latencyMs: this.db.latencyMs },
      methods: methods.map((m) => ({ ...m, sharedScope: sharedScopeOf(m.id) })),
    };
  }
}

function sharedScopeOf(id: string): MethodRow['sharedScope'] {
  for (const [name, ids] of Object.entries(SHARED_SCOPES)) {
    if (ids.includes(id)) return { name, methods: ids.length };
  }
  return null;
}
