import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Database from 'better-sqlite3';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildSampleApp,
  client,
  databaseEnv,
  ENGINES,
  runScript,
  SAMPLE_METHODS,
  startSampleApp,
  startSampleApps,
  stopPostgres,
  TEST_SEED,
  type RunningApp,
  type SampleAppBuild,
} from './helpers.js';

interface Product {
  id: number;
  name: string;
  category: string;
  priceCents: number;
  version: number;
  updatedAt: string;
}

let build: SampleAppBuild;

beforeAll(async () => {
  build = await buildSampleApp();
});

afterAll(async () => {
  await build?.remove();
  await stopPostgres();
});

describe.each(ENGINES)('sample app over HTTP on %s (started like `npm start`, on a free port)', (engine) => {
  let app: RunningApp;
  let http: ReturnType<typeof client>;

  beforeAll(async () => {
    app = await startSampleApp(build, await databaseEnv(engine));
    http = client(app.url);
  });

  afterAll(async () => {
    await app?.stop();
  });

  it('prints its URL on 127.0.0.1, the in-memory store and its database', () => {
    expect(app.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(app.output()).toContain(`memokit sample app listening on ${app.url}`);
    expect(app.output()).toContain('cache store: memory (CacheModule default)');
    expect(app.output()).toMatch(
      engine === 'sqlite'
        ? /database: {4}sqlite \(\/.*\/catalog\.sqlite\)/
        : /database: {4}postgres \(postgres:\/\/memokit@127\.0\.0\.1:\d+\/catalog_/,
    );
  });

  it('GET /health, /categories, /db/stats and its reset', async () => {
    expect(await http.get('/health')).toMatchObject({ status: 200, body: { ok: true } });
    const categories = await http.get<string[]>('/categories');
    expect(categories.body).toHaveLength(12);
    expect(categories.body).toContain('garden');
    const db = await http.get<{ engine: string; queries: number }>('/db/stats');
    expect(db.body.engine).toBe(engine);
    expect(db.body.queries).toBe((await http.stats()).queries);
    expect((await http.request('POST', '/db/stats/reset')).status).toBe(204);
    expect((await http.get<{ queries: number }>('/db/stats')).body.queries).toBe(0);
    await http.get('/products/1999');
    expect((await http.get<{ queries: number }>('/db/stats')).body.queries).toBe(1);
  });

  it('a PUT is one transaction: the database increments the version, and the next GET shows it', async () => {
    const before = (await http.get<Product>('/products/15')).body;
    expect(before).toMatchObject({ id: 15, version: 1 });
    const put = await http.request<Product>('PUT', '/products/15', { priceCents: 1500 });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ id: 15, priceCents: 1500, version: 2 });
    expect(Date.parse(put.body.updatedAt)).toBeGreaterThan(Date.parse(before.updatedAt));
    expect((await http.get<Product>('/products/15')).body).toEqual(put.body);
    expect((await http.request<Product>('PUT', '/products/15', { name: 'Renamed' })).body.version).toBe(3);
    expect((await http.get<Product>('/products/15')).body).toMatchObject({
      name: 'Renamed',
      priceCents: 1500,
      version: 3,
    });
  });

  it('a failing update rolls back: 422, and the version and price stay as they were', async () => {
    const before = (await http.get<Product>('/admin/products/16')).body;
    const queries = (await http.stats()).queries;
    // Above the catalog's price cap: the CHECK fails after the version was bumped, in the same transaction.
    const refused = await http.request('PUT', '/products/16', { priceCents: 200_000_000 });
    expect(refused.status).toBe(422);
    expect(refused.text).toContain('The database refused the update');
    // The bump and the failed patch ran: they count as real queries.
    expect((await http.stats()).queries).toBe(queries + 2);
    expect((await http.get<Product>('/admin/products/16')).body).toEqual(before);
    expect((await http.get<Product>('/products/16')).body).toEqual(before);
    // The product is still writable: no transaction or lock was left open.
    expect((await http.request<Product>('PUT', '/products/16', { priceCents: 1600 })).body.version).toBe(
      before.version + 1,
    );
  });

  it('serves the second request from the cache: the query count does not move', async () => {
    const start = (await http.stats()).queries;
    const first = await http.get<Product>('/products/5');
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ id: 5, category: expect.any(String), priceCents: expect.any(Number) });
    expect((await http.stats()).queries).toBe(start + 1);

    const second = await http.get<Product>('/products/5');
    expect(second.body).toEqual(first.body);
    expect((await http.stats()).queries).toBe(start + 1);
  });

  it('an update invalidates exactly that product: it reloads once, others stay cached', async () => {
    await http.get('/products/11');
    await http.get('/products/12');
    const sizeBefore = (await http.method('ProductsService.getProduct')).stats.size;

    const put = await http.request<Product>('PUT', '/products/11', { priceCents: 777 });
    expect(put.status).toBe(200);
    expect(put.body.priceCents).toBe(777);
    expect((await http.method('ProductsService.getProduct')).stats.size).toBe(sizeBefore - 1);

    const before = (await http.stats()).queries;
    expect((await http.get<Product>('/products/12')).status).toBe(200);
    expect((await http.stats()).queries).toBe(before);
    expect((await http.get<Product>('/products/11')).body.priceCents).toBe(777);
    expect((await http.stats()).queries).toBe(before + 1);
    await http.get('/products/11');
    expect((await http.stats()).queries).toBe(before + 1);
  });

  it('a delete invalidates too: the next read is a 404 (and the 404 is cached like any value)', async () => {
    await http.get('/products/13');
    expect((await http.request('DELETE', '/products/13')).status).toBe(204);
    expect((await http.get('/products/13')).status).toBe(404);
    const before = (await http.stats()).queries;
    expect((await http.get('/products/13')).status).toBe(404);
    expect((await http.stats()).queries).toBe(before);
    expect((await http.request('DELETE', '/products/13')).status).toBe(404);
  });

  it('GET /cache/stats lists every cached method with figures that match the requests made', async () => {
    const stats = await http.stats();
    expect(stats.store).toEqual({ name: 'default', kind: 'memory' });
    expect(stats.database).toEqual({ engine, latencyMs: 0 });
    expect(stats.mode).toBe('memokit');
    expect(stats.methods.map((m) => m.id).sort()).toEqual([...SAMPLE_METHODS].sort());
    expect(Object.values(stats.queriesByTable).reduce((a, b) => a + b, 0)).toBe(stats.queries);
    for (const m of stats.methods) expect(m.store).toBe('default');
    expect(stats.methods.find((m) => m.id === 'ProductsService.listProducts')).toMatchObject({
      kind: 'ttl',
      ttl: 30_000,
    });

    // A method no other test touches: 1 miss, then 3 hits, 1 load, 1 database query.
    const user = await http.method('UsersService.getUser');
    const usersQueries = stats.queriesByTable.users ?? 0;
    for (let i = 0; i < 4; i++) expect((await http.get('/users/6')).status).toBe(200);
    const after = await http.stats();
    const userAfter = after.methods.find((m) => m.id === 'UsersService.getUser');
    expect(userAfter?.stats).toMatchObject({
      hits: user.stats.hits + 3,
      misses: user.stats.misses + 1,
      loads: user.stats.loads + 1,
    });
    expect(userAfter?.stats.hitRate).toBeCloseTo(
      (user.stats.hits + 3) / (user.stats.hits + 3 + user.stats.misses + 1),
      10,
    );
    expect(after.queriesByTable.users).toBe(usersQueries + 1);
    // The summary the load runner reads: every lookup of every method.
    expect(after.summary.hits - stats.summary.hits).toBe(3);
    expect(after.summary.misses - stats.summary.misses).toBe(1);
  });

  it('100 concurrent requests for one cold product cause one query', async () => {
    const before = (await http.stats()).queries;
    const replies = await Promise.all(Array.from({ length: 100 }, () => http.get<Product>('/products/40')));
    expect(replies.every((r) => r.status === 200 && r.body.id === 40)).toBe(true);
    expect((await http.stats()).queries).toBe(before + 1);
  });

  it('the admin fresh read always queries and neither reads nor writes the cache', async () => {
    await http.get('/products/21');
    const method = await http.method('ProductsService.getProduct');
    const before = (await http.stats()).queries;
    expect((await http.get('/admin/products/21')).status).toBe(200);
    expect((await http.get('/admin/products/22')).status).toBe(200);
    const after = await http.method('ProductsService.getProduct');
    expect((await http.stats()).queries).toBe(before + 2);
    expect(after.stats.bypassed).toBe(method.stats.bypassed + 2);
    expect(after.stats.size).toBe(method.stats.size);
  });

  it('keyFn: list queries that differ only in case or a default page share one entry', async () => {
    const before = (await http.stats()).queriesByTable.products ?? 0;
    const a = await http.get<Product[]>('/products?category=Garden');
    const b = await http.get<Product[]>('/products?category=garden&page=1');
    expect(a.body).toEqual(b.body);
    expect(a.body.every((p) => p.category === 'garden')).toBe(true);
    expect((await http.stats()).queriesByTable.products).toBe(before + 1);
    expect((await http.get('/products?category=nope')).status).toBe(400);
  });

  it('skipArgs: the request context is not part of the orders key', async () => {
    const before = (await http.stats()).queriesByTable.orders ?? 0;
    await http.get('/users/8/orders', { 'x-request-id': 'one' });
    await http.get('/users/8/orders', { 'x-request-id': 'two' });
    expect((await http.stats()).queriesByTable.orders).toBe(before + 1);
  });

  it("scope 'users': getUser and getPreferences share one bucket; updating a user evicts getUser only", async () => {
    await http.get('/users/9');
    await http.get('/users/9/preferences');
    const user = await http.method('UsersService.getUser');
    const prefs = await http.method('UsersService.getPreferences');
    expect(user.stats.size).toBe(prefs.stats.size);

    expect((await http.request('PUT', '/users/9', { name: 'Radia P.' })).status).toBe(200);
    const before = (await http.stats()).queriesByTable;
    expect((await http.get<{ name: string }>('/users/9')).body.name).toBe('Radia P.');
    await http.get('/users/9/preferences');
    const after = (await http.stats()).queriesByTable;
    expect(after.users).toBe((before.users ?? 0) + 1);
    expect(after.preferences).toBe(before.preferences);
  });

  it('rejects bad input with 400 and unknown ids with 404', async () => {
    expect((await http.request('PUT', '/products/1', { priceCents: -5 })).status).toBe(400);
    expect((await http.request('PUT', '/products/1', { colour: 'red' })).status).toBe(400);
    expect((await http.request('PUT', '/products/1', {})).status).toBe(400);
    expect((await http.get('/products/abc')).status).toBe(400);
    expect((await http.get('/products/9999')).status).toBe(404);
    expect((await http.request('PUT', '/products/9999', { priceCents: 1 })).status).toBe(404);
    expect((await http.request('PUT', '/users/9999', { name: 'x' })).status).toBe(404);
  });

  it('serves the dashboard at / as HTML that polls /cache/stats', async () => {
    const page = await http.get('/');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.text).toContain('<table id="methods">');
    expect(page.text).toContain("fetch('/cache/stats'");
  });

  it("shuts down on SIGTERM through Nest's shutdown hooks (not killed)", async () => {
    const other = await startSampleApp(build);
    expect((await client(other.url).get('/products/1')).status).toBe(200);
    // enableShutdownHooks closes the app, then re-raises the signal.
    expect(await other.stop()).toEqual({ code: null, signal: 'SIGTERM' });
    expect(other.output()).not.toMatch(/error/i);
  });
});

describe('sample app configuration', () => {
  it('refuses a bad PORT with a message naming it', async () => {
    const result = await runScript(build.main, build.root, { PORT: 'http' });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('PORT must be an integer from 0 to 65535, got "http"');
  });

  it('SQLITE_FILE: two instances on two ports share one database file, seeded once (WAL)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'memokit-catalog-'));
    const file = join(dir, 'shared.sqlite');
    const [a, b] = (await startSampleApps(build, { ...TEST_SEED, SQLITE_FILE: file }, 2)) as [RunningApp, RunningApp];
    try {
      expect(a.url).not.toBe(b.url);
      const put = await client(a.url).request<Product>('PUT', '/products/2', { name: 'Shared Planter' });
      expect(put.body).toMatchObject({ name: 'Shared Planter', version: 2 });
      expect((await client(b.url).get<Product>('/products/2')).body).toEqual(put.body);
      const db = new Database(file, { readonly: true });
      try {
        expect(db.prepare('SELECT name, version FROM products WHERE id = 2').get()).toEqual({
          name: 'Shared Planter',
          version: 2,
        });
        expect(db.prepare('SELECT COUNT(*) AS n FROM products').get()).toEqual({ n: 2000 });
        expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      } finally {
        db.close();
      }
    } finally {
      await Promise.all([a.stop(), b.stop()]);
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('seeds a realistic catalog by default: 10,000 products, 1,000 users with orders (a join)', async () => {
    const app = await startSampleApp(build);
    try {
      const http = client(app.url);
      expect((await http.get<Product>('/products/10000')).body).toMatchObject({ id: 10000, version: 1 });
      expect((await http.get('/products/10001')).status).toBe(404);
      expect((await http.get('/users/1000')).status).toBe(200);
      const orders = await http.get<{ userId: number; productName: string }[]>('/users/1000/orders');
      expect(orders.body.length).toBeGreaterThan(0);
      for (const order of orders.body) expect(order).toMatchObject({ userId: 1000, productName: expect.any(String) });
      const page = await http.get<Product[]>('/products?category=toys&page=3');
      expect(page.body).toHaveLength(20);
      expect(page.body.every((p) => p.category === 'toys')).toBe(true);
      const ids = page.body.map((p) => p.id);
      expect(ids).toEqual([...ids].sort((x, y) => x - y));
    } finally {
      await app.stop();
    }
  });

  it('refuses a DATABASE_URL that is not postgres:// with a message naming it', async () => {
    const result = await runScript(build.main, build.root, { DATABASE_URL: 'mysql://u:secret@h/db' });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('DATABASE_URL must be a postgres:// URL, got "mysql://u:***@h/db"');
  });
});

describe.each(ENGINES)('CACHE_MODE on %s (the load benchmark compares these)', (engine) => {
  it('none: every GET runs its query, invalidation has nothing to do, the summary stays 0', async () => {
    const app = await startSampleApp(build, { ...(await databaseEnv(engine)), CACHE_MODE: 'none' });
    try {
      const http = client(app.url);
      expect(app.output()).toContain('cache store: none');
      for (let i = 0; i < 3; i++) expect((await http.get('/products/5')).status).toBe(200);
      await http.get('/users/5');
      await http.get('/users/5');
      const stats = await http.stats();
      expect(stats.queriesByTable).toMatchObject({ products: 3, users: 2 });
      expect(stats.summary).toEqual({ hits: 0, misses: 0 });
      expect(stats.mode).toBe('none');
      const put = await http.request<Product>('PUT', '/products/5', { priceCents: 505 });
      expect((await http.get<Product>('/products/5')).body).toEqual(put.body);
    } finally {
      await app.stop();
    }
  });

  it('nest-cache-manager: CacheInterceptor serves repeated GETs, del on PUT shows the new version', async () => {
    const app = await startSampleApp(build, { ...(await databaseEnv(engine)), CACHE_MODE: 'nest-cache-manager' });
    try {
      const http = client(app.url);
      expect(app.output()).toContain('cache store: @nestjs/cache-manager on the product routes, in memory');
      const first = await http.get<Product>('/products/6');
      const queries = (await http.stats()).queries;
      expect((await http.get<Product>('/products/6')).body).toEqual(first.body);
      expect((await http.stats()).queries).toBe(queries);
      const put = await http.request<Product>('PUT', '/products/6', { priceCents: 606 });
      expect(put.body.version).toBe(first.body.version + 1);
      expect((await http.get<Product>('/products/6')).body).toEqual(put.body);
      const stats = await http.stats();
      expect(stats.mode).toBe('nest-cache-manager');
      expect(stats.summary).toEqual({ hits: 1, misses: 2 });
      expect(stats.methods.map((m) => m.id)).not.toContain('ProductsService.getProduct');
    } finally {
      await app.stop();
    }
  });
});

describe('npm run demo (sample-app/demo.ts)', () => {
  it('tours the app, prints its table and exits 0', async () => {
    const result = await runScript(build.demo, build.root);
    if (result.code !== 0) throw new Error(`demo exited ${result.code}:\n${result.stdout}\n${result.stderr}`);
    expect(result.stdout).toMatch(/100 concurrent GET \/products\/42 \(cold\)\s+1 query/);
    expect(result.stdout).toContain('Redis tier');
    expect(result.stdout).toMatch(/all \d+ checks passed/);
  });
});
