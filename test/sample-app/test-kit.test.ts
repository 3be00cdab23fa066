/**
 * The sample app tested in process with memokit/testing's kit: its cache
 * store is a recording memory store on a virtual clock, and `callOutcome`
 * says what each service call did. (The other sample-app suites drive the
 * built app over HTTP.)
 */
import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { MemoryStore } from '../../lib/index.js';
import { callOutcome, recordingStore, VirtualClock } from '../../lib/testing/index.js';
import { createSampleApp } from '../../sample-app/app.js';
import { CatalogDatabase } from '../../sample-app/catalog/catalog.database.js';
import { ProductsService } from '../../sample-app/catalog/products.service.js';

const clock = new VirtualClock();
const store = recordingStore(new MemoryStore({ clock }));
let app: INestApplication;
let products: ProductsService;

beforeAll(async () => {
  const database = await CatalogDatabase.open({ seedProducts: 40, seedUsers: 5 });
  app = await createSampleApp({ database, store, closeDatabase: true, logger: false });
  await app.init();
  products = app.get(ProductsService);
});

afterAll(async () => {
  await app?.close();
});

describe('the sample app with the test kit', () => {
  it('a product page: loaded once, then a hit; an update evicts it and the next read loads the new price', async () => {
    expect((await callOutcome(products.getProduct, () => products.getProduct(3))).outcome).toBe('load');
    expect((await callOutcome(products.getProduct, () => products.getProduct(3))).outcome).toBe('hit');
    await products.updateProduct(3, { priceCents: 4242 });
    const reread = await callOutcome(products.getProduct, () => products.getProduct(3));
    expect(reread.outcome).toBe('load');
    expect(reread.value).toMatchObject({ id: 3, priceCents: 4242 });
    const deletes = store.operations('ProductsService.getProduct').filter((o) => o.op === 'sync.delete' && o.key === 3);
    expect(deletes).toHaveLength(2); // the invalidator evicts before and after the write
  });

  it('a listing lives 30 s on the virtual clock', async () => {
    const query = { category: 'books', page: 1 };
    expect((await callOutcome(products.listProducts, () => products.listProducts(query))).outcome).toBe('load');
    clock.advance(29_000);
    expect((await callOutcome(products.listProducts, () => products.listProducts(query))).outcome).toBe('hit');
    clock.advance(1_001);
    expect((await callOutcome(products.listProducts, () => products.listProducts(query))).outcome).toBe('load');
  });
});
