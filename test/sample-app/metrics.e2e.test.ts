import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  buildSampleApp,
  client,
  databaseEnv,
  startSampleApp,
  type RunningApp,
  type SampleAppBuild,
} from './helpers.js';

/**
 * The sample app, started like `npm start` (its own process, a free port),
 * serves Prometheus metrics at `/metrics` through the OpenTelemetry
 * Prometheus exporter: memokit's instruments, per cached method and store,
 * with the values the requests made.
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

/** The value of the sample `name{labels}` in a Prometheus text exposition (labels in any order). */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)\{([^}]*)\} (\S+)/.exec(line);
    if (match === null || match[1] !== name) continue;
    const found = Object.fromEntries([...match[2]!.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => found[k] === v)) return Number(match[3]);
  }
  return undefined;
}

describe('GET /metrics', () => {
  it("exposes memokit's metrics in Prometheus's format, with the values the requests made", async () => {
    expect(app.output()).toContain(`metrics:     ${app.url}/metrics (Prometheus)`);
    for (let i = 0; i < 4; i++) expect((await http.get('/products/7')).status).toBe(200); // 1 miss + load, 3 hits
    expect((await http.request('PUT', '/products/7', { priceCents: 4999 })).status).toBe(200); // invalidations
    expect((await http.get('/products/7')).status).toBe(200); // a miss and a load again

    const response = await http.get('/metrics');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = response.text;
    const method = { memokit_method: 'ProductsService.getProduct', memokit_store: 'default' };
    expect(sample(text, 'memokit_calls_total', { ...method, result: 'hit' })).toBe(3);
    expect(sample(text, 'memokit_calls_total', { ...method, result: 'miss' })).toBe(2);
    expect(sample(text, 'memokit_loads_total', { ...method, outcome: 'ok' })).toBe(2);
    expect(sample(text, 'memokit_loads_total', { ...method, outcome: 'error' })).toBe(0);
    expect(sample(text, 'memokit_entries', method)).toBe(1);
    expect(sample(text, 'memokit_invalidations_total', { memokit_method: 'ProductsService.getProduct' })).toBe(2);
    expect(sample(text, 'memokit_load_duration_count', { ...method, outcome: 'ok' })).toBe(2);
    expect(text).toContain('# TYPE memokit_calls_total counter');
    expect(text).toContain('# HELP memokit_calls_total Calls of cached methods');
    // Every cached method of the app has its series, with no call made to some.
    expect(sample(text, 'memokit_calls_total', { memokit_method: 'UsersService.getOrders', result: 'hit' })).toBe(0);
  });
});
