/**
 * A bus publish while Redis is known not to answer fails fast: a call pays
 * the timeout at most once per outage, bus included. The messages it could
 * not send go out once Redis answers again. Pauses Redis (SIGSTOP), so the
 * suite starts its own server.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Cache } from '../../../lib/api/cache.js';
import { RedisBus } from '../../../lib/stores/tiered/bus.js';
import { RedisStore } from '../../../lib/stores/redis/index.js';
import { TieredStore } from '../../../lib/stores/tiered/tiered-store.js';
import { startRedisServer, type RedisServer } from '../../setup/redis-server.js';
import { eventually, uniquePrefix } from '../../setup/redis-env.js';

/** The bus timeout: long, so a mutation that waited for it cannot be mistaken for one that did not. */
const BUS_TIMEOUT = 1500;

let server: RedisServer;

beforeAll(async () => {
  server = await startRedisServer();
}, 30_000);

afterAll(async () => {
  await server.stop();
});

describe('tiered store: mutations while Redis does not answer', () => {
  it('pays the bus timeout once per outage; later mutations publish nothing until Redis is back, then resend', async () => {
    const prefix = uniquePrefix('bus-outage');
    const open = async () => {
      const redis = new RedisStore({ url: server.url, prefix, timeout: 100, retryInterval: 50 });
      const bus = new RedisBus({ url: server.url, channel: `${prefix}:bus`, timeout: BUS_TIMEOUT, heartbeat: 200 });
      const store = new TieredStore({ redis, bus, l1Ttl: '1m' });
      if (!(await store.ready(5000))) throw new Error('not ready');
      return { redis, bus, store, cache: new Cache<string>({ store }) };
    };
    const a = await open();
    const b = await open();
    const received: string[] = [];
    b.bus.on('message', (message) => received.push(message.key?.[1] ?? message.op));
    try {
      await a.cache.set('k0', 'old');
      server.pause();
      let first: number;
      const later: number[] = [];
      try {
        // The first mutation finds out: its Redis call and its publish each time out once.
        let started = performance.now();
        await a.cache.delete('k0');
        first = performance.now() - started;
        const skippedBefore = a.bus.publishSkipped;
        const timeoutsBefore = a.redis.redisStats().timeouts;
        for (let i = 1; i <= 5; i++) {
          started = performance.now();
          await a.cache.delete(`k${i}`);
          later.push(performance.now() - started);
        }
        console.log(
          `outage: first mutation ${first.toFixed(0)} ms, later ones ${later.map((ms) => ms.toFixed(0)).join(', ')} ms`,
        );
        expect(first).toBeGreaterThanOrEqual(BUS_TIMEOUT - 50);
        // All five together took less than one bus timeout (each would take at least one if it waited).
        expect(later.reduce((sum, ms) => sum + ms, 0)).toBeLessThan(BUS_TIMEOUT);
        // Neither Redis nor the bus was waited for again: each publish was skipped at once.
        expect(a.bus.publishing).toBe(false);
        expect(a.bus.publishSkipped - skippedBefore).toBe(5);
        expect(a.redis.redisStats().timeouts).toBe(timeoutsBefore);
      } finally {
        server.resume();
      }

      // Back: the store replays its deletes, and the bus sends what it could not (in order).
      expect(await a.store.ready(5000)).toBe(true);
      // B may also get k0's messages and the store's replayed deletes (republished, in order too): wait until
      // every one of k1..k5 arrived, then check they first arrived in the order they were made.
      const firstArrivals = (): string[] => [
        ...new Set(received.filter((key) => /k[1-5]$/.test(key)).map((key) => key.slice(-2))),
      ];
      await eventually(() => a.bus.publishing && firstArrivals().length === 5, 5000, 20);
      expect(firstArrivals()).toEqual(['k1', 'k2', 'k3', 'k4', 'k5']);
      expect(await b.cache.get('k0')).toBeUndefined();
    } finally {
      await Promise.all([a.store.close(), b.store.close()]);
      await Promise.all([a.redis.close(), b.redis.close()]);
    }
  }, 30_000);

  it('once Redis answers again, a mutation it acknowledged sends its message before resolving, not at the next heartbeat', async () => {
    const prefix = uniquePrefix('bus-recovered');
    // Heartbeats a minute apart: without the publish's own PING, kept messages would wait that long.
    const a = {
      redis: new RedisStore({ url: server.url, prefix, timeout: 100, retryInterval: 50 }),
      bus: new RedisBus({ url: server.url, channel: `${prefix}:bus`, timeout: 300, heartbeat: 60_000 }),
    };
    const b = {
      redis: new RedisStore({ url: server.url, prefix, timeout: 100, retryInterval: 50 }),
      bus: new RedisBus({ url: server.url, channel: `${prefix}:bus`, timeout: 300, heartbeat: 60_000 }),
    };
    const aStore = new TieredStore({ redis: a.redis, bus: a.bus, l1Ttl: '1m' });
    const bStore = new TieredStore({ redis: b.redis, bus: b.bus, l1Ttl: '1m' });
    const aCache = new Cache<string>({ store: aStore });
    const bCache = new Cache<string>({ store: bStore });
    const received: string[] = [];
    b.bus.on('message', (message) => received.push(message.key?.[1] ?? message.op));
    try {
      expect(await aStore.ready(5000)).toBe(true);
      expect(await bStore.ready(5000)).toBe(true);
      await aCache.set('k', 'old');
      // B reads it (from Redis) into its L1.
      expect(await bCache.getOrSet('k', async () => 'loaded by b')).toBe('old');
      server.pause();
      try {
        // A publish times out: A's publisher is known down (its store link made no call, so it is up).
        await a.bus.publish({ op: 'delete', ns: '[]', key: ['s', 'other'] });
      } finally {
        server.resume();
      }
      // Redis answers again; A's publisher was not PINGed since (no heartbeat, no replay to republish).
      expect(a.bus.publishing).toBe(false);
      expect(a.redis.redisStats().available).toBe(true);
      // B's subscription survived the pause (its heartbeat did not run): it still serves its L1.
      expect(b.bus.up).toBe(true);
      const failuresBefore = a.bus.publishFailures;
      await aCache.set('k', 'new');
      // Resolved: the message is out (kept messages first, then this one), and B dropped its copy.
      expect(a.bus.publishing).toBe(true);
      expect(a.bus.publishFailures).toBe(failuresBefore);
      await eventually(() => received.some((key) => key.endsWith('k')), 1000, 5);
      expect(await bCache.get('k')).toBe('new');
    } finally {
      await Promise.all([aStore.close(), bStore.close()]);
      await Promise.all([a.redis.close(), b.redis.close()]);
    }
  }, 30_000);
});
