import 'reflect-metadata';
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { Injectable, type OnApplicationShutdown, type OnModuleDestroy } from '@nestjs/common';
import { AsyncLRU, MemoryStore, NullStore } from '../../lib/index.js';
import { registry } from '../../lib/api/registry.js';
import { CacheModule, CacheService } from '../../nest-module/index.js';
import { CatalogModule, CatalogService } from './fixtures/catalog.app.js';
import { bootstrap, closeAll } from './helpers.js';

afterEach(closeAll);

describe('shutdown', () => {
  it('closes the stores the module created and leaves stores passed in as instances open', async () => {
    const mine = new MemoryStore();
    const mineClose = jest.spyOn(mine, 'close');
    const app = await bootstrap({
      imports: [
        CacheModule.forRoot({ stores: { search: 'memory://?max=10', nothing: 'null://', mine }, isGlobal: true }),
        CatalogModule,
      ],
    });
    const cache = app.get(CacheService);
    const closes = ['search', 'nothing', 'default'].map((name) => jest.spyOn(cache.getStore(name), 'close'));
    expect(cache.getStore('nothing')).toBeInstanceOf(NullStore);

    await app.close();
    for (const close of closes) expect(close).toHaveBeenCalledTimes(1);
    expect(mineClose).not.toHaveBeenCalled();
  });

  it('unbinds the application: its engines are dropped and its instances fall back to the process default', async () => {
    const definition = registry.of(CatalogService.prototype.getProduct);
    const before = definition?.engines.size ?? 0;
    const app = await bootstrap({
      imports: [CacheModule.forRoot({ stores: { search: {} }, isGlobal: true }), CatalogModule],
    });
    const catalog = app.get(CatalogService);
    expect(definition?.engines.size).toBe(before + 1);
    expect(definition?.engines.boundEngine(catalog)).toBeDefined();

    await app.close();
    expect(definition?.engines.size).toBe(before);
    expect(definition?.engines.boundEngine(catalog)).toBeUndefined();
    expect(Object.getOwnPropertySymbols(catalog)).toEqual([]);
  });

  it('closes stores last: providers may still use the cache in onModuleDestroy and onApplicationShutdown', async () => {
    const events: string[] = [];
    @Injectable()
    class Flusher implements OnModuleDestroy, OnApplicationShutdown {
      @AsyncLRU()
      async read(id: number): Promise<number> {
        return id;
      }
      async onModuleDestroy(): Promise<void> {
        events.push(`destroy: ${await this.read(1)}`);
      }
      async onApplicationShutdown(): Promise<void> {
        events.push(`shutdown: bound=${registry.of(Flusher.prototype.read)?.engines.boundEngine(this) !== undefined}`);
      }
    }
    const app = await bootstrap({ imports: [CacheModule.forRoot()], providers: [Flusher] });
    const store = app.get(CacheService).getStore();
    jest.spyOn(store, 'close').mockImplementation(async () => {
      events.push('store closed');
    });
    await app.close();
    expect(events).toEqual(['destroy: 1', 'shutdown: bound=true', 'store closed']);
  });

  it('reports a store that fails to close, and still closes the others', async () => {
    const app = await bootstrap({ imports: [CacheModule.forRoot({ stores: { a: {}, b: {} } })] });
    const cache = app.get(CacheService);
    jest.spyOn(cache.getStore('a'), 'close').mockRejectedValue(new Error('connection reset'));
    const closeB = jest.spyOn(cache.getStore('b'), 'close');
    const { Logger } = await import('@nestjs/common');
    const error = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    try {
      await app.close();
      expect(closeB).toHaveBeenCalledTimes(1);
      expect(error).toHaveBeenCalledWith('CacheModule: closing the store "a" failed: connection reset');
    } finally {
      error.mockRestore();
    }
  });

  it('closes module-created stores of a testing module that was compiled but never initialized', async () => {
    const { Test } = await import('@nestjs/testing');
    const moduleRef = await Test.createTestingModule({ imports: [CacheModule.forRoot()] }).compile();
    const close = jest.spyOn(moduleRef.get(CacheService).getStore(), 'close');
    await moduleRef.close();
    expect(close).toHaveBeenCalledTimes(1);
  });
});
