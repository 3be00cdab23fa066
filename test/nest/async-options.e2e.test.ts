import 'reflect-metadata';
import { afterEach, describe, expect, it } from '@jest/globals';
import { Inject, Injectable, Module } from '@nestjs/common';
import { MemoryStore } from '../../lib/index.js';
import {
  CacheModule,
  CacheService,
  type CacheModuleOptions,
  type CacheModuleOptionsFactory,
} from '../../nest-module/index.js';
import { CatalogModule, CatalogRepository, CatalogService } from './fixtures/catalog.app.js';
import { bootstrap, closeAll } from './helpers.js';

afterEach(closeAll);

/** A ConfigService-style provider: the options come from "the environment". */
@Injectable()
class AppConfig {
  readonly env: Readonly<Record<string, string>> = { CACHE_URL: 'memory://?max=500', SEARCH_URL: 'memory://?ttl=10m' };
  get(key: string): string {
    const value = this.env[key];
    if (value === undefined) throw new Error(`missing ${key}`);
    return value;
  }
}

@Module({ providers: [AppConfig], exports: [AppConfig] })
class ConfigModule {}

/** A module that does not import CacheModule but injects CacheService. */
@Injectable()
class Reporter {
  constructor(@Inject(CacheService) readonly cache: CacheService) {}
}
@Module({ providers: [Reporter] })
class ReportingModule {}

@Injectable()
class CacheConfig implements CacheModuleOptionsFactory {
  static created = 0;
  constructor() {
    CacheConfig.created++;
  }
  createCacheOptions(): CacheModuleOptions {
    return { stores: { search: { max: 20 } } };
  }
}

describe('CacheModule.forRootAsync', () => {
  it('useFactory with inject and imports, isGlobal: true: CacheService is injectable everywhere', async () => {
    const app = await bootstrap({
      imports: [
        CacheModule.forRootAsync({
          imports: [ConfigModule],
          inject: [AppConfig],
          useFactory: async (config: AppConfig) => ({
            stores: { main: config.get('CACHE_URL'), search: config.get('SEARCH_URL') },
            defaultStore: 'main',
          }),
          isGlobal: true,
        }),
        CatalogModule,
        ReportingModule,
      ],
    });
    const cache = app.get(Reporter).cache;
    expect(cache).toBe(app.get(CacheService));
    expect(cache.storeNames()).toEqual(['main', 'search']);

    const catalog = app.get(CatalogService);
    const repository = app.get(CatalogRepository);
    const queries = repository.queries;
    await catalog.getProduct(9);
    await catalog.getProduct(9);
    expect(repository.queries).toBe(queries + 1);
    expect(cache.stats().map((m) => [m.id, m.store])).toEqual([
      ['CatalogService.getProduct', 'main'],
      ['CatalogService.search', 'search'],
    ]);
  });

  it('isGlobal defaults to false: a module that does not import CacheModule cannot inject CacheService', async () => {
    await expect(
      bootstrap({
        imports: [
          CacheModule.forRootAsync({ imports: [ConfigModule], inject: [AppConfig], useFactory: () => ({}) }),
          ReportingModule,
        ],
      }),
    ).rejects.toThrow(/Nest can't resolve dependencies of the Reporter \(\?\)/);

    // Importing it where needed works.
    @Module({
      imports: [CacheModule.forRootAsync({ useFactory: () => ({}), isGlobal: false })],
      providers: [Reporter],
    })
    class WithImport {}
    const app = await bootstrap({ imports: [WithImport] });
    expect(app.get(Reporter).cache).toBeInstanceOf(CacheService);
  });

  it('useClass instantiates the options factory in the module', async () => {
    CacheConfig.created = 0;
    const app = await bootstrap({
      imports: [CacheModule.forRootAsync({ useClass: CacheConfig, isGlobal: true }), CatalogModule],
    });
    expect(CacheConfig.created).toBe(1);
    expect(app.get(CacheService).storeNames()).toEqual(['search', 'default']);
  });

  it('useExisting reuses a provider from imports', async () => {
    @Module({ providers: [CacheConfig], exports: [CacheConfig] })
    class CacheConfigModule {}
    CacheConfig.created = 0;
    const app = await bootstrap({
      imports: [
        CacheConfigModule,
        CacheModule.forRootAsync({ imports: [CacheConfigModule], useExisting: CacheConfig, isGlobal: true }),
        CatalogModule,
      ],
    });
    expect(CacheConfig.created).toBe(1);
    expect(app.get(CacheService).getStore('search')).toBeInstanceOf(MemoryStore);
  });

  it('extraProviders registers what the factory injects', async () => {
    const app = await bootstrap({
      imports: [
        CacheModule.forRootAsync({
          extraProviders: [AppConfig],
          inject: [AppConfig],
          useFactory: (config: AppConfig) => ({ defaultStore: config.get('CACHE_URL') }),
        }),
      ],
    });
    expect(app.get(CacheService, { strict: false }).storeNames()).toEqual(['default']);
  });

  it('wants exactly one of useFactory, useClass and useExisting', () => {
    // @ts-expect-error: one of them is required
    expect(() => CacheModule.forRootAsync({ isGlobal: true })).toThrow(
      'CacheModule.forRootAsync: pass exactly one of useFactory, useClass or useExisting; got none.',
    );
    // @ts-expect-error: they exclude each other
    expect(() => CacheModule.forRootAsync({ useFactory: () => ({}), useClass: CacheConfig })).toThrow(
      'got useFactory and useClass.',
    );
  });

  it('rejects a factory result with module-definition options, pointing to where they belong', async () => {
    await expect(
      bootstrap({
        imports: [CacheModule.forRootAsync({ useFactory: () => ({ isGlobal: true }) as CacheModuleOptions })],
      }),
    ).rejects.toThrow(
      '"isGlobal" belongs to forRootAsync({ isGlobal, useFactory }), not to the object the factory returns.',
    );
  });
});
