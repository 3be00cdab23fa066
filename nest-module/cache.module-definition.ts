import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { CacheModuleExtras, CacheModuleOptions } from './cache-module.options.js';
import { OPTIONS_FACTORY_METHOD } from './cache.constants.js';

/**
 * `forRoot`/`forRootAsync` from Nest's ConfigurableModuleBuilder, with the
 * extras `isGlobal` and `extraProviders`. The options token is
 * `'MEMOKIT_MODULE_OPTIONS'`.
 *
 * @internal
 */
export const { ConfigurableModuleClass, MODULE_OPTIONS_TOKEN } = new ConfigurableModuleBuilder<CacheModuleOptions>({
  moduleName: 'Memokit',
})
  .setClassMethodName('forRoot')
  .setFactoryMethodName(OPTIONS_FACTORY_METHOD)
  .setExtras<CacheModuleExtras>({ isGlobal: false, extraProviders: [] }, (definition, extras) => ({
    ...definition,
    global: extras.isGlobal === true,
    providers: [...(definition.providers ?? []), ...(extras.extraProviders ?? [])],
  }))
  .build();
