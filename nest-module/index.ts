/**
 * memokit/nest: the NestJS module. `CacheModule.forRoot()` binds every
 * `@AsyncLRU`/`@AsyncTTL` method of the application's providers and
 * controllers to the module's stores at bootstrap; `CacheService` gives the
 * application's stores, invalidation and figures.
 *
 * @example
 * ```ts
 * import { CacheModule, CacheService } from 'memokit/nest';
 *
 * @Module({ imports: [CacheModule.forRoot({ isGlobal: true })], providers: [UserService] })
 * export class AppModule {}
 * ```
 * @packageDocumentation
 */
export { CacheModule } from './cache.module.js';
export { CacheService } from './cache.service.js';
export {
  CacheModuleConfiguredTwiceError,
  CacheModuleOptionsError,
  MethodNotBoundError,
  UnknownStoreError,
} from './cache.errors.js';
export type { BoundCachedMethodInfo, ModuleCacheOptions } from './cache.service.js';
export { CacheModuleOptions } from './cache-module.options.js';
export type {
  CacheModuleAsyncBase,
  CacheModuleAsyncOptions,
  CacheModuleExtras,
  CacheModuleOptionsFactory,
  CacheStoreConfig,
  CacheTestOptions,
} from './cache-module.options.js';
export type { CacheLoggerOptions, CacheLogLevel } from './cache.logging.js';
