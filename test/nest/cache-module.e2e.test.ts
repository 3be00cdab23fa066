import 'reflect-metadata';
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { Injectable, Module, Scope } from '@nestjs/common';
import { AsyncLRU, cacheStats, MemoryStore, NullStore } from '../../lib/index.js';
import { registry } from '../../lib/api/registry.js';
import { CacheModule, CacheModuleOptions, CacheService } from '../../nest-module/index.js';
import {
  CatalogModule,
  CatalogRepository,
  CatalogService,
  CatalogWarmer,
  PricingService,
} from './fixtures/catalog.app.js';
import { bootstrap, captureWarnings, closeAll } from './helpers.js';

afterEach(closeAll);

const definitionOf = (method: unknown) => {
  const definition = registry.of(method);
  if (definition === undefined) throw new Error('not decorated');
  return definition;
};

describe('CacheModule.forRoot', () => {
  it('binds decorated methods of providers to the module stores: the second call is served from the cache', async () => {
    const app = await bootstrap({
      imports: [CacheModule.forRoot({ stores: { search: { max: 50 } }, isGlobal: true }), CatalogModule],
    });
    const catalog = app.get(CatalogService);
    const repository = app.get(CatalogRepository);
    const cache = app.get(CacheService);

    const before = repository.queries;
    expect(await catalog.getProduct(2)).toMatchObject({ id: 2 });
    expect(await catalog.getProduct(2)).toMatchObject({ id: 2 });
    expect(repository.queries).toBe(before + 1);

    expect(await catalog.search('Product 1')).toHaveLength(11);
    expect(await catalog.search('Product 1')).toHaveLength(11);
    expect(repository.queries).toBe(before + 2);

    // Entries are in the module's stores, each method in its own namespace.
    const getProduct = cache.stats().find((m) => m.methodName === 'getProduct');
    const search = cache.stats().find((m) => m.methodName === 'search');
    expect(getProduct).toMatchObject({ id: 'CatalogService.getProduct', kind: 'lru', store: 'default', maxSize: 100 });
    expect(search).toMatchObject({ id: 'CatalogService.search', kind: 'ttl', store: 'search', ttl: 300_000 });
    expect(cache.getStore('search').namespace('CatalogService.search').stats?.().size).toBe(1);
    expect(cache.getStore().namespace('CatalogService.getProduct').stats?.().size).toBe(2); // 1 (warmer) and 2
    expect(cache.storeNames()).toEqual(['search', 'default']);
  });

  it('binds before the hooks of the application: a provider may call cached methods in its own onModuleInit', async () => {
    const warnings = captureWarnings();
    try {
      const app = await bootstrap({
        imports: [CacheModule.forRoot({ stores: { search: {} }, isGlobal: true }), CatalogModule],
      });
      const cache = app.get(CacheService);
      expect(app.get(CatalogWarmer).warmed).toMatchObject({ id: 1 });
      expect(cache.cacheStats(app.get(CatalogService).getProduct)).toMatchObject({ misses: 1, loads: 1, size: 1 });
      const queries = app.get(CatalogRepository).queries;
      await app.get(CatalogService).getProduct(1);
      expect(app.get(CatalogRepository).queries).toBe(queries); // the warmer's entry is in this app's store
      expect(warnings.messages).toEqual([]);
    } finally {
      warnings.restore();
    }
  });

  it('binds providers of modules deeper than CacheModule before their onModuleInit runs (not global)', async () => {
    @Injectable()
    class DeepService {
      loads = 0;
      @AsyncLRU()
      async value(id: number): Promise<number> {
        this.loads++;
        return id * 10;
      }
      async onModuleInit(): Promise<void> {
        await this.value(1);
      }
    }
    @Module({ providers: [DeepService], exports: [DeepService] })
    class DeepModule {}
    @Module({ imports: [DeepModule], exports: [DeepModule] })
    class MidModule {}

    const app = await bootstrap({ imports: [MidModule, CacheModule.forRoot()] });
    const deep = app.get(DeepService);
    expect(app.get(CacheService).cacheStats(deep.value)).toMatchObject({ misses: 1, size: 1 });
    expect(definitionOf(DeepService.prototype.value).engines.peekDefault()).toBeUndefined();
  });

  it('invalidators in one provider evict the cached method of another', async () => {
    const app = await bootstrap({
      imports: [CacheModule.forRoot({ stores: { search: {} }, isGlobal: true }), CatalogModule],
    });
    const catalog = app.get(CatalogService);
    const pricing = app.get(PricingService);
    const repository = app.get(CatalogRepository);

    expect(await catalog.getProduct(3)).toMatchObject({ priceCents: 300 });
    expect(await catalog.getProduct(4)).toMatchObject({ priceCents: 400 });
    await pricing.setPrice(3, 999);
    const queries = repository.queries;
    expect(await catalog.getProduct(3)).toMatchObject({ priceCents: 999 }); // reloaded
    expect(await catalog.getProduct(4)).toMatchObject({ priceCents: 400 }); // untouched
    expect(repository.queries).toBe(queries + 1);
  });

  it('names stores: instances, URLs and MemoryStore options; defaultStore picks one of them', async () => {
    const mine = new MemoryStore({ max: 10 });
    const app = await bootstrap({
      imports: [
        CacheModule.forRoot({
          stores: { search: 'memory://?max=5&ttl=1m', mine, nothing: 'null://' },
          defaultStore: 'mine',
          isGlobal: true,
        }),
        CatalogModule,
      ],
    });
    const cache = app.get(CacheService);
    expect(cache.getStore()).toBe(mine);
    expect(cache.getStore('mine')).toBe(mine);
    expect(cache.getStore('search')).toBeInstanceOf(MemoryStore);
    expect(cache.getStore('nothing')).toBeInstanceOf(NullStore);
    expect(cache.storeNames()).toEqual(['search', 'mine', 'nothing']);
    expect(() => cache.getStore('nope')).toThrow(
      'CacheService.getStore("nope"): no store of that name. Known store names: "search", "mine", "nothing".',
    );
    await app.get(CatalogService).getProduct(5);
    expect(mine.namespace('CatalogService.getProduct').stats?.().size).toBe(2);
    expect(cache.stats().find((m) => m.methodName === 'getProduct')?.store).toBe('mine');
  });

  it('uses stores.default when defaultStore is omitted, and accepts a default store given directly', async () => {
    const first = await bootstrap({ imports: [CacheModule.forRoot({ stores: { default: { max: 7 }, search: {} } })] });
    expect(first.get(CacheService).storeNames()).toEqual(['default', 'search']);
    const given = new MemoryStore();
    const second = await bootstrap({ imports: [CacheModule.forRoot({ defaultStore: given })] });
    expect(second.get(CacheService).getStore()).toBe(given);
    const fromUrl = await bootstrap({ imports: [CacheModule.forRoot({ defaultStore: 'null://' })] });
    expect(fromUrl.get(CacheService).getStore()).toBeInstanceOf(NullStore);
  });

  it('fails at bootstrap when a decorator names a store the module does not have, naming Class.method and the known names', async () => {
    await expect(
      bootstrap({ imports: [CacheModule.forRoot({ stores: { main: {} }, isGlobal: true }), CatalogModule] }),
    ).rejects.toThrow(
      'CatalogService.search names the store "search", but CacheModule has no store of that name. Known store names: "main", "default".',
    );
  });

  it('rejects bad options with messages that name them', async () => {
    const boot = (options: object) => bootstrap({ imports: [CacheModule.forRoot(options)] });
    await expect(boot({ store: {} })).rejects.toThrow(
      'CacheModule: unknown option "store". Known options: stores, defaultStore, logger, telemetry, advisor.',
    );
    await expect(boot({ stores: { a: 42 } })).rejects.toThrow('CacheModule: stores.a must be a CacheStore instance');
    await expect(boot({ stores: { a: 'mongodb://x' } })).rejects.toThrow(
      'CacheModule: stores.a could not be created: createStore("mongodb://x"): unknown scheme "mongodb://".',
    );
    await expect(boot({ stores: { a: { max: -1 } } })).rejects.toThrow('option "max" must be a positive integer');
    await expect(boot({ stores: { a: {} }, defaultStore: 'b' })).rejects.toThrow(
      'CacheModule: option "defaultStore" names the store "b", which is not in "stores". Known store names: "a".',
    );
    await expect(boot({ stores: { default: {} }, defaultStore: 'memory://' })).rejects.toThrow(
      'CacheModule: "stores" already has a store named "default", and "defaultStore" gives another store.',
    );
  });

  it('closes the stores it created when bootstrap fails', async () => {
    const close = jest.spyOn(MemoryStore.prototype, 'close');
    const mine = new MemoryStore();
    try {
      await expect(
        bootstrap({
          imports: [CacheModule.forRoot({ stores: { main: { max: 3 }, mine }, isGlobal: true }), CatalogModule],
        }),
      ).rejects.toThrow('names the store "search"');
      expect(close).toHaveBeenCalledTimes(2); // main and default; not the instance passed in
      expect(close.mock.contexts).not.toContain(mine);
    } finally {
      close.mockRestore();
    }
  });

  it('exports the resolved options under the CacheModuleOptions token', async () => {
    const app = await bootstrap({ imports: [CacheModule.forRoot({ stores: { a: {} }, isGlobal: true })] });
    expect(CacheModuleOptions).toBe('MEMOKIT_MODULE_OPTIONS');
    expect(app.get(CacheModuleOptions, { strict: false })).toEqual({ stores: { a: {} } });
  });
});

describe('the explorer', () => {
  it('binds inherited decorated methods, also when a subclass overrides them and calls super', async () => {
    class BaseRepository {
      loads = 0;
      @AsyncLRU()
      async find(id: number): Promise<string> {
        this.loads++;
        return `row ${id}`;
      }
    }
    @Injectable()
    class UserRepository extends BaseRepository {}
    @Injectable()
    class OrderRepository extends BaseRepository {
      override async find(id: number): Promise<string> {
        return `order ${await super.find(id)}`;
      }
    }
    const app = await bootstrap({ imports: [CacheModule.forRoot()], providers: [UserRepository, OrderRepository] });
    const users = app.get(UserRepository);
    const orders = app.get(OrderRepository);
    await users.find(1);
    await users.find(1);
    await orders.find(1);
    await orders.find(1);
    expect(users.loads).toBe(1);
    // The cache belongs to the method (shared by its instances, as for Nest singletons): orders hit users' entry.
    expect(orders.loads).toBe(0);
    expect(app.get(CacheService).cacheStats(BaseRepository.prototype.find)).toMatchObject({ hits: 3, misses: 1 });
    expect(definitionOf(BaseRepository.prototype.find).engines.peekDefault()).toBeUndefined();
  });

  it('binds methods whose decorator was wrapped by another decorator', async () => {
    const traced: string[] = [];
    const Trace = (): MethodDecorator => (_target, key, descriptor) => {
      const inner = descriptor.value as unknown as (...args: unknown[]) => unknown;
      const outer = function (this: unknown, ...args: unknown[]): unknown {
        traced.push(String(key));
        return inner.apply(this, args);
      };
      return { ...descriptor, value: outer as never };
    };
    @Injectable()
    class Traced {
      loads = 0;
      @Trace()
      @AsyncLRU()
      async get(id: number): Promise<number> {
        this.loads++;
        return id;
      }
    }
    const app = await bootstrap({ imports: [CacheModule.forRoot()], providers: [Traced] });
    const traced1 = app.get(Traced);
    await traced1.get(1);
    await traced1.get(1);
    expect(traced).toEqual(['get', 'get']);
    expect(traced1.loads).toBe(1);
    expect(
      app
        .get(CacheService)
        .stats()
        .map((m) => m.id),
    ).toEqual(['Traced.get']);
  });

  it('binds an instance once, whatever the number of tokens (useExisting, useValue, useFactory) it is provided under', async () => {
    @Injectable()
    class Directory {
      @AsyncLRU()
      async lookup(name: string): Promise<string> {
        return name.toUpperCase();
      }
    }
    const shared = new Directory();
    const before = definitionOf(Directory.prototype.lookup).engines.size;
    const app = await bootstrap({
      imports: [CacheModule.forRoot()],
      providers: [
        { provide: Directory, useValue: shared },
        { provide: 'DIRECTORY_ALIAS', useExisting: Directory },
        { provide: 'DIRECTORY_AGAIN', useFactory: (d: Directory) => d, inject: [Directory] },
      ],
    });
    expect(app.get('DIRECTORY_ALIAS')).toBe(shared);
    expect(definitionOf(Directory.prototype.lookup).engines.size).toBe(before + 1);
    expect(app.get(CacheService).stats()).toHaveLength(1);
  });

  it('skips null instances', async () => {
    const app = await bootstrap({
      imports: [CacheModule.forRoot()],
      providers: [
        { provide: 'NOTHING', useValue: null },
        { provide: 'UNDEFINED', useFactory: () => undefined },
      ],
    });
    expect(app.get(CacheService).stats()).toEqual([]);
  });

  it('warns about request-scoped and transient providers, naming Class@method; their calls use the process default', async () => {
    @Injectable({ scope: Scope.REQUEST })
    class PerRequest {
      @AsyncLRU()
      async report(day: string): Promise<string> {
        return day;
      }
    }
    @Injectable({ scope: Scope.TRANSIENT })
    class PerConsumer {
      @AsyncLRU()
      async label(id: number): Promise<string> {
        return `#${id}`;
      }
    }
    @Injectable()
    class DependsOnRequest {
      constructor(readonly perRequest: PerRequest) {}
      @AsyncLRU()
      async total(): Promise<number> {
        return 1;
      }
    }
    const warnings = captureWarnings();
    try {
      const app = await bootstrap({
        imports: [CacheModule.forRoot()],
        providers: [PerRequest, PerConsumer, DependsOnRequest],
      });
      expect(warnings.messages).toEqual([
        expect.stringContaining(
          'Cannot bind cached method "PerRequest@report" to this application\'s stores because PerRequest is a request-scoped provider.',
        ),
        expect.stringContaining('"PerConsumer@label"'),
        expect.stringContaining('DependsOnRequest is a request-scoped (through a request-scoped dependency) provider'),
      ]);
      expect(warnings.messages[1]).toContain('is a transient provider');
      expect(app.get(CacheService).stats()).toEqual([]);
    } finally {
      warnings.restore();
    }
  });

  it('warns once about a method used before binding (from a constructor): that call used the process default', async () => {
    @Injectable()
    class EagerService {
      loads = 0;
      readonly first: Promise<number>;
      constructor() {
        this.first = this.compute(1);
      }
      @AsyncLRU()
      async compute(n: number): Promise<number> {
        this.loads++;
        return n * 2;
      }
    }
    const warnings = captureWarnings();
    try {
      const app = await bootstrap({ imports: [CacheModule.forRoot()], providers: [EagerService] });
      const eager = app.get(EagerService);
      expect(await eager.first).toBe(2);
      expect(warnings.messages).toEqual([
        "EagerService.compute was used before CacheModule bound it to this application's stores (called from a constructor, " +
          'or before the application was initialized). Those calls used the process default store, and their entries ' +
          "are not in this application's stores. Call cached methods from onModuleInit() or later.",
      ]);
      // The constructor's entry is in the process default store, not the app's: the first bound call loads again.
      await eager.compute(1);
      expect(eager.loads).toBe(2);
      expect(app.get(CacheService).cacheStats(eager.compute)).toMatchObject({ misses: 1, hits: 0 });

      await bootstrap({ imports: [CacheModule.forRoot()], providers: [EagerService] });
      expect(warnings.messages).toHaveLength(1); // once per method and process
    } finally {
      warnings.restore();
    }
  });

  it('fails when CacheModule is configured twice in one application', async () => {
    @Module({ imports: [CacheModule.forRoot({ stores: { a: {} } })] })
    class FeatureA {}
    @Module({ imports: [CacheModule.forRoot({ stores: { b: {} } })] })
    class FeatureB {}
    await expect(bootstrap({ imports: [FeatureA, FeatureB] })).rejects.toThrow(
      'CacheModule is configured 2 times in this application',
    );
  });
});

describe('CacheService', () => {
  it('invalidates and clears the method in this application, typed by its parameters', async () => {
    const app = await bootstrap({
      imports: [CacheModule.forRoot({ stores: { search: {} }, isGlobal: true }), CatalogModule],
    });
    const catalog = app.get(CatalogService);
    const cache = app.get(CacheService);
    await catalog.getProduct(6);
    await catalog.getProduct(7);
    expect(await cache.invalidateCache(catalog.getProduct, 6)).toBe(true);
    expect(await cache.invalidateCache(catalog.getProduct, 6)).toBe(false);
    // @ts-expect-error: getProduct takes a number
    await cache.invalidateCache(catalog.getProduct, '6');
    expect(cache.cacheStats(catalog.getProduct).size).toBe(2); // 1 (warmer) and 7
    await cache.clearCache(catalog.getProduct);
    expect(cache.cacheStats(catalog.getProduct).size).toBe(0);
  });

  it('rejects functions that are not cached methods, and methods this application does not bind', async () => {
    class Elsewhere {
      @AsyncLRU()
      async find(id: number): Promise<number> {
        return id;
      }
    }
    const app = await bootstrap({ imports: [CacheModule.forRoot()] });
    const cache = app.get(CacheService);
    const plain = async (id: number): Promise<number> => id;
    await expect(cache.invalidateCache(plain, 1)).rejects.toThrow(TypeError);
    await expect(cache.clearCache(Elsewhere.prototype.find)).rejects.toThrow(
      'CacheService.clearCache: Elsewhere.find is not bound in this application',
    );
    expect(() => cache.cacheStats(Elsewhere.prototype.find)).toThrow('Elsewhere.find is not bound in this application');
  });

  it("leaves the process-wide cacheStats() summing every application's bindings", async () => {
    const app = await bootstrap({
      imports: [CacheModule.forRoot({ stores: { search: {} }, isGlobal: true }), CatalogModule],
    });
    const catalog = app.get(CatalogService);
    await catalog.getProduct(8);
    expect(cacheStats(catalog.getProduct).misses).toBeGreaterThanOrEqual(
      app.get(CacheService).cacheStats(catalog.getProduct).misses,
    );
  });
});
