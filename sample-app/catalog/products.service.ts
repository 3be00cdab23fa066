import { Injectable } from '@nestjs/common';
import { AsyncLRU, AsyncTTL, LRUInvalidator, TTLInvalidator, withCacheOptions } from 'memokit';
import { CatalogDatabase, type Product } from './catalog.database.js';

/** What a product list is filtered by. */
export interface ProductQuery {
  /** A category name, any case; omitted: every category. */
  readonly category?: string | undefined;
  /** 1-based page number; omitted: 1. */
  readonly page?: number | undefined;
}

/** Fields an update may change. */
export type ProductPatch = Partial<Pick<Product, 'name' | 'priceCents'>>;

const categoryOf = (query: ProductQuery): string | undefined => query.category?.toLowerCase();

/**
 * Product reads are cached; writes evict exactly what they change.
 *
 * - `getProduct`: `@AsyncLRU`, one entry per id, no expiry (writes evict it).
 * - `listProducts`: `@AsyncTTL` with a `keyFn` that normalizes the query, so
 *   `?category=Books` and `?category=books&page=1` share one entry.
 * - `updateProduct` / `deleteProduct`: invalidators evict that product's entry
 *   and clear the (short-lived) lists, before and after the write. The write
 *   itself is one database transaction (`CatalogDatabase.updateProduct`), so
 *   the invalidation wraps a committed change, or a rolled-back one.
 */
@Injectable()
export class ProductsService {
  constructor(private readonly db: CatalogDatabase) {}

  // Sized for the whole catalog (10,000 products by default): a product page is read by id under a long-tailed load.
  // The advisor samples a quarter of the ids: about 2,500 keys, well above the 100 its estimates need and below
  // its 8,192-key cap (at rate 1 the cap would lower the rate on its own), at a quarter of the sampling work.
  @AsyncLRU({ maxSize: 10_000, advisor: 0.25 })
  async getProduct(id: number): Promise<Product | null> {
    return this.db.findProduct(id);
  }

  @AsyncTTL({
    ttl: '30s',
    maxSize: 200,
    keyFn: ([query]: [ProductQuery]) => [categoryOf(query) ?? '*', query.page ?? 1],
  })
  async listProducts(query: ProductQuery): Promise<Product[]> {
    return this.db.listProducts(categoryOf(query), query.page ?? 1);
  }

  /** The categories that have products (not cached: the listing's keys are what matter). */
  categories(): Promise<string[]> {
    return this.db.categories();
  }

  /** Admin view: always reads the database and leaves the cache as it is (no read, no write). */
  getProductFresh(id: number): Promise<Product | null> {
    return withCacheOptions({ useCache: false }, () => this.getProduct(id));
  }

  @LRUInvalidator(() => ProductsService.prototype.getProduct)
  @TTLInvalidator(() => ProductsService.prototype.listProducts, { clearAll: true })
  async updateProduct(id: number, patch: ProductPatch): Promise<Product | null> {
    return this.db.updateProduct(id, patch);
  }

  @LRUInvalidator(() => ProductsService.prototype.getProduct)
  @TTLInvalidator(() => ProductsService.prototype.listProducts, { clearAll: true })
  async deleteProduct(id: number): Promise<boolean> {
    return this.db.deleteProduct(id);
  }
}
