import type { FactoryProvider, ModuleMetadata, Provider, Type } from '@nestjs/common';
import type { AdvisorOptions, CacheStore, Clock, MemoryStoreOptions } from '../lib/index.js';
import { MODULE_OPTIONS_TOKEN } from './cache.constants.js';
import type { CacheLoggerOptions } from './cache.logging.js';

/**
 * One store of {@link CacheModuleOptions.stores}: a store instance (left open
 * at shutdown: you own it), a store URL, or {@link MemoryStoreOptions} (the
 * module creates those two, and closes them when the application shuts down).
 *
 * @example
 * ```ts
 * const stores: Record<string, CacheStoreConfig> = {
 *   local: { max: 10_000, ttl: '5m' },           // a MemoryStore the module creates
 *   shared: 'redis://127.0.0.1:6379/0?prefix=shop', // created from its URL
 *   audit: myStore,                              // your instance, left open
 * };
 * ```
 */
export type CacheStoreConfig = CacheStore | string | MemoryStoreOptions;

/**
 * What {@link CacheModule.forRoot} configures (and the object a
 * `forRootAsync` factory returns). Also the DI token of the resolved
 * options (its value is `'MEMOKIT_MODULE_OPTIONS'`).
 *
 * @example
 * ```ts
 * const options: CacheModuleOptions = {
 *   stores: { main: 'memory://?max=10000', sessions: { max: 500, ttl: '15m' } },
 *   defaultStore: 'main',
 * };
 * ```
 */
export interface CacheModuleOptions {
  /**
   * Named stores. A decorated method picks one with `store: 'name'`
   * (`@AsyncTTL({ store: 'sessions' })`); a name that is not here fails at
   * bootstrap. Store instances you pass stay open at shutdown; stores made
   * from URLs or MemoryStore options are closed with the application.
   *
   * @default {} (only the default store)
   * @example
   * ```ts
   * CacheModule.forRoot({ stores: { main: 'memory://?max=10000', redis: 'redis://127.0.0.1:6379/0' } });
   * ```
   */
  stores?: Readonly<Record<string, CacheStoreConfig>>;
  /**
   * The store of decorated methods that name none: the name of one of
   * {@link CacheModuleOptions.stores}, or a store of its own (instance, URL
   * or MemoryStore options, registered under the name `'default'`).
   *
   * @default 'default': `stores.default` when it exists, else a new MemoryStore
   * @example
   * ```ts
   * CacheModule.forRoot({ stores: { main: { max: 10_000 } }, defaultStore: 'main' });
   * ```
   */
  defaultStore?: string | CacheStoreConfig;
  /**
   * Lines through Nest's `Logger` (context `memokit`), one per change in how
   * a store serves calls, never one per call: a store unavailable (`warn`),
   * answering again (`log`), a tiered store dropping its in-process copies
   * (`warn`; `debug` when it just subscribed), the first value of a method
   * too large for the Redis store's `maxValueSize` (`warn`). `false` writes
   * none; `{ level }` writes those at `level` and above.
   *
   * @default true (level 'log')
   * @example
   * ```ts
   * CacheModule.forRoot({ stores: { main: 'redis://127.0.0.1:6379/0' }, logger: { level: 'warn' } });
   * ```
   */
  logger?: boolean | CacheLoggerOptions;
  /**
   * `false`: the application's cached methods are never reported to
   * OpenTelemetry. With `@opentelemetry/api` installed and an SDK registered
   * before the application starts, memokit reports metrics and a span per
   * load without further setup (see docs/observability.md).
   *
   * @default true
   * @example
   * ```ts
   * CacheModule.forRoot({ telemetry: false });
   * ```
   */
  telemetry?: boolean;
  /**
   * The sizing advisor for every cached method of the application that
   * states no `advisor` of its own: `true` samples 1% of keys, a number is
   * the sampling rate, `{ rate, maxKeys, seed }` bounds and seeds it.
   * `CacheService.advise()` reports (see docs/advisor.md).
   *
   * @default false
   * @example
   * ```ts
   * CacheModule.forRoot({ advisor: true });
   * ```
   */
  advisor?: boolean | number | AdvisorOptions;
}

/**
 * Options of {@link CacheModule.forTest}.
 *
 * @example
 * ```ts
 * CacheModule.forTest({ clock: new VirtualClock(), wrap: (store) => recordingStore(store) });
 * ```
 */
export interface CacheTestOptions {
  /**
   * The clock of every store (a `VirtualClock` from `memokit/testing`, moved
   * by the test).
   *
   * @default the real clock
   */
  clock?: Clock;
  /**
   * Wraps each store as it is created (`recordingStore` from
   * `memokit/testing` records every operation); gets the store's name.
   *
   * @default none
   */
  wrap?: (store: CacheStore, name: string) => CacheStore;
  /**
   * `false`: no state lines (memory stores have none anyway).
   *
   * @default true
   */
  logger?: boolean;
  /**
   * Registers the module globally, as `forRoot({ isGlobal })`.
   *
   * @default false
   */
  isGlobal?: boolean;
}

/**
 * DI token of the module's resolved {@link CacheModuleOptions} (exported by
 * CacheModule), for providers that read them.
 *
 * @default 'MEMOKIT_MODULE_OPTIONS'
 * @example
 * ```ts
 * constructor(@Inject(CacheModuleOptions) options: CacheModuleOptions) {}
 * ```
 */
export const CacheModuleOptions: string | symbol = MODULE_OPTIONS_TOKEN;

/**
 * Options of the module definition itself, next to {@link CacheModuleOptions}.
 *
 * @example
 * ```ts
 * CacheModule.forRoot({ isGlobal: true });
 * ```
 */
export interface CacheModuleExtras {
  /**
   * Registers the module globally: {@link CacheService} can be injected in
   * every module without importing CacheModule there.
   *
   * @default false
   */
  isGlobal?: boolean;
  /**
   * More providers to register in the module, e.g. what an async options
   * factory injects.
   *
   * @default []
   * @example
   * ```ts
   * CacheModule.forRootAsync({ extraProviders: [AppConfig], inject: [AppConfig], useFactory: (c: AppConfig) => c.cache });
   * ```
   */
  extraProviders?: Provider[];
}

/**
 * A class that supplies the options, for `forRootAsync({ useClass })` or
 * `forRootAsync({ useExisting })`.
 *
 * @example
 * ```ts
 * @Injectable()
 * class CacheConfig implements CacheModuleOptionsFactory {
 *   createCacheOptions(): CacheModuleOptions {
 *     return { stores: { main: process.env.CACHE_URL ?? 'memory://' }, defaultStore: 'main' };
 *   }
 * }
 * ```
 */
export interface CacheModuleOptionsFactory {
  /** The module's options, possibly loaded asynchronously. */
  createCacheOptions(): CacheModuleOptions | Promise<CacheModuleOptions>;
}

/**
 * Common part of {@link CacheModuleAsyncOptions}.
 *
 * @example
 * ```ts
 * const base: CacheModuleAsyncBase = { imports: [ConfigModule], isGlobal: true };
 * ```
 */
export interface CacheModuleAsyncBase extends CacheModuleExtras {
  /**
   * Modules whose exported providers the factory (or options class) injects.
   *
   * @default []
   */
  imports?: ModuleMetadata['imports'];
}

/**
 * Options of {@link CacheModule.forRootAsync}: exactly one of `useFactory`,
 * `useClass` or `useExisting` supplies the {@link CacheModuleOptions}.
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
export type CacheModuleAsyncOptions = CacheModuleAsyncBase &
  (
    | {
        /**
         * Returns the options (or a promise of them). Annotate its parameters:
         * they receive the providers listed in `inject`, in order.
         *
         * @default undefined
         */
        useFactory: (...deps: never[]) => CacheModuleOptions | Promise<CacheModuleOptions>;
        /**
         * Providers passed to `useFactory`, in order.
         *
         * @default []
         */
        inject?: FactoryProvider['inject'];
        useClass?: never;
        useExisting?: never;
      }
    | {
        /**
         * A class the module instantiates to call its `createCacheOptions()`.
         *
         * @default undefined
         */
        useClass: Type<CacheModuleOptionsFactory>;
        useFactory?: never;
        inject?: never;
        useExisting?: never;
      }
    | {
        /**
         * An existing provider (from `imports`) whose `createCacheOptions()`
         * supplies the options.
         *
         * @default undefined
         */
        useExisting: Type<CacheModuleOptionsFactory>;
        useFactory?: never;
        inject?: never;
        useClass?: never;
      }
  );
