/**
 * OpenTelemetry in a real Nest application over a real socket, with the real
 * SDK registered before the application starts (as main.ts does): the
 * metrics after a scripted sequence of requests, and the load's span as the
 * child of the HTTP request's span (started by a middleware, as HTTP
 * instrumentation does). A second application with `telemetry: false`
 * reports nothing.
 */
import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { telemetryActive } from '../../lib/api/telemetry.js';
import { otelTestSdk, traceRequests } from './otel-sdk.js';
import { CacheModule } from '../../nest-module/index.js';
import { CatalogModule } from './fixtures/catalog.app.js';
import { closeAll, track } from './helpers.js';

const sdk = otelTestSdk();
const { spans, points } = sdk;

async function app(telemetry: boolean): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({
    imports: [CacheModule.forRoot({ stores: { search: { max: 100 } }, isGlobal: true, telemetry }), CatalogModule],
  }).compile();
  const nest = track(moduleRef.createNestApplication({ logger: false }));
  traceRequests(nest);
  await nest.listen(0, '127.0.0.1');
  return nest;
}

describe('OpenTelemetry in a Nest application', () => {
  let server: INestApplication;

  beforeAll(async () => {
    await sdk.start();
    expect(telemetryActive()).toEqual({ metrics: true, tracing: true });
    server = await app(true);
  });

  afterAll(async () => {
    await closeAll();
    await sdk.stop();
  });

  it("reports the requests' hits, misses and loads, and each load's span is the request span's child", async () => {
    const http = server.getHttpServer();
    const figure = async (name: string, key: string, value: string): Promise<number> =>
      ((await points(name)).find(
        (p) => p.attributes['memokit.method'] === 'CatalogService.getProduct' && p.attributes[key] === value,
      )?.value as number | undefined) ?? 0;
    // The catalog warms one product at startup: count from here.
    const before = {
      hit: await figure('memokit.calls', 'result', 'hit'),
      miss: await figure('memokit.calls', 'result', 'miss'),
      ok: await figure('memokit.loads', 'outcome', 'ok'),
    };
    spans.reset();
    await request(http).get('/products/3').expect(200); // miss, load
    await request(http).get('/products/3').expect(200); // hit
    await request(http).get('/products/4').expect(200); // miss, load
    expect(await figure('memokit.calls', 'result', 'hit')).toBe(before.hit + 1);
    expect(await figure('memokit.calls', 'result', 'miss')).toBe(before.miss + 2);
    expect(await figure('memokit.loads', 'outcome', 'ok')).toBe(before.ok + 2);

    const finished = spans.getFinishedSpans();
    const requests = finished.filter((s) => s.name === 'GET /products/3' || s.name === 'GET /products/4');
    const loadSpans = finished.filter((s) => s.name === 'memokit.load CatalogService.getProduct');
    expect(requests).toHaveLength(3);
    expect(loadSpans).toHaveLength(2);
    const parents = new Set(loadSpans.map((s) => s.parentSpanContext?.spanId));
    const first = requests.find((s) => s.name === 'GET /products/3' && parents.has(s.spanContext().spanId));
    const fourth = requests.find((s) => s.name === 'GET /products/4');
    expect(first).toBeDefined();
    expect(parents.has(fourth!.spanContext().spanId)).toBe(true);
    expect(loadSpans.every((s) => s.spanContext().traceId !== undefined)).toBe(true);

    // memokit.store names the module's store: 'default' here, 'search' for the method that names it.
    expect(loadSpans.map((s) => s.attributes['memokit.store'])).toEqual(['default', 'default']);
    const calls = await points('memokit.calls');
    const storeOf = (method: string): unknown[] => [
      ...new Set(
        calls.filter((p) => p.attributes['memokit.method'] === method).map((p) => p.attributes['memokit.store']),
      ),
    ];
    expect(storeOf('CatalogService.getProduct')).toEqual(['default']);
    expect(storeOf('CatalogService.search')).toEqual(['search']);
  });

  it('an application with telemetry: false is not reported', async () => {
    await closeAll();
    spans.reset();
    server = await app(false);
    await request(server.getHttpServer()).get('/products/5').expect(200);
    expect(spans.getFinishedSpans().filter((s) => s.name.startsWith('memokit.load'))).toEqual([]);
  });
});
