import 'reflect-metadata';
import { afterEach, describe, expect, it } from '@jest/globals';
import { registry } from '../../lib/api/registry.js';
import { CacheModule, CacheService } from '../../nest-module/index.js';
import { CatalogModule, CatalogRepository, CatalogService } from './fixtures/catalog.app.js';
import { bootstrap, closeAll } from './helpers.js';

afterEach(closeAll);

const boot = () =>
  bootstrap({ imports: [CacheModule.forRoot({ stores: { search: { max: 10 } }, isGlobal: true }), CatalogModule] });

describe('two Nest applications in one process', () => {
  it('each binds its own instances to its own stores: no shared entries, no shared figures', async () => {
    const [a, b] = await Promise.all([boot(), boot()]);
    const catalogA = a.get(CatalogService);
    const catalogB = b.get(CatalogService);
    const cacheA = a.get(CacheService);
    const cacheB = b.get(CacheService);
    expect(cacheA.getStore()).not.toBe(cacheB.getStore());
    expect(cacheA.getStore('search')).not.toBe(cacheB.getStore('search'));

    const queriesB = b.get(CatalogRepository).queries;
    // Interleaved: A loads 10 twice and 11 once; B loads 10 once.
    await Promise.all([catalogA.getProduct(10), catalogB.getProduct(10), catalogA.getProduct(11)]);
    await catalogA.getProduct(10);
    await Promise.all([catalogA.search('Product 2'), catalogA.search('Product 2')]);

    expect(b.get(CatalogRepository).queries).toBe(queriesB + 1); // B did not see A's entries
    // The warmer loaded product 1 in each app at init.
    expect(cacheA.cacheStats(catalogA.getProduct)).toMatchObject({ misses: 3, hits: 1, size: 3 });
    expect(cacheB.cacheStats(catalogB.getProduct)).toMatchObject({ misses: 2, hits: 0, size: 2 });
    expect(cacheA.cacheStats(catalogA.search)).toMatchObject({ misses: 1, inflightJoins: 1, size: 1 });
    expect(cacheB.cacheStats(catalogB.search)).toMatchObject({ misses: 0, size: 0 });

    // CacheService acts on its own app only.
    await cacheB.clearCache(catalogB.getProduct);
    expect(cacheA.cacheStats(catalogA.getProduct).size).toBe(3);
    expect(await cacheA.invalidateCache(catalogA.getProduct, 10)).toBe(true);
    expect(cacheB.cacheStats(catalogB.getProduct).size).toBe(0);
    expect(cacheA.cacheStats(catalogA.getProduct).size).toBe(2);

    // The same class's method has one binding per app (plus none for the process default).
    const definition = registry.of(CatalogService.prototype.getProduct);
    expect(definition?.engines.size).toBe(2);
  });

  it('many testing modules in parallel keep their counts apart', async () => {
    const apps = await Promise.all(Array.from({ length: 4 }, boot));
    await Promise.all(
      apps.map(async (app, i) => {
        const catalog = app.get(CatalogService);
        for (let n = 0; n <= i; n++) await catalog.getProduct(12);
      }),
    );
    expect(apps.map((app) => app.get(CacheService).cacheStats(app.get(CatalogService).getProduct))).toEqual(
      apps.map((_, i) => expect.objectContaining({ misses: 2, hits: i, size: 2 })),
    );
  });
});
