import {
  BadRequestException,
  Body,
  Controller,
  DefaultValuePipe,
  Delete,
  Get,
  HttpCode,
  NotFoundException,
  Param,
  ParseIntPipe,
  Put,
  Query,
  UnprocessableEntityException,
} from '@nestjs/common';
import { CacheModeService } from '../cache-mode.js';
import { CATEGORIES, isConstraintError, type Product } from './catalog.database.js';
import { ProductsService, type ProductPatch } from './products.service.js';

export function found<T>(value: T | null, what: string): T {
  if (value === null) throw new NotFoundException(`No ${what}`);
  return value;
}

/** A write the database refused (a CHECK or UNIQUE constraint) is the client's 422, not a 500. */
export async function refusedAs422<T>(write: Promise<T>): Promise<T> {
  try {
    return await write;
  } catch (error) {
    if (isConstraintError(error))
      throw new UnprocessableEntityException(`The database refused the update: ${error.message}`);
    throw error;
  }
}

/** Validates a listing query; returns the 1-based page. */
export function listingQuery(category: string | undefined, page: number): void {
  if (category !== undefined && !(CATEGORIES as readonly string[]).includes(category.toLowerCase())) {
    throw new BadRequestException(`Unknown category "${category}"; known: ${CATEGORIES.join(', ')}`);
  }
  if (page < 1) throw new BadRequestException('page must be 1 or more');
}

/** Validates an update body: `{ name?: string, priceCents?: integer >= 0 }`, at least one of them. */
export function productPatch(body: unknown): ProductPatch {
  if (typeof body !== 'object' || body === null) throw new BadRequestException('Expected a JSON object');
  const { name, priceCents, ...rest } = body as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length > 0) throw new BadRequestException(`Unknown field(s): ${unknown.join(', ')}`);
  if (name !== undefined && (typeof name !== 'string' || name.trim() === '')) {
    throw new BadRequestException('name must be a non-empty string');
  }
  if (
    priceCents !== undefined &&
    (typeof priceCents !== 'number' || !Number.isSafeInteger(priceCents) || priceCents < 0)
  ) {
    throw new BadRequestException('priceCents must be a nonnegative integer');
  }
  if (name === undefined && priceCents === undefined) throw new BadRequestException('Nothing to update');
  return { ...(name === undefined ? {} : { name }), ...(priceCents === undefined ? {} : { priceCents }) };
}

@Controller()
export class ProductsController {
  constructor(
    private readonly products: ProductsService,
    private readonly mode: CacheModeService,
  ) {}

  @Get('categories')
  categories(): Promise<string[]> {
    return this.products.categories();
  }

  @Get('products')
  list(
    @Query('category') category: string | undefined,
    @Query('page', new DefaultValuePipe(1), ParseIntPipe) page: number,
  ): Promise<Product[]> {
    listingQuery(category, page);
    return this.mode.read(() => this.products.listProducts({ category, page }));
  }

  @Get('products/:id')
  async get(@Param('id', ParseIntPipe) id: number): Promise<Product> {
    return found(await this.mode.read(() => this.products.getProduct(id)), `product ${id}`);
  }

  @Put('products/:id')
  async update(@Param('id', ParseIntPipe) id: number, @Body() body: unknown): Promise<Product> {
    return found(await refusedAs422(this.products.updateProduct(id, productPatch(body))), `product ${id}`);
  }

  @Delete('products/:id')
  @HttpCode(204)
  async remove(@Param('id', ParseIntPipe) id: number): Promise<void> {
    if (!(await this.products.deleteProduct(id))) throw new NotFoundException(`No product ${id}`);
  }

  /** Admin "fresh" read: straight from the database, the cache neither read nor written. */
  @Get('admin/products/:id')
  async fresh(@Param('id', ParseIntPipe) id: number): Promise<Product> {
    return found(await this.products.getProductFresh(id), `product ${id}`);
  }
}
