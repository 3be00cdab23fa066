/**
 * CacheModule.forTest() in a real Nest application: the application's store
 * names (here a Redis store in production) resolve to memory stores on a
 * virtual clock, each wrapped in a recording store, so a test asserts what
 * the cache did without Redis and without sleeping.
 */
import 'reflect-metadata';
import { afterEach, describe, expect, it } from '@jest/globals';
import { Injectable } from '@nestjs/common';
import { AsyncTTL, LoadTimeoutError, MemoryStore } from '../../lib/index.js';
import { callOutcome, recordingStore, VirtualClock, type RecordedStore } from '../../lib/testing/index.js';
import { CacheModule, CacheService } from '../../nest-module/index.js';
import { bootstrap, closeAll } from './helpers.js';

afterEach(closeAll);

@Injectable()
class PriceService {
  loads = 0;

  @AsyncTTL({ ttl: '10m', store: 'redis' }) // a Redis store in CacheModule.forRoot, in production
  async price(sku: string): Promise<number> {
    this.loads++;
    return sku.length * 100;
  }
}

@Injectable()
class ReportService {
  readonly gates: ((value: string) => void)[] = [];

  @AsyncTTL({ ttl: '1d', timeout: { hard: '30s' }, store: 'redis' })
  async build(id: string): Promise<string> {
    return new Promise<string>((resolve) => this.gates.push((value) => resolve(`${id}:${value}`)));
  }
}

describe('CacheModule.forTest()', () => {
  it("resolves the application's store names to recorded memory stores on the test's clock", async () => {
    const clock = new VirtualClock();
    const app = await bootstrap({
      imports: [CacheModule.forTest({ clock, wrap: (store) => recordingStore(store) })],
      providers: [PriceService],
    });
    const prices = app.get(PriceService);
    const cache = app.get(CacheService);
    expect((await callOutcome(prices.price, () => prices.price('A-1'))).outcome).toBe('load');
    expect((await callOutcome(prices.price, () => prices.price('A-1'))).outcome).toBe('hit');
    clock.advance(10 * 60_000 + 1);
    expect((await callOutcome(prices.price, () => prices.price('A-1'))).outcome).toBe('load');
    expect(prices.loads).toBe(2);

    const store = cache.getStore('redis') as RecordedStore<MemoryStore>;
    expect(store).toBeInstanceOf(MemoryStore);
    const reads = store.operations('PriceService.price').filter((o) => o.op === 'sync.get');
    expect(reads.map((o) => o.outcome)).toEqual(['miss', 'hit', 'miss']);
    expect(cache.storeNames()).toEqual(['default', 'redis']);
  });

  it("drives load timeouts on the test's clock: a hard timeout fires when the clock passes it", async () => {
    const clock = new VirtualClock();
    const app = await bootstrap({ imports: [CacheModule.forTest({ clock })], providers: [ReportService] });
    const reports = app.get(ReportService);
    const call = reports.build('r').then(
      () => 'resolved',
      (error: unknown) => error,
    );
    clock.advance(30_000);
    expect(await call).toBeInstanceOf(LoadTimeoutError);
    reports.gates[0]!('late');
    await new Promise((resolve) => setImmediate(resolve));
    expect((await callOutcome(reports.build, () => reports.build('r'))).outcome).toBe('hit');
  });
});
