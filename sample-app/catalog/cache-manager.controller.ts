import {
  Body,
  Controller,
  DefaultValuePipe,
  Delete,
  Get,
  HttpCode,
  Inject,
  Module,
  NotFoundException,
  Param,
  ParseIntPipe,
  Put,
  Query,
  UseInterceptors,
  type DynamicModule,
} from '@nestjs/common';
import { CACHE_MANAGER, CacheInterceptor, CacheModule as NestCacheModule, type Cache } from '@nestjs/cache-manager';
import KeyvRedis from '@keyv/redis';
import { CacheableMemory } from 'cacheable';
import { Keyv, KeyvHooks } from 'keyv';
import { HitCounter } from '../cache-mode.js';
import { CatalogDatabase, type Product } from './catalog.database.js';
import { found, listingQuery, productPatch, refusedAs422 } from './products.controller.js';

/** How long cache-manager keeps a response: the TTL the listings have under memokit. */
export const CACHE_MANAGER_TTL_MS = 30_000;

/**
 * `CACHE_MODE=nest-cache-manager`: the product routes cached the way
 * `@nestjs/cache-manager` users do today, for comparison. `CacheInterceptor`
 * caches each GET response under its URL; the write handlers delete the
 * product's URL key after the database write, as that package's docs show.
 * Listings are not deleted (their keys carry query strings): they expire.
 * The database is called directly: memokit is not used on these routes.
 */
@Controller()
export class CacheManagerProductsController {
  constructor(
    private readonly db: CatalogDatabase,
    @Inject(CACHE_MANAGER) private readonly cacheManager: Cache,
  ) {}

  @Get('categories')
  categories(): Promise<string[]> {
    return this.db.categories();
  }

  @Get('products')
  @UseInterceptors(CacheInterceptor)
  list(
    @Query('category') category: string | undefined,
    @Query('page', new DefaultValuePipe(1), ParseIntPipe) page: number,
  ): Promise<Product[]> {
    listingQuery(category, page);
    return this.db.listProducts(category?.toLowerCase(), page);
  }

  @Get('products/:id')
  @UseInterceptors(CacheInterceptor)
  async get(@Param('id', ParseIntPipe) id: number): Promise<Product> {
    return found(await this.db.findProduct(id), `product ${id}`);
  }

  @Put('products/:id')
  async update(@Param('id', ParseIntPipe) id: number, @Body() body: unknown): Promise<Product> {
    const product = found(await refusedAs422(this.db.updateProduct(id, productPatch(body))), `product ${id}`);
    await this.cacheManager.del(`/products/${id}`);
    return product;
  }

  @Delete('products/:id')
  @HttpCode(204)
  async remove(@Param('id', ParseIntPipe) id: number): Promise<void> {
    if (!(await this.db.deleteProduct(id))) throw new NotFoundException(`No product ${id}`);
    await this.cacheManager.del(`/products/${id}`);
  }

  @Get('admin/products/:id')
  async fresh(@Param('id', ParseIntPipe) id: number): Promise<Product> {
    return found(await this.db.findProduct(id), `product ${id}`);
  }
}

/**
 * The cache-manager store: in memory (cacheable's LRU), or Redis through
 * `@keyv/redis` when `redisUrl` is given. Its gets are counted into `counter`
 * (a value: hit; none: miss) for `/cache/stats`.
 */
export function cacheManagerStore(redisUrl: string | undefined, counter: HitCounter): Keyv {
  const keyv =
    redisUrl === undefined
      ? new Keyv({ store: new CacheableMemory({ ttl: CACHE_MANAGER_TTL_MS, lruSize: 10_000 }) })
      : new Keyv({ store: new KeyvRedis(redisUrl), namespace: 'catalog' });
  keyv.hooks.addHandler(KeyvHooks.POST_GET, (data: { value?: unknown }) => {
    if (data.value === undefined) counter.misses++;
    else counter.hits++;
  });
  return keyv;
}

/** The product routes on `@nestjs/cache-manager` (see {@link CacheManagerProductsController}). */
@Module({})
export class CacheManagerCatalogModule {
  static forRoot(store: Keyv): DynamicModule {
    return {
      module: CacheManagerCatalogModule,
      imports: [NestCacheModule.register({ stores: [store], ttl: CACHE_MANAGER_TTL_MS })],
      controllers: [CacheManagerProductsController],
    };
  }
}
