import type { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { Global, Inject, Injectable, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { NullStore, type CacheStore } from 'memokit';
import { CacheModule } from 'memokit/nest';
import { CACHE_MODE, CacheModeService, HitCounter, type CacheMode } from './cache-mode.js';
import { cacheManagerStore, CacheManagerCatalogModule } from './catalog/cache-manager.controller.js';
import { CatalogDatabase } from './catalog/catalog.database.js';
import { CatalogModule } from './catalog/catalog.module.js';
import { DashboardModule } from './dashboard/dashboard.module.js';
import { MetricsModule } from './metrics/prometheus.js';
import { UsersModule } from './users/users.module.js';

/** What {@link AppModule.forRoot} wires in. */
export interface AppModuleOptions {
  /** The database every service reads. */
  readonly database: CatalogDatabase;
  /**
   * The cache module's default store, owned by the app (closed at shutdown).
   * Omitted: CacheModule's own in-memory store.
   */
  readonly store?: CacheStore | undefined;
  /** How the app caches. @default 'memokit' */
  readonly cacheMode?: CacheMode | undefined;
  /** `nest-cache-manager` mode: its Redis (through Keyv); omitted: in memory. */
  readonly redisUrl?: string | undefined;
  /** Close the database at shutdown (after the stores). @default false */
  readonly closeDatabase?: boolean | undefined;
  /** Serve `GET /metrics` from this Prometheus reader; omitted: no `/metrics`. */
  readonly metrics?: PrometheusExporter | undefined;
}

/** Something the app opened and closes at shutdown (a cache-manager Keyv). */
interface Closable {
  disconnect(): Promise<void>;
}

const OWNED_STORE = Symbol('OWNED_STORE');

/**
 * The sizing advisor of every cached method that states none (`GET /cache/advice`, the dashboard's curves):
 * rate 1 samples every key. The key spaces here are small — about 500 listing keys (category × page) under the
 * load benchmark, 2 × 1,000 in the `users` scope, 1,000 users' orders — all within the advisor's 8,192-key cap, so
 * the curves are replayed from every call instead of estimated. `getProduct` states its own rate (10,000 ids).
 */
const ADVISOR_RATE = 1;

/** CacheModule leaves store instances it is given open: the app created these, so it closes them (and the database if asked). */
@Injectable()
class OwnedStoreCloser implements OnApplicationShutdown {
  constructor(
    @Inject(OWNED_STORE)
    private readonly owned: { store: CacheStore | null; other: Closable | null; database: CatalogDatabase | null },
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.owned.store?.close();
    await this.owned.other?.disconnect();
    await this.owned.database?.close();
  }
}

/** Makes the database, the cache mode and the cache-manager hit counter injectable everywhere. */
@Global()
@Module({})
class DatabaseModule {
  static forRoot(database: CatalogDatabase, mode: CacheMode, counter: HitCounter): DynamicModule {
    return {
      module: DatabaseModule,
      providers: [
        { provide: CatalogDatabase, useValue: database },
        { provide: CACHE_MODE, useValue: mode },
        { provide: HitCounter, useValue: counter },
        CacheModeService,
      ],
      exports: [CatalogDatabase, CACHE_MODE, HitCounter, CacheModeService],
    };
  }
}

@Module({})
export class AppModule {
  /**
   * The sample catalog: products, users and the cache dashboard, with one
   * `CacheModule.forRoot()` that binds every cached method to the store.
   */
  static forRoot({
    database,
    store,
    cacheMode = 'memokit',
    redisUrl,
    closeDatabase = false,
    metrics,
  }: AppModuleOptions): DynamicModule {
    const counter = new HitCounter();
    // `none`: reads run with useCache false, and invalidators have nothing to evict.
    const defaultStore = cacheMode === 'none' ? (store ?? new NullStore()) : store;
    const keyv = cacheMode === 'nest-cache-manager' ? cacheManagerStore(redisUrl, counter) : null;
    return {
      module: AppModule,
      imports: [
        CacheModule.forRoot({
          ...(defaultStore === undefined ? {} : { defaultStore }),
          isGlobal: true,
          advisor: ADVISOR_RATE,
        }),
        DatabaseModule.forRoot(database, cacheMode, counter),
        keyv === null ? CatalogModule : CacheManagerCatalogModule.forRoot(keyv),
        UsersModule,
        DashboardModule,
        ...(metrics === undefined ? [] : [MetricsModule.forRoot(metrics)]),
      ],
      providers: [
        {
          provide: OWNED_STORE,
          useValue: { store: defaultStore ?? null, other: keyv, database: closeDatabase ? database : null },
        },
        OwnedStoreCloser,
      ],
    };
  }
}
