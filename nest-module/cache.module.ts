import { Module, type DynamicModule } from '@nestjs/common';
import type {
  CacheModuleAsyncOptions,
  CacheModuleExtras,
  CacheModuleOptions,
  CacheTestOptions,
} from './cache-module.options.js';
import { CacheBindings } from './cache.bindings.js';
import { CacheModuleOptionsError } from './cache.errors.js';
import { messages } from './cache.messages.js';
import { MODULE_OPTIONS_TOKEN } from './cache.constants.js';
import { ConfigurableModuleClass } from './cache.module-definition.js';
import { CacheExplorerModule } from './cache-explorer.module.js';
import { CacheService } from './cache.service.js';
import { resolveStores, TEST_STORES } from './cache.stores.js';

type BuilderAsyncOptions = Parameters<(typeof ConfigurableModuleClass)['forRootAsync']>[0];

/**
 * NestJS module of memokit. At bootstrap (`onModuleInit`) it binds every
 * method decorated with `@AsyncLRU`/`@AsyncTTL` on the application's
 * providers and controllers to its stores, so each application keeps its
 * own entries and figures, and waits until its stores serve calls (each at
 * most its connect timeout; a store that is not ready by then is reported
 * in one warning and fails open); at shutdown it unbinds them and closes the
 * stores it created. Configure it once per application, in the root module.
 *
 * Methods run before the application is initialized (from a constructor, or
 * on a `TestingModule` that was compiled but not `init()`ed) use the process
 * default store; a warning names them.
 *
 * @example
 * ```ts
 * @Module({
 *   imports: [
 *     CacheModule.forRoot({
 *       stores: { main: 'memory://?max=10000', sessions: { max: 500, ttl: '15m' } },
 *       defaultStore: 'main',
 *       isGlobal: true,
 *     }),
 *   ],
 *   providers: [UserService],
 * })
 * export class AppModule {}
 * ```
 */
@Module({
  imports: [CacheExplorerModule],
  providers: [
    {
      provide: CacheBindings,
      useFactory: async (options: CacheModuleOptions) => new CacheBindings(await resolveStores(options)),
      inject: [MODULE_OPTIONS_TOKEN],
    },
    CacheService,
  ],
  exports: [CacheService, MODULE_OPTIONS_TOKEN],
})
export class CacheModule extends (ConfigurableModuleClass as new () => object) {
  /**
   * Configures the module with options known up front.
   *
   * @param options - the stores, the default store, and `isGlobal`
   * @default {} (one MemoryStore, named 'default'; not global)
   * @example
   * ```ts
   * CacheModule.forRoot({ stores: { redis: 'redis://127.0.0.1:6379/0?prefix=shop' }, defaultStore: 'redis' });
   * ```
   */
  static forRoot(options: CacheModuleOptions & CacheModuleExtras = {}): DynamicModule {
    // The builder's static methods read `this` (the module class they describe).
    return ConfigurableModuleClass.forRoot.call(this, options);
  }

  /**
   * Configures the module with options that depend on other providers (a
   * config service, secrets...), through exactly one of `useFactory`,
   * `useClass` or `useExisting`.
   *
   * @example
   * ```ts
   * CacheModule.forRootAsync({
   *   imports: [ConfigModule],
   *   inject: [ConfigService],
   *   useFactory: (config: ConfigService) => ({ stores: { main: config.get('CACHE_URL') }, defaultStore: 'main' }),
   *   isGlobal: true,
   * });
   * ```
   */
  /**
   * The module for tests: every store name the application's decorators (or
   * `CacheService.getStore()`) use resolves to a memory store of its own,
   * created on first use, on `clock` when given, wrapped by `wrap` (e.g.
   * `recordingStore` from `memokit/testing`). Import it in
   * `Test.createTestingModule` in place of the application's
   * `CacheModule.forRoot(...)`: no Redis, no URL, and the application's
   * store names still work.
   *
   * @example
   * ```ts
   * const clock = new VirtualClock();
   * const moduleRef = await Test.createTestingModule({
   *   imports: [CacheModule.forTest({ clock, wrap: (store) => recordingStore(store), isGlobal: true }), UsersModule],
   * }).compile();
   * ```
   */
  static forTest(options: CacheTestOptions = {}): DynamicModule {
    const { isGlobal, ...stores } = options;
    return this.forRootAsync({
      isGlobal,
      useFactory: () => ({ [TEST_STORES]: stores }) as unknown as CacheModuleOptions,
    });
  }

  static forRootAsync(options: CacheModuleAsyncOptions): DynamicModule {
    const given = (['useFactory', 'useClass', 'useExisting'] as const).filter((key) => options[key] !== undefined);
    if (given.length !== 1) throw new CacheModuleOptionsError(messages.ASYNC_OPTIONS_SOURCE(given));
    // Same shape; only useFactory's parameters are typed `never[]` here instead of Nest's `any[]`.
    return ConfigurableModuleClass.forRootAsync.call(this, options as unknown as BuilderAsyncOptions);
  }
}
