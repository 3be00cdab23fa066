import { Controller, Get, Header } from '@nestjs/common';
import { CacheService, type BoundCachedMethodInfo } from 'memokit/nest';
import { CatalogDatabase, type TableName } from '../catalog/catalog.database.js';

/** The body of `GET /cache/stats`. */
export interface CacheStatsResponse {
  /** The module's default store. */
  readonly store: { readonly name: string; readonly kind: string };
  /** Queries the database ran so far (what the cache did not answer). */
  readonly queries: number;
  readonly queriesByTable: Record<TableName, number>;
  readonly database: { readonly latencyMs: number; readonly storage: 'memory' | 'directory' };
  /** Every cached method of this application, with its figures (`CacheService.stats()`). */
  readonly methods: BoundCachedMethodInfo[];
}

@Controller('cache')
export class StatsController {
  constructor(
    private readonly cache: CacheService,
    private readonly db: CatalogDatabase,
  ) {}

  @Get('stats')
  @Header('Cache-Control', 'no-store')
  stats(): CacheStatsResponse {
    const store = this.cache.getStore();
    return {
      store: {
        name: this.cache.storeNames().find((n) => this.cache.getStore(n) === store) ?? 'default',
        kind: store.kind,
      },
      queries: this.db.queries,
      queriesByTable: this.db.queriesByTable(),
      database: { latencyMs: this.db.latencyMs, storage: this.db.storage },
      methods: this.cache.stats(),
    };
  }
}
