import { Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { CacheExplorer } from './cache.explorer.js';

/**
 * Hosts the explorer. Global so that Nest runs its `onModuleInit` before the
 * hooks of the application's own modules (global modules come first), and
 * its `onApplicationShutdown` after theirs. It exports nothing.
 *
 * @internal
 */
@Global()
@Module({
  imports: [DiscoveryModule],
  providers: [CacheExplorer],
})
export class CacheExplorerModule {}
