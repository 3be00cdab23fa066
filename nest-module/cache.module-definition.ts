import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { CacheModuleExtras, CacheModuleOptions } from './cache-module.options.js';
import { MODULE_OPTIONS_TOKEN, OPTIONS_FACTORY_METHOD } from './cache.constants.js';

/**
 * `forRoot`/`forRootAsync` from Nest's ConfigurableModuleBuilder, with the
 * extras `isGlobal` and `extraProviders`. The options are provided under
 * {@link MODULE_OPTIONS_TOKEN}.
 *
 * @internal
 */
export const { ConfigurableModuleClass } = new ConfigurableModuleBuilder<CacheModuleOptions>({
  moduleName: 'Memokit',
  optionsInjectionToken: MODULE_OPTIONS_TOKEN,
})
  .setClassMethodName('forRoot')
  .setFactoryMethodName(OPTIONS_FACTORY_METHOD)
  .setExtras<CacheModuleExtras>({ isGlobal: false, extraProviders: [] }, (definition, extras) => ({
    ...definition,
    global: extras.isGlobal === true,
    providers: [...(definition.providers ?? []), ...(extras.extraProviders ?? [])],
  }))
  .build();
