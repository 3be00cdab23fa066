/**
 * OpenTelemetry across two replicas of a real Nest application (real
 * sockets) that share a tiered store over Redis (the private test server),
 * with the real SDK registered before they start: after a scripted sequence
 * of hits, misses, a failed load and an invalidation, the metrics carry the
 * module's store name and the right values; a load's span is the HTTP
 * request span's child; the replica that hears the invalidation over the
 * bus records a span linked to the mutation's request span. Here, not in
 * test/nest: the NestJS 11 compatibility run copies test/nest alone.
 */
import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  Controller,
  Get,
  Injectable,
  Module,
  NotFoundException,
  Param,
  ParseIntPipe,
  Put,
  type INestApplication,
} from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { AsyncTTL, TTLInvalidator } from '../../lib/index.js';
import { TieredStore } from '../../lib/tiered.js';
import { CacheModule, CacheService } from '../../nest-module/index.js';
import { closeAll, track } from '../nest/helpers.js';
import { otelTestSdk, traceRequests } from '../nest/otel-sdk.js';
import { eventually, testRedisUrl, uniquePrefix } from '../setup/redis-env.js';

const sdk = otelTestSdk();
const { spans, points } = sdk;

@Injectable()
class ItemsService {
  @AsyncTTL({ ttl: '5m', store: 'shared' })
  async get(id: number): Promise<{ id: number }> {
    if (id === 404) throw new NotFoundException(`no item ${id}`);
    return { id };
  }

  @TTLInvalidator(() => ItemsService.prototype.get)
  async rename(_id: number): Promise<void> {}
}

@Controller('items')
class ItemsController {
  constructor(
    private readonly items: ItemsService,
    private readonly cache: CacheService,
  ) {}

  @Get(':id')
  get(@Param('id', ParseIntPipe) id: number) {
    return this.items.get(id);
  }

  @Put(':id')
  async rename(@Param('id', ParseIntPipe) id: number) {
    await this.items.rename(id);
    return { ok: true };
  }

  @Get(':id/explain')
  explain(@Param('id', ParseIntPipe) id: number) {
    return this.cache.explain(this.items.get, id);
  }
}

@Module({ controllers: [ItemsController], providers: [ItemsService] })
class ItemsModule {}

const stores: TieredStore[] = [];

async function replica(prefix: string): Promise<INestApplication> {
  const store = new TieredStore({ redis: { url: testRedisUrl(), prefix } });
  stores.push(store);
  expect(await store.ready(5000)).toBe(true);
  const moduleRef = await Test.createTestingModule({
    imports: [CacheModule.forRoot({ stores: { shared: store }, logger: false, isGlobal: true }), ItemsModule],
  }).compile();
  const app = track(moduleRef.createNestApplication({ logger: false }));
  traceRequests(app);
  await app.listen(0, '127.0.0.1');
  return app;
}

describe('OpenTelemetry in two replicas sharing a tiered store', () => {
  let one: INestApplication;
  let two: INestApplication;

  beforeAll(async () => {
    await sdk.start();
    const prefix = uniquePrefix('nest-otel');
    one = await replica(prefix);
    two = await replica(prefix);
  });

  afterAll(async () => {
    await closeAll();
    await Promise.all(stores.map((store) => store.close()));
    await sdk.stop();
  });

  /** The figure of ItemsService.get with `key` = `value`, summed over both replicas (one series per store name). */
  const figure = async (name: string, attributes: Record<string, string> = {}): Promise<unknown> =>
    (await points(name)).find(
      (p) =>
        p.attributes['memokit.method'] === 'ItemsService.get' &&
        Object.entries(attributes).every(([k, v]) => p.attributes[k] === v),
    )?.value;

  it('metrics, load spans and a cross-replica invalidation linked to the mutation', async () => {
    const http = (app: INestApplication) => request(app.getHttpServer());
    await http(one).get('/items/1').expect(200); // replica one: miss, load
    await http(one).get('/items/1').expect(200); // hit
    await http(two).get('/items/1').expect(200); // replica two: miss in L1, a hit from Redis (no load)
    await http(one).get('/items/404').expect(404); // miss, failed load
    spans.reset();
    await http(one).put('/items/1').expect(200); // invalidation, heard by replica two

    const store = { 'memokit.store': 'shared' };
    expect(await figure('memokit.calls', { ...store, result: 'hit' })).toBe(2);
    expect(await figure('memokit.calls', { ...store, result: 'miss' })).toBe(2);
    expect(await figure('memokit.loads', { ...store, outcome: 'ok' })).toBe(1);
    expect(await figure('memokit.loads', { ...store, outcome: 'error' })).toBe(1);
    // The invalidator evicts before and after the mutation, in each binding of the process (both replicas
    // live in this one): 4; the bus message replica two then hears is not counted again.
    expect(await figure('memokit.invalidations')).toBe(4);
    expect(await figure('memokit.store.available', store)).toBe(1);
    expect(await figure('memokit.bus.gaps', store)).toBe(0);

    await eventually(() => spans.getFinishedSpans().some((s) => s.name === 'memokit.invalidated ItemsService.get'));
    const finished = spans.getFinishedSpans();
    const put = finished.find((s) => s.name === 'PUT /items/1');
    expect(put?.events.map((e) => e.name)).toContain('memokit.invalidate');
    const heard = finished.filter((s) => s.name === 'memokit.invalidated ItemsService.get');
    // Both replicas' bindings live in this process, and the invalidator evicts (before and after the mutation)
    // in each: each store publishes, the other hears. Every span heard links to the PUT's span.
    expect(heard.length).toBeGreaterThan(0);
    for (const span of heard) {
      expect(span.links.map((l) => [l.context.traceId, l.context.spanId])).toEqual([
        [put?.spanContext().traceId, put?.spanContext().spanId],
      ]);
      expect(span.parentSpanContext).toBeUndefined();
    }

    // Replica two explains why item 1 is gone: the key's invalidation, from replica one, in the PUT's trace.
    const why = (await http(two).get('/items/1/explain').expect(200)).body as Record<string, unknown>;
    expect(why).toMatchObject({
      key: 1,
      store: 'shared',
      tier: null,
      window: 'absent',
      lastInvalidation: { kind: 'key', traceId: put?.spanContext().traceId },
    });

    spans.reset();
    await http(two).get('/items/1').expect(200); // a load, in replica two's request
    const load = spans.getFinishedSpans().find((s) => s.name === 'memokit.load ItemsService.get');
    const get = spans.getFinishedSpans().find((s) => s.name === 'GET /items/1');
    expect(load?.parentSpanContext?.spanId).toBe(get?.spanContext().spanId);
    expect(load?.attributes['memokit.store']).toBe('shared');
  });
});
