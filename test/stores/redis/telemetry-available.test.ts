/**
 * `memokit.store.available` with the real OpenTelemetry SDK, on a Redis
 * server this suite starts and stops (its own: the shared one must stay up):
 * 1 while the store serves calls, 0 while Redis is down, 1 once it is back;
 * for a Redis store and a tiered store over it.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Cache } from '../../../lib/index.js';
import { RedisStore } from '../../../lib/stores/redis/index.js';
import { TieredStore } from '../../../lib/tiered.js';
import { otelTestSdk } from '../../nest/otel-sdk.js';
import { eventually, uniquePrefix } from '../../setup/redis-env.js';
import { startRedisServer, type RedisServer } from '../../setup/redis-server.js';

const sdk = otelTestSdk();
let server: RedisServer;
beforeAll(async () => {
  server = await startRedisServer();
  await sdk.start();
});
afterAll(async () => {
  await server.stop();
  await sdk.stop();
});

describe('memokit.store.available', () => {
  it('follows Redis going down and coming back, for a Redis and a tiered store', async () => {
    const redis = new RedisStore({ url: server.url, prefix: uniquePrefix('otel-up'), timeout: 100, retryInterval: 50 });
    const tiered = new TieredStore({
      redis: { url: server.url, prefix: uniquePrefix('otel-up-tiered'), timeout: 100, retryInterval: 50 },
    });
    const caches = [new Cache({ store: redis, prefix: 'r' }), new Cache({ store: tiered, prefix: 't' })];
    const available = async (): Promise<unknown[]> => {
      const points = await sdk.points('memokit.store.available');
      return caches.map((cache) => points.find((p) => p.attributes['memokit.method'] === cache.name)?.value);
    };
    try {
      expect(await redis.ready(5000)).toBe(true);
      expect(await tiered.ready(5000)).toBe(true);
      expect(await available()).toEqual([1, 1]);
      await server.stop();
      await Promise.all(caches.map((cache) => cache.get('k'))); // calls find Redis down
      await eventually(async () => (await available()).every((v) => v === 0), 5000);
      await server.restart();
      await eventually(async () => (await available()).every((v) => v === 1), 10_000);
    } finally {
      await redis.close();
      await tiered.close();
    }
  });
});
