/**
 * `npm run demo`: boots the sample app in this process on a free port, takes a
 * scripted tour over HTTP, prints what happened as a table, closes the app and
 * exits 0 (1 if an expectation failed). With REDIS_URL set, a second instance
 * on the same Redis shows entries and invalidations crossing instances.
 */
import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import type { BoundCachedMethodInfo } from 'memokit/nest';
import { CacheService } from 'memokit/nest';
import { createSampleApp } from './app.js';
import { cacheStoreFromEnv, redactUrl, waitForStore } from './cache-store.js';
import { CatalogDatabase, type Product } from './catalog/catalog.database.js';
import { ProductsService } from './catalog/products.service.js';
import type { CacheStatsResponse } from './dashboard/stats.controller.js';
import { UsersService } from './users/users.service.js';

interface Row {
  readonly step: string;
  readonly result: string;
  readonly expected: string;
  /** `undefined`: informational, not checked. */
  readonly ok: boolean | undefined;
}

interface Reply<T> {
  readonly status: number;
  readonly body: T;
  readonly ms: number;
}

/** One running instance of the app and how to talk to it. */
class Instance {
  private constructor(
    readonly name: string,
    readonly app: INestApplication,
    readonly url: string,
  ) {}

  static async start(name: string, database: CatalogDatabase): Promise<Instance> {
    const store = cacheStoreFromEnv();
    const app = await createSampleApp({ store, database, logger: ['error'] });
    await app.listen(0, '127.0.0.1');
    if (!(await waitForStore(store))) throw new Error(`${name}: the cache store did not become ready`);
    const instance = new Instance(name, app, await app.getUrl());
    // A shared store (Redis) may hold entries from an earlier run, made from other data: start clean.
    await instance.clearCaches();
    await instance.warmUp();
    return instance;
  }

  /**
   * Opens 100 keep-alive connections and warms up the JIT on a route that
   * touches no cache, so that the tour times the cache rather than TCP
   * handshakes, and its 100 concurrent requests really arrive together.
   */
  async warmUp(): Promise<void> {
    for (let round = 0; round < 3; round++) {
      await Promise.all(Array.from({ length: 100 }, () => this.get('/cache/stats')));
    }
    for (let i = 0; i < 20; i++) await this.get('/cache/stats');
  }

  async request<T>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Reply<T>> {
    const started = performance.now();
    const response = await fetch(this.url + path, {
      method,
      headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    const ms = performance.now() - started;
    return { status: response.status, body: (text === '' ? undefined : JSON.parse(text)) as T, ms };
  }

  get<T>(path: string, headers?: Record<string, string>): Promise<Reply<T>> {
    return this.request<T>('GET', path, undefined, headers);
  }

  async stats(): Promise<CacheStatsResponse> {
    return (await this.get<CacheStatsResponse>('/cache/stats')).body;
  }

  async method(id: string): Promise<BoundCachedMethodInfo> {
    const found = (await this.stats()).methods.find((m) => m.id === id);
    if (found === undefined) throw new Error(`${this.name}: no cached method ${id} in /cache/stats`);
    return found;
  }

  async clearCaches(): Promise<void> {
    const cache = this.app.get(CacheService);
    const products = this.app.get(ProductsService);
    const users = this.app.get(UsersService);
    for (const method of [
      products.getProduct,
      products.listProducts,
      users.getUser,
      users.getPreferences,
      users.getOrders,
    ]) {
      await cache.clearCache(method);
    }
  }
}

const rows: Row[] = [];
const record = (step: string, result: string, expected: string, ok: boolean | undefined): void => {
  rows.push({ step, result, expected, ok });
};
const queries = (n: number): string => (n === 1 ? '1 query' : `${n} queries`);
const ms = (value: number): string => `${value.toFixed(1)} ms`;
const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
};

/** Runs `action` and returns how many database queries it caused. */
async function counting(db: CatalogDatabase, action: () => Promise<unknown>): Promise<number> {
  const before = db.queries;
  await action();
  return db.queries - before;
}

async function tour(a: Instance, db: CatalogDatabase): Promise<void> {
  // 1-2. Cold vs warm.
  let cold: Reply<Product> | undefined;
  const coldQueries = await counting(db, async () => (cold = await a.get<Product>('/products/7')));
  record('cold read  GET /products/7', `${ms(cold?.ms ?? NaN)}, ${queries(coldQueries)}`, '1 query', coldQueries === 1);
  const warm: number[] = [];
  const warmQueries = await counting(db, async () => {
    for (let i = 0; i < 20; i++) warm.push((await a.get('/products/7')).ms);
  });
  record(
    'warm read  GET /products/7 (x20)',
    `median ${ms(median(warm))}, ${queries(warmQueries)}`,
    '0 queries',
    warmQueries === 0,
  );
  record(
    'cold vs warm latency',
    `${((cold?.ms ?? 0) / median(warm)).toFixed(1)}x faster warm`,
    `${db.engine}${db.latencyMs > 0 ? ` +${db.latencyMs} ms per query` : ''}`,
    undefined,
  );

  // 3. Single-flight over HTTP.
  const before = await a.method('ProductsService.getProduct');
  let replies: Reply<Product>[] = [];
  const herd = await counting(db, async () => {
    replies = await Promise.all(Array.from({ length: 100 }, () => a.get<Product>('/products/42')));
  });
  const after = await a.method('ProductsService.getProduct');
  const sameBody = replies.every(
    (r) => r.status === 200 && JSON.stringify(r.body) === JSON.stringify(replies[0]?.body),
  );
  const joined = after.stats.inflightJoins - before.stats.inflightJoins;
  const hits = after.stats.hits - before.stats.hits;
  record(
    '100 concurrent GET /products/42 (cold)',
    `${queries(herd)}; ${joined} joined the load, ${hits} hits`,
    '1 query, 100 x 200',
    herd === 1 && sameBody && replies.length === 100,
  );

  // 4-6. An update evicts exactly its entry.
  const memory = (await a.stats()).store.kind === 'memory';
  const sizeBefore = (await a.method('ProductsService.getProduct')).stats.size;
  const put = await a.request<Product>('PUT', '/products/7', { priceCents: 1234 });
  const sizeAfter = (await a.method('ProductsService.getProduct')).stats.size;
  record(
    'PUT /products/7 {priceCents: 1234}',
    memory ? `${put.status}; getProduct entries ${sizeBefore} -> ${sizeAfter}` : `${put.status}`,
    memory ? '200; one entry fewer' : '200',
    put.status === 200 && (!memory || sizeAfter === sizeBefore - 1),
  );
  record(
    'the PUT is one transaction',
    `version ${cold?.body.version} -> ${put.body.version}`,
    `version ${(cold?.body.version ?? 0) + 1}`,
    put.body.version === (cold?.body.version ?? NaN) + 1,
  );
  const refused = await a.request('PUT', '/products/7', { priceCents: 10 ** 9 });
  const kept = await a.get<Product>('/admin/products/7');
  record(
    'PUT above the price cap (CHECK fails)',
    `${refused.status}; version ${kept.body.version}, priceCents ${kept.body.priceCents}`,
    `422; rolled back (version ${put.body.version})`,
    refused.status === 422 && kept.body.version === put.body.version && kept.body.priceCents === 1234,
  );
  const other = await counting(db, () => a.get('/products/42'));
  record('GET /products/42 after the update', queries(other), '0 queries (still cached)', other === 0);
  let reread: Reply<Product> | undefined;
  const rereadQueries = await counting(db, async () => (reread = await a.get<Product>('/products/7')));
  record(
    'GET /products/7 after the update',
    `${queries(rereadQueries)}, priceCents ${reread?.body.priceCents}`,
    '1 query, 1234',
    rereadQueries === 1 && reread?.body.priceCents === 1234,
  );

  // 7. Admin fresh read: useCache false.
  const bypassBefore = (await a.method('ProductsService.getProduct')).stats.bypassed;
  const fresh = await counting(db, () => a.get('/admin/products/42'));
  const bypassAfter = (await a.method('ProductsService.getProduct')).stats.bypassed;
  record(
    'admin fresh read GET /admin/products/42',
    `${queries(fresh)}, bypassed +${bypassAfter - bypassBefore}`,
    '1 query, bypassed +1',
    fresh === 1 && bypassAfter - bypassBefore === 1,
  );

  // 8. keyFn normalizes list queries.
  const lists = await counting(db, async () => {
    await a.get('/products?category=Books');
    await a.get('/products?category=books&page=1');
  });
  record('keyFn: ?category=Books, then ?category=books&page=1', queries(lists), '1 query (one entry)', lists === 1);

  // 9. skipArgs: the request context is not part of the key.
  const orders = await counting(db, async () => {
    await a.get('/users/3/orders', { 'x-request-id': 'demo-1' });
    await a.get('/users/3/orders', { 'x-request-id': 'demo-2' });
  });
  record('skipArgs: GET /users/3/orders, two request ids', queries(orders), '1 query', orders === 1);

  // 10. Shared scope.
  const scoped = await counting(db, async () => {
    await a.get('/users/3');
    await a.get('/users/3/preferences');
    await a.get('/users/3');
    await a.get('/users/3/preferences');
  });
  const user = await a.method('UsersService.getUser');
  const prefs = await a.method('UsersService.getPreferences');
  record(
    "scope 'users': getUser + getPreferences, twice",
    memory ? `${queries(scoped)}; bucket size ${user.stats.size} seen by both` : queries(scoped),
    memory ? '2 queries; one bucket of 2' : '2 queries',
    scoped === 2 && (!memory || (user.stats.size === 2 && prefs.stats.size === 2)),
  );

  // 11. The user invalidator evicts getUser only.
  const userPut = await a.request('PUT', '/users/3', { name: 'Grace Hopper' });
  const afterUserPut = await counting(db, async () => {
    await a.get('/users/3');
    await a.get('/users/3/preferences');
  });
  record(
    'PUT /users/3, then GET user + preferences',
    `${userPut.status}; ${queries(afterUserPut)}`,
    '200; 1 query (user only)',
    userPut.status === 200 && afterUserPut === 1,
  );
}

/** Two instances on one Redis: entries and invalidations cross instances. */
async function redisTier(a: Instance, db: CatalogDatabase): Promise<Instance> {
  const b = await Instance.start('instance B', db);
  await a.get('/products/9');
  const crossRead = await counting(db, () => b.get('/products/9'));
  record('Redis: B reads /products/9 that A cached', queries(crossRead), '0 queries (from Redis)', crossRead === 0);
  await b.request('PUT', '/products/9', { priceCents: 4321 });
  let seen: Reply<Product> | undefined;
  const reload = await counting(db, async () => (seen = await a.get<Product>('/products/9')));
  record(
    'Redis: PUT on B, then A reads /products/9',
    `${queries(reload)}, priceCents ${seen?.body.priceCents}`,
    '1 query, 4321',
    reload === 1 && seen?.body.priceCents === 4321,
  );
  return b;
}

function table(header: readonly string[], body: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(header), rule, ...body.map(line)].join('\n');
}

function methodTable(methods: readonly BoundCachedMethodInfo[]): string {
  return table(
    ['method', 'kind', 'hits', 'misses', 'loads', 'joins', 'bypassed', 'size', 'hit rate'],
    methods.map((m) => [
      m.id,
      m.kind,
      String(m.stats.hits),
      String(m.stats.misses),
      String(m.stats.loads),
      String(m.stats.inflightJoins),
      String(m.stats.bypassed),
      String(m.stats.size),
      `${(m.stats.hitRate * 100).toFixed(1)}%`,
    ]),
  );
}

async function main(): Promise<number> {
  const db = await CatalogDatabase.open();
  const redisUrl = process.env.REDIS_URL?.trim();
  const instances: Instance[] = [];
  try {
    const a = await Instance.start('instance A', db);
    instances.push(a);
    const kind = (await a.stats()).store.kind;
    console.log(`memokit sample app: scripted tour on ${a.url}`);
    console.log(
      `cache store: ${kind}${redisUrl ? ` (${redactUrl(redisUrl)})` : ''}; database: ${db.engine} (${db.location})\n`,
    );
    await tour(a, db);
    if (redisUrl) instances.push(await redisTier(a, db));
    else record('Redis tier', 'skipped: REDIS_URL is not set', 'REDIS_URL=redis://127.0.0.1:6379', undefined);

    const mark = (ok: boolean | undefined) => (ok === undefined ? '-' : ok ? 'ok' : 'FAIL');
    console.log(
      table(
        ['step', 'result', 'expected', ''],
        rows.map((r) => [r.step, r.result, r.expected, mark(r.ok)]),
      ),
    );
    console.log(`\ncache figures (GET /cache/stats), database queries: ${db.queries}\n`);
    console.log(methodTable((await a.stats()).methods));
  } finally {
    for (const instance of instances.reverse()) await instance.app.close();
    await db.close();
  }
  const failed = rows.filter((r) => r.ok === false);
  console.log(
    failed.length === 0
      ? `\nall ${rows.filter((r) => r.ok).length} checks passed`
      : `\n${failed.length} check(s) FAILED: ${failed.map((r) => r.step).join('; ')}`,
  );
  return failed.length === 0 ? 0 : 1;
}

try {
  process.exitCode = await main();
} catch (error) {
  console.error('demo failed:', error);
  process.exitCode = 1;
}
