import { Global, Inject, Injectable, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import type { CacheStore } from 'memokit';
import { CacheModule } from 'memokit/nest';
import { CatalogDatabase } from './catalog/catalog.database.js';
import { CatalogModule } from './catalog/catalog.module.js';
import { DashboardModule } from './dashboard/dashboard.module.js';
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
}

const OWNED_STORE = Symbol('OWNED_STORE');

/** CacheModule leaves store instances it is given open: the app created this one, so it closes it. */
@Injectable()
class OwnedStoreCloser implements OnApplicationShutdown {
  constructor(@Inject(OWNED_STORE) private readonly store: CacheStore | null) {}

  async onApplicationShutdown(): Promise<void> {
    await this.store?.close();
  }
}

/** Makes the database injectable everywhere. */
@Global()
@Module({})
class DatabaseModule {
  static forRoot(database: CatalogDatabase): DynamicModule {
    return {
      module: DatabaseModule,
      providers: [{ provide: CatalogDatabase, useValue: database }],
      exports: [CatalogDatabase],
    };
  }
}

@Module({})
export class AppModule {
  /**
   * The sample catalog: products, users and the cache dashboard, with one
   * `CacheModule.forRoot()` that binds every cached method to the store.
   */
  static forRoot({ database, store }: AppModuleOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CacheModule.forRoot(store === undefined ? { isGlobal: true } : { defaultStore: store, isGlobal: true }),
        DatabaseModule.forRoot(database),
        CatalogModule,
        UsersModule,
        DashboardModule,
      ],
      providers: [{ provide: OWNED_STORE, useValue: store ?? null }, OwnedStoreCloser],
    };
  }
}
