import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildSampleApp,
  client,
  runScript,
  SAMPLE_METHODS,
  startSampleApp,
  type RunningApp,
  type SampleAppBuild,
} from './helpers.js';

interface Product {
  id: number;
  name: string;
  category: string;
  priceCents: number;
}

let build: SampleAppBuild;

beforeAll(async () => {
  build = await buildSampleApp();
});

afterAll(async () => {
  await build?.remove();
});

describe('sample app over HTTP (started like `npm start`, on a free port)', () => {
  let app: RunningApp;
  let http: ReturnType<typeof client>;

  beforeAll(async () => {
    app = await startSampleApp(build);
    http = client(app.url);
  });

  afterAll(async () => {
    await app?.stop();
  });

  it('prints its URL on 127.0.0.1 and the in-memory store', () => {
    expect(app.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(app.output()).toContain(`memokit sample app listening on ${app.url}`);
    expect(app.output()).toContain('cache store: memory (CacheModule default)');
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
    expect(stats.database).toEqual({ latencyMs: 25, storage: 'memory' });
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

  it('CATALOG_DATA_DIR: two instances on two ports share one database', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'memokit-catalog-'));
    const a = await startSampleApp(build, { CATALOG_DATA_DIR: dir });
    const b = await startSampleApp(build, { CATALOG_DATA_DIR: dir });
    try {
      expect(a.url).not.toBe(b.url);
      expect((await client(a.url).request('PUT', '/products/2', { name: 'Shared Planter' })).status).toBe(200);
      expect((await client(b.url).get<Product>('/products/2')).body.name).toBe('Shared Planter');
      expect(JSON.parse(await readFile(join(dir, 'products/2.json'), 'utf8'))).toMatchObject({
        name: 'Shared Planter',
      });
    } finally {
      await Promise.all([a.stop(), b.stop()]);
      await rm(dir, { recursive: true, force: true });
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
