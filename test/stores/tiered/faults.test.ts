import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Cache } from '../../../lib/index.js';
import { TieredStore } from '../../../lib/tiered.js';
import { startRedisServer, type RedisServer } from '../../setup/redis-server.js';
import { eventually, rawClient, uniquePrefix } from '../../setup/redis-env.js';

/**
 * Two tiered stores on a private Redis stand for two processes. Traffic runs
 * through every fault (Redis stopped and restarted, paused and resumed, the
 * subscriber connection killed); mutations go through process A while the
 * outage is known to process B. Checked: every call returns the source's
 * value, none older than the last completed mutation; each call is bounded
 * by the store timeout plus the method's time.
 */
const TIMEOUT = 250;
const METHOD_MS = 5;

describe('tiered store under Redis faults (own server)', () => {
  let server: RedisServer;
  let a: TieredStore;
  let b: TieredStore;
  let version = 0; // the source of truth
  let committed = 0; // last completed mutation
  const figures = { calls: 0, fellBack: 0, stale: 0, maxLatency: 0, maxPropagation: 0 };
  let phase = 'start';
  const stalePhases: string[] = [];

  const cacheOf = (store: TieredStore) => new Cache<number>({ store });
  /** B's L1 copy of the item (in the Cache's namespace, not the store root). */
  const inL1OfB = () => cacheOf(b).store.sync?.get('item');
  const load = async (): Promise<number> => {
    figures.fellBack++;
    await new Promise((resolve) => setTimeout(resolve, METHOD_MS));
    return version;
  };
  const call = async (cache: Cache<number>): Promise<void> => {
    const floor = committed;
    const started = performance.now();
    const value = await cache.getOrSet('item', load);
    const latency = performance.now() - started;
    figures.calls++;
    figures.maxLatency = Math.max(figures.maxLatency, latency);
    if (value < floor) {
      figures.stale++;
      stalePhases.push(`${phase}: got ${value}, committed ${floor}`);
    }
  };
  const traffic = async (rounds: number) => {
    for (let i = 0; i < rounds; i++) await Promise.all([call(cacheOf(a)), call(cacheOf(b))]);
  };
  // A mutation is committed for everyone once B dropped its copy (the bus delivers in milliseconds
  // when healthy; B's L1 is empty anyway during an outage). Propagation is asserted to take < 100 ms.
  const mutate = async () => {
    version++;
    const started = performance.now();
    await cacheOf(a).delete('item');
    await eventually(
      () => {
        const entry = inL1OfB();
        return entry === undefined || (entry.value as number) >= version;
      },
      100,
      1,
    );
    figures.maxPropagation = Math.max(figures.maxPropagation, performance.now() - started);
    committed = version;
  };

  beforeAll(async () => {
    server = await startRedisServer();
    const prefix = uniquePrefix('faults');
    const make = async () => {
      const store = new TieredStore({ redis: { url: server.url, prefix, timeout: TIMEOUT }, l1Ttl: '1m' });
      if (!(await store.ready(5000))) throw new Error('not ready');
      return store;
    };
    [a, b] = [await make(), await make()];
  }, 30_000);

  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await server?.stop();
    console.log(
      `tiered faults: ${figures.calls} calls, ${figures.fellBack} ran the method, ${figures.stale} stale reads, ` +
        `max latency ${figures.maxLatency.toFixed(1)} ms (bound ${TIMEOUT * 2 + METHOD_MS} + scheduling), ` +
        `invalidation reached the other process within ${figures.maxPropagation.toFixed(1)} ms` +
        (stalePhases.length > 0 ? `; stale: ${stalePhases.join('; ')}` : ''),
    );
  });

  it('keeps serving correct values through stop/restart, pause/resume and a killed subscriber', async () => {
    await traffic(10);
    await mutate();
    await traffic(10);

    phase = 'stopped';
    // Stopped: both processes notice at once (their connections close); calls fall back to the method.
    await server.stop();
    await eventually(() => inL1OfB() === undefined, 2000, 5);
    await traffic(5);
    await mutate();
    await traffic(5);
    phase = 'restarted';
    await server.restart();
    expect(await a.ready(5000)).toBe(true);
    expect(await b.ready(5000)).toBe(true);
    await traffic(10);
    await mutate();
    await traffic(10);

    phase = 'paused';
    // Paused: sockets stay open; B notices through the bus heartbeat, then A mutates.
    await traffic(5);
    server.pause();
    try {
      await eventually(() => inL1OfB() === undefined, 3000, 10);
      await eventually(async () => (await b.ready(1)) === false, 3000, 10);
      await mutate();
      await traffic(5);
    } finally {
      server.resume();
    }
    phase = 'resumed';
    expect(await a.ready(5000)).toBe(true);
    expect(await b.ready(5000)).toBe(true);
    await traffic(10);
    await mutate();
    await traffic(10);

    phase = 'killed';
    // A killed subscriber connection: messages published meanwhile are lost; B drops its L1.
    const raw = rawClient(server.url);
    try {
      await raw.call('CLIENT', 'KILL', 'TYPE', 'pubsub');
    } finally {
      raw.disconnect();
    }
    await mutate();
    await traffic(10);
    expect(await b.ready(5000)).toBe(true);
    await traffic(10);

    expect(figures.stale).toBe(0);
    expect(figures.calls).toBeGreaterThan(150);
    // One timeout for the read plus one for the write or publish, the method's own time, and scheduling slack.
    expect(figures.maxLatency).toBeLessThan(TIMEOUT * 2 + METHOD_MS + 250);
  }, 60_000);
});
