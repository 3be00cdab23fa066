import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  ADVISED,
  buildSampleApp,
  client,
  databaseEnv,
  startSampleApp,
  usersScopeTraffic,
  type AdviceBody,
  type RunningApp,
  type SampleAppBuild,
} from './helpers.js';

/**
 * `GET /cache/advice`, the sizing advisor's reports, on the sample app
 * started like `npm start` (its own process, a free port). The advisor is
 * independent of the database engine: these run on SQLite only. Each test
 * drives methods no other test of the file calls, so the call counts are
 * exactly the requests made.
 */
let build: SampleAppBuild;
let app: RunningApp;
let http: ReturnType<typeof client>;

beforeAll(async () => {
  build = await buildSampleApp();
  app = await startSampleApp(build, await databaseEnv('sqlite'));
  http = client(app.url);
});

afterAll(async () => {
  await app?.stop();
  await build?.remove();
});

const MULTIPLES = [0.25, 0.5, 1, 2, 4, 8];
const TTL_MULTIPLES = [0.25, 0.5, 1, 2, 4];

/** The hit rate of an exact LRU cache of `size` entries over `trace` (the reference the advisor estimates). */
function lruHitRate(trace: readonly string[], size: number): number {
  const cache = new Map<string, true>();
  let hits = 0;
  for (const key of trace) {
    if (cache.delete(key)) hits++;
    cache.set(key, true);
    if (cache.size > size) cache.delete(cache.keys().next().value as string);
  }
  return hits / trace.length;
}

async function adviceOf(method: string): Promise<AdviceBody> {
  const response = await http.get<AdviceBody[]>('/cache/advice');
  expect(response.status).toBe(200);
  const found = response.body.find((advice) => advice.method === method);
  if (found === undefined) throw new Error(`no advice for ${method} in ${response.text}`);
  return found;
}

/**
 * What holds for every size curve: the six multiples of the method's
 * `maxSize`, hit rates within [0, 1] and never lower at a larger size, the
 * bytes of each size from the entries it would hold, and a recommendation
 * that is the knee: the smallest size within one point of the 8× estimate.
 */
function expectSizeCurve(advice: AdviceBody): void {
  const maxSize = advice.maxSize as number;
  expect(advice.sizes.map((point) => point.multiple)).toEqual(MULTIPLES);
  expect(advice.sizes.map((point) => point.size)).toEqual(MULTIPLES.map((m) => Math.max(1, Math.round(maxSize * m))));
  for (const [i, point] of advice.sizes.entries()) {
    expect(point.hitRate).toBeGreaterThanOrEqual(0);
    expect(point.hitRate).toBeLessThanOrEqual(1);
    if (i > 0) expect(point.hitRate).toBeGreaterThanOrEqual(advice.sizes[i - 1]!.hitRate);
    expect(point.bytes).toBe(Math.min(point.size, advice.distinctKeys) * (advice.bytesPerEntry as number));
  }
  const largest = advice.sizes[advice.sizes.length - 1]!;
  const current = advice.sizes.find((point) => point.multiple === 1)!;
  const knee = advice.sizes.find((point) => point.hitRate >= largest.hitRate - 0.01)!;
  expect(advice.recommendation).toEqual({
    maxSize: knee.size,
    hitRate: knee.hitRate,
    bytes: knee.bytes,
    loadsPerSecondChange: expect.any(Number),
  });
  expect(advice.recommendation?.loadsPerSecondChange).toBeCloseTo(
    advice.callsPerSecond * (current.hitRate - knee.hitRate),
    6,
  );
}

describe('GET /cache/advice', () => {
  it('reports on every advised method, as JSON with null for what is unknown, never cached', async () => {
    const response = await http.get<AdviceBody[]>('/cache/advice');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/json');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.body.map((advice) => advice.method).sort()).toEqual([...ADVISED].sort());
    // Nothing called yet (this test runs first): no curve, no recommendation, a warning that says why.
    const orders = response.body.find((advice) => advice.method === 'UsersService.getOrders');
    expect(orders).toEqual({
      method: 'UsersService.getOrders',
      store: 'default',
      maxSize: 1024,
      ttl: 60_000,
      calls: 0,
      callsPerSecond: 0,
      observedMs: expect.any(Number),
      rate: 1,
      sampledKeys: 0,
      distinctKeys: 0,
      bytesPerEntry: null,
      sizes: [],
      ttls: [],
      recommendation: null,
      warnings: ['no calls observed yet'],
    });
    expect(response.body.find((advice) => advice.method === 'ProductsService.getProduct')).toMatchObject({
      maxSize: 10_000,
      ttl: null,
      rate: 0.25,
    });
  });

  it('the users scope (rate 1): one report for its two methods, the curve an exact LRU gives, the knee at 2 × users', async () => {
    const users = 150;
    const calls = await usersScopeTraffic(http, users);
    const advice = await adviceOf('scope:users');
    expect(advice).toMatchObject({ maxSize: 1000, ttl: null, rate: 1, calls, sampledKeys: 2 * users });
    expect(advice.distinctKeys).toBe(2 * users);
    expect(advice.warnings).toEqual([]);
    expect(advice.bytesPerEntry).toBeGreaterThan(120); // the entry's own cost, plus a user or its preferences
    expectSizeCurve(advice);
    // 300 keys: 250 entries miss every call, 500 and more hit the whole second pass.
    expect(advice.sizes.map((point) => point.hitRate)).toEqual([0, 0.5, 0.5, 0.5, 0.5, 0.5]);
    expect(advice.recommendation).toMatchObject({ maxSize: 500, hitRate: 0.5, loadsPerSecondChange: 0 });
    expect(advice.ttls).toEqual([]);
    // The estimate at the current size is what the cache measured: every key sampled, nothing evicted.
    const stats = await http.stats();
    const scope = stats.methods.filter((m) => m.sharedScope?.name === 'users');
    const hits = scope.reduce((n, m) => n + m.stats.hits, 0);
    const lookups = scope.reduce((n, m) => n + m.stats.hits + m.stats.misses, 0);
    expect(lookups).toBe(calls);
    expect(hits / lookups).toBe(advice.sizes[2]!.hitRate);
  });

  it('listProducts (TTL, rate 1): each point is the hit rate of an LRU of that size over the calls made', async () => {
    // A hot set of 30 listing pages read twice per round, then a scan of 120 pages out of 360: reuse
    // distances of 29, 149 and 389 keys, so the curve steps between 100 and 200 entries and between 200 and 400.
    const trace: string[] = [];
    for (let round = 0; round < 4; round++) {
      for (let pass = 0; pass < 2; pass++) for (let page = 1; page <= 30; page++) trace.push(String(page));
      for (let j = 0; j < 120; j++) trace.push(String(31 + ((round * 120 + j) % 360)));
    }
    for (const page of trace) expect((await http.get(`/products?page=${page}`)).status).toBe(200);

    const advice = await adviceOf('ProductsService.listProducts');
    expect(advice).toMatchObject({ maxSize: 200, ttl: 30_000, rate: 1, calls: trace.length, sampledKeys: 390 });
    expectSizeCurve(advice);
    const exact = advice.sizes.map((point) => lruHitRate(trace, point.size));
    expect(exact.map((rate) => rate.toFixed(3))).toEqual(['0.167', '0.167', '0.292', '0.458', '0.458', '0.458']);
    for (const [i, point] of advice.sizes.entries()) expect(Math.abs(point.hitRate - exact[i]!)).toBeLessThan(0.005);
    // The knee is above the current size: 400 entries, and fewer loads per second.
    expect(advice.recommendation?.maxSize).toBe(400);
    expect(advice.recommendation?.loadsPerSecondChange).toBeLessThan(0);
    // The cache's own hit rate at 200 entries agrees (no entry expired: the test is shorter than the TTL).
    const measured = (await http.method('ProductsService.listProducts')).stats;
    expect(measured.hits + measured.misses).toBe(trace.length);
    expect(Math.abs(measured.hitRate - advice.sizes[2]!.hitRate)).toBeLessThan(0.005);
    // The TTL curve: 0.25×–4× of 30 s at 200 entries; nothing is older than 7.5 s, so every TTL keeps what fits.
    expect(advice.ttls.map((point) => point.multiple)).toEqual(TTL_MULTIPLES);
    expect(advice.ttls.map((point) => point.ttl)).toEqual(TTL_MULTIPLES.map((m) => 30_000 * m));
    for (const point of advice.ttls) expect(Math.abs(point.hitRate - exact[2]!)).toBeLessThan(0.005);
  });

  it('getProduct (rate 0.25): about a quarter of the ids sampled, every call counted, a flat curve advises the smallest size', async () => {
    // 600 ids read 1,050 times (ids 1–150 three times, 151–300 twice), 25 requests at a time.
    const ids = [600, 300, 150].flatMap((n) => Array.from({ length: n }, (_, i) => i + 1));
    for (let i = 0; i < ids.length; i += 25) {
      const replies = await Promise.all(ids.slice(i, i + 25).map((id) => http.get(`/products/${id}`)));
      expect(replies.every((reply) => reply.status === 200)).toBe(true);
    }
    const advice = await adviceOf('ProductsService.getProduct');
    expect(advice.calls).toBe(ids.length);
    expect(advice.rate).toBe(0.25);
    expect(advice.sampledKeys).toBeGreaterThan(600 * 0.25 * 0.6);
    expect(advice.sampledKeys).toBeLessThan(600 * 0.25 * 1.4);
    expect(advice.distinctKeys).toBe(Math.round(advice.sampledKeys / 0.25));
    expect(advice.callsPerSecond).toBeCloseTo((advice.calls * 1000) / advice.observedMs, 1);
    expectSizeCurve(advice);
    // Even 0.25 × 10,000 entries hold all 600 ids: the same hit rate at every size (the true one is 450 / 1,050),
    // and the knee is the smallest size, at no cost in loads.
    const rates = advice.sizes.map((point) => point.hitRate);
    expect(new Set(rates).size).toBe(1);
    expect(Math.abs(rates[0]! - 450 / 1050)).toBeLessThan(0.08);
    expect(advice.recommendation).toMatchObject({ maxSize: 2500, loadsPerSecondChange: 0 });
    expect(advice.warnings).toEqual(
      advice.sampledKeys < 100 ? [expect.stringContaining(`only ${advice.sampledKeys} keys sampled`)] : [],
    );
  });

  it('the admin fresh read (useCache: false) is not a call the advisor counts', async () => {
    const before = await adviceOf('ProductsService.getProduct');
    expect((await http.get('/admin/products/1')).status).toBe(200);
    expect((await adviceOf('ProductsService.getProduct')).calls).toBe(before.calls);
  });

  it('the dashboard page fetches it', async () => {
    expect((await http.get('/')).text).toContain("fetch('/cache/advice'");
  });
});

describe('GET /cache/advice in the other cache modes', () => {
  it('none: 409, since every read bypasses the cache', async () => {
    const other = await startSampleApp(build, { ...(await databaseEnv('sqlite')), CACHE_MODE: 'none' });
    try {
      const http = client(other.url);
      expect((await http.get('/users/1')).status).toBe(200);
      const response = await http.get<{ message: string }>('/cache/advice');
      expect(response.status).toBe(409);
      expect(response.body.message).toBe(
        'advice needs a cache; this app runs CACHE_MODE=none, where every read bypasses it',
      );
    } finally {
      await other.stop();
    }
  });

  it('nest-cache-manager: the methods memokit still caches, the users ones', async () => {
    const other = await startSampleApp(build, { ...(await databaseEnv('sqlite')), CACHE_MODE: 'nest-cache-manager' });
    try {
      const http = client(other.url);
      for (const path of ['/products/1', '/users/1', '/users/1', '/users/2/preferences'])
        expect((await http.get(path)).status).toBe(200);
      const advice = await http.advice();
      expect(advice.map((a) => a.method).sort()).toEqual(['UsersService.getOrders', 'scope:users']);
      expect(advice.find((a) => a.method === 'scope:users')).toMatchObject({ calls: 3, sampledKeys: 2 });
    } finally {
      await other.stop();
    }
  });
});
