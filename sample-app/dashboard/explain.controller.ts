import { ConflictException, Controller, Get, Header, Inject, Param, ParseIntPipe } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { CacheExplanation, InvalidationRecord } from 'memokit';
import { CacheService } from 'memokit/nest';
import { CACHE_MODE, type CacheMode } from '../cache-mode.js';
import { ProductsService } from '../catalog/products.service.js';

/** The body of `GET /cache/explain/products/:id`: `CacheService.explain` with `null` for what it leaves undefined. */
export interface ExplainResponse {
  /** The cached method explained. */
  readonly method: 'ProductsService.getProduct';
  readonly key: CacheExplanation['key'];
  readonly store: string;
  readonly tier: string | null;
  readonly ageMs: number | null;
  readonly ttlLeftMs: number | null;
  readonly tags: readonly string[];
  readonly window: CacheExplanation['window'];
  readonly lastInvalidation: InvalidationRecord | null;
}

/**
 * "Explain this entry" for a product: why `GET /products/:id` answers what
 * it answers (where the entry is, how old, how fresh, and the last
 * invalidation that touched it, from this process or another).
 */
@Controller('cache')
export class ExplainController {
  constructor(
    private readonly cache: CacheService,
    private readonly modules: ModuleRef,
    @Inject(CACHE_MODE) private readonly mode: CacheMode,
  ) {}

  @Get('explain/products/:id')
  @Header('Cache-Control', 'no-store')
  async product(@Param('id', ParseIntPipe) id: number): Promise<ExplainResponse> {
    if (this.mode !== 'memokit') {
      throw new ConflictException(`explain needs CACHE_MODE=memokit; this app runs CACHE_MODE=${this.mode}`);
    }
    const products = this.modules.get(ProductsService, { strict: false });
    const why = await this.cache.explain(products.getProduct, id);
    return {
      method: 'ProductsService.getProduct',
      key: why.key,
      store: why.store,
      tier: why.tier,
      ageMs: why.ageMs ?? null,
      ttlLeftMs: why.ttlLeftMs ?? null,
      tags: why.tags,
      window: why.window,
      lastInvalidation: why.lastInvalidation,
    };
  }
}
