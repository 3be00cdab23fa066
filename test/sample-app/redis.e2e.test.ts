/**
 * The sample app on Redis (REDIS_URL), against the private redis-server that
 * jest's globalSetup starts: two instances on two ports (two processes, one
 * Redis, one shared SQLite file) stay coherent, CACHE_TIER=redis and the
 * @nestjs/cache-manager mode run on that Redis, and the demo's Redis tier
 * passes.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rawClient, testRedisUrl, uniquePrefix } from '../setup/redis-env.js';
import {
  buildSampleApp,
  client,
  runScript,
  startSampleApp,
  startSampleApps,
  TEST_SEED,
  type RunningApp,
  type SampleAppBuild,
} from './helpers.js';

interface Product {
  id: number;
  priceCents: number;
  version: number;
}

/** `redis://host:port/0?prefix=<unique>`: every run gets keys of its own. */
const redisUrl = (label: string): string => `${testRedisUrl()}/0?prefix=${uniquePrefix(label)}`;

let build: SampleAppBuild;

beforeAll(async () => {
  build = await buildSampleApp();
});

afterAll(async () => {
  await build?.remove();
});

describe('two instances of the sample app on one Redis', () => {
  let dataDir: string;
  let a: RunningApp;
  let b: RunningApp;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'memokit-catalog-'));
    const env = { ...TEST_SEED, REDIS_URL: redisUrl('sample-app'), SQLITE_FILE: join(dataDir, 'catalog.sqlite') };
    [a, b] = (await startSampleApps(build, env, 2)) as [RunningApp, RunningApp];
  });

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
  });

  it('report the tiered store on Redis, with the password-free URL in the banner', async () => {
    expect(a.output()).toMatch(/cache store: tiered \(redis:\/\/127\.0\.0\.1:\d+\/0\?prefix=/);
    expect((await client(a.url).stats()).store.kind).toBe('tiered');
  });

  it('share entries: what A loaded, B reads from Redis without a query', async () => {
    const httpA = client(a.url);
    const httpB = client(b.url);
    expect((await httpA.get('/products/31')).status).toBe(200);
    const before = (await httpB.stats()).queries;
    expect((await httpB.get<Product>('/products/31')).body.id).toBe(31);
    expect((await httpB.stats()).queries).toBe(before);
    expect((await httpB.method('ProductsService.getProduct')).stats.hits).toBeGreaterThanOrEqual(1);
  });

  it('stay coherent: a write on B evicts the entry for A too', async () => {
    const httpA = client(a.url);
    const httpB = client(b.url);
    await httpA.get('/products/32');
    await httpB.get('/products/32');
    expect((await httpB.request<Product>('PUT', '/products/32', { priceCents: 4242 })).status).toBe(200);

    const before = (await httpA.stats()).queries;
    expect((await httpA.get<Product>('/products/32')).body.priceCents).toBe(4242);
    expect((await httpA.stats()).queries).toBe(before + 1);
    // And now both serve the new value from Redis.
    expect((await httpB.get<Product>('/products/32')).body.priceCents).toBe(4242);
  });
});

describe('CACHE_TIER=redis and CACHE_MODE=nest-cache-manager on Redis', () => {
  it('CACHE_TIER=redis: the Redis store alone, entries shared across instances', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'memokit-catalog-'));
    const env = { ...TEST_SEED, REDIS_URL: redisUrl('tier'), CACHE_TIER: 'redis', SQLITE_FILE: join(dir, 'c.sqlite') };
    const [a, b] = (await startSampleApps(build, env, 2)) as [RunningApp, RunningApp];
    try {
      expect((await client(a.url).stats()).store.kind).toBe('redis');
      await client(a.url).get('/products/33');
      const before = (await client(b.url).stats()).queries;
      expect((await client(b.url).get<Product>('/products/33')).body.id).toBe(33);
      expect((await client(b.url).stats()).queries).toBe(before);
      const put = await client(b.url).request<Product>('PUT', '/products/33', { priceCents: 3333 });
      expect((await client(a.url).get<Product>('/products/33')).body).toEqual(put.body);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('CACHE_TIER without REDIS_URL fails at startup, naming both', async () => {
    const result = await runScript(build.main, build.root, { CACHE_TIER: 'redis' });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('CACHE_TIER=redis needs REDIS_URL');
  });

  it('nest-cache-manager: responses cached in Redis through Keyv, deleted on PUT', async () => {
    const app = await startSampleApp(build, {
      ...TEST_SEED,
      CACHE_MODE: 'nest-cache-manager',
      REDIS_URL: `${testRedisUrl()}/0`,
    });
    const redis = rawClient();
    // Keyv's key for the interceptor's key (the URL) in its 'catalog' namespace.
    const cached = async (): Promise<number> => (await redis.keys('*catalog:/products/34')).length;
    try {
      const http = client(app.url);
      expect(app.output()).toMatch(/@nestjs\/cache-manager on the product routes, Redis through Keyv/);
      const first = await http.get<Product>('/products/34');
      const queries = (await http.stats()).queries;
      expect((await http.get<Product>('/products/34')).body).toEqual(first.body);
      expect((await http.stats()).queries).toBe(queries);
      expect(await cached()).toBe(1);
      const put = await http.request<Product>('PUT', '/products/34', { priceCents: 3434 });
      expect(await cached()).toBe(0);
      expect((await http.get<Product>('/products/34')).body).toEqual(put.body);
      expect((await http.stats()).summary).toEqual({ hits: 1, misses: 2 });
    } finally {
      await redis.quit();
      await app.stop();
    }
  });
});

describe('npm run demo with REDIS_URL', () => {
  it('runs the Redis tier: a second instance reads from Redis and sees invalidations', async () => {
    const result = await runScript(build.demo, build.root, { REDIS_URL: redisUrl('sample-demo') });
    if (result.code !== 0) throw new Error(`demo exited ${result.code}:\n${result.stdout}\n${result.stderr}`);
    expect(result.stdout).toMatch(/Redis: B reads \/products\/9 that A cached\s+0 queries\s+.*ok/);
    expect(result.stdout).toMatch(/Redis: PUT on B, then A reads \/products\/9\s+1 query, priceCents 4321\s+.*ok/);
    expect(result.stdout).toMatch(/all \d+ checks passed/);
  });
});
