/**
 * Names shared by the module's files.
 *
 * @internal
 */

/** Name of the store decorated methods use when they name none, unless `defaultStore` names another. */
export const DEFAULT_STORE_NAME = 'default';

/** Logger context of the module's warnings. */
export const LOGGER_CONTEXT = 'CacheModule';

/** Method a `useClass`/`useExisting` options factory implements. */
export const OPTIONS_FACTORY_METHOD = 'createCacheOptions';

/** The options `CacheModule.forRoot` accepts. */
export const MODULE_OPTION_KEYS = ['stores', 'defaultStore', 'logger', 'telemetry', 'advisor'] as const;

/**
 * DI token of the module's resolved options, exported to applications as
 * `CacheModuleOptions`. The name ConfigurableModuleBuilder would derive from
 * the module name `Memokit`, stated here so the options type and the module
 * definition both read it from one place.
 */
export const MODULE_OPTIONS_TOKEN = 'MEMOKIT_MODULE_OPTIONS';
