import 'reflect-metadata';
import { afterEach, describe, expect, it } from '@jest/globals';
import { Module } from '@nestjs/common';
import { AsyncLRU, MemokitError, MemokitTypeError } from '../../lib/index.js';
import {
  CacheModule,
  CacheModuleConfiguredTwiceError,
  CacheModuleOptionsError,
  CacheService,
  MethodNotBoundError,
  UnknownStoreError,
} from '../../nest-module/index.js';
import { resolveStores } from '../../nest-module/cache.stores.js';
import { CatalogModule } from './fixtures/catalog.app.js';
import { bootstrap, closeAll } from './helpers.js';

afterEach(closeAll);

/** What `work` threw or rejected with. */
async function caught(work: () => unknown): Promise<unknown> {
  try {
    await work();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

describe('the NestJS module errors: one hierarchy, each with a code', () => {
  it('each class has its static code, is a MemokitError, and the options error stays a TypeError', () => {
    const cause = new Error('bad url');
    const options = new CacheModuleOptionsError('bad options', { cause });
    expect(options).toBeInstanceOf(TypeError);
    expect(options).toBeInstanceOf(MemokitTypeError);
    expect(options).toBeInstanceOf(MemokitError);
    expect(options.code).toBe('E_INVALID_MODULE_OPTIONS');
    expect(CacheModuleOptionsError.code).toBe('E_INVALID_MODULE_OPTIONS');
    expect(options.name).toBe('CacheModuleOptionsError');
    expect(options.cause).toBe(cause);

    const twice = new CacheModuleConfiguredTwiceError(3, 'three');
    expect(twice).toBeInstanceOf(MemokitError);
    expect(twice).not.toBeInstanceOf(TypeError);
    expect([twice.code, CacheModuleConfiguredTwiceError.code, twice.count]).toEqual([
      'E_MODULE_CONFIGURED_TWICE',
      'E_MODULE_CONFIGURED_TWICE',
      3,
    ]);

    const unknown = new UnknownStoreError('nope', 'no store');
    expect(unknown).toBeInstanceOf(MemokitError);
    expect([unknown.code, UnknownStoreError.code, unknown.store, unknown.name]).toEqual([
      'E_UNKNOWN_STORE',
      'E_UNKNOWN_STORE',
      'nope',
      'UnknownStoreError',
    ]);

    const notBound = new MethodNotBoundError('Svc.find', 'not bound');
    expect(notBound).toBeInstanceOf(MemokitError);
    expect([notBound.code, MethodNotBoundError.code, notBound.method, notBound.name]).toEqual([
      'E_NOT_BOUND',
      'E_NOT_BOUND',
      'Svc.find',
      'MethodNotBoundError',
    ]);
    expect(notBound.cause).toBeUndefined();
  });

  it('bad module options are CacheModuleOptionsErrors; a store that cannot be created is the cause', async () => {
    const notObject = await caught(() => resolveStores('memory://'));
    expect(notObject).toBeInstanceOf(CacheModuleOptionsError);
    expect(notObject).toBeInstanceOf(TypeError);
    expect((notObject as Error).message).toMatch(/^CacheModule: the options must be an object/);

    const unknownOption = await caught(() => resolveStores({ store: {} }));
    expect(unknownOption).toBeInstanceOf(CacheModuleOptionsError);

    const notCreated = await caught(() => resolveStores({ stores: { a: 'mongodb://x' } }));
    expect(notCreated).toBeInstanceOf(CacheModuleOptionsError);
    expect((notCreated as Error).cause).toBeInstanceOf(TypeError);
    expect(((notCreated as Error).cause as Error).message).toMatch(/^createStore\("mongodb:\/\/x"\): unknown scheme/);

    const unknownDefault = await caught(() => resolveStores({ stores: { a: {} }, defaultStore: 'b' }));
    expect(unknownDefault).toBeInstanceOf(CacheModuleOptionsError);

    const noSource = await caught(() => CacheModule.forRootAsync({} as never));
    expect(noSource).toBeInstanceOf(CacheModuleOptionsError);
    expect((noSource as MemokitTypeError).code).toBe('E_INVALID_MODULE_OPTIONS');
  });

  it('configuring CacheModule twice in one application is a CacheModuleConfiguredTwiceError', async () => {
    @Module({ imports: [CacheModule.forRoot({ stores: { a: {} } })] })
    class FeatureA {}
    @Module({ imports: [CacheModule.forRoot({ stores: { b: {} } })] })
    class FeatureB {}
    const error = await caught(() => bootstrap({ imports: [FeatureA, FeatureB] }));
    expect(error).toBeInstanceOf(CacheModuleConfiguredTwiceError);
    expect((error as CacheModuleConfiguredTwiceError).count).toBe(2);
  });

  it('a store name the module does not have is an UnknownStoreError, at bootstrap and from getStore()', async () => {
    const atBootstrap = await caught(() =>
      bootstrap({ imports: [CacheModule.forRoot({ stores: { main: {} }, isGlobal: true }), CatalogModule] }),
    );
    expect(atBootstrap).toBeInstanceOf(UnknownStoreError);
    expect((atBootstrap as UnknownStoreError).store).toBe('search');

    const app = await bootstrap({ imports: [CacheModule.forRoot()] });
    const fromService = await caught(() => app.get(CacheService).getStore('nope'));
    expect(fromService).toBeInstanceOf(UnknownStoreError);
    expect((fromService as UnknownStoreError).code).toBe('E_UNKNOWN_STORE');
  });

  it('a cached method this application does not bind is a MethodNotBoundError naming it', async () => {
    class Elsewhere {
      @AsyncLRU()
      async find(id: number): Promise<number> {
        return id;
      }
    }
    const app = await bootstrap({ imports: [CacheModule.forRoot()] });
    const error = await caught(() => app.get(CacheService).cacheStats(Elsewhere.prototype.find));
    expect(error).toBeInstanceOf(MethodNotBoundError);
    expect((error as MethodNotBoundError).method).toBe('Elsewhere.find');
  });
});
