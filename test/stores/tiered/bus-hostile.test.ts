/**
 * Hostile or broken data on the invalidation bus: whatever is published on
 * the channel, a process never crashes, counts and reports what it dropped,
 * keeps applying valid messages, and keeps its memory of publishers bounded
 * without missing a live peer's gap. Against the private test Redis.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import type { Redis } from 'ioredis';
import { Cache, cacheEvents, type CacheErrorEvent } from '../../../lib/index.js';
import { RedisBus, TieredStore } from '../../../lib/tiered.js';
import { eventually, rawClient, testRedisUrl, uniquePrefix } from '../../setup/redis-env.js';
import { typeErrorOf } from '../../helpers/errors.js';

const opened: TieredStore[] = [];
const clients: Redis[] = [];

afterEach(async () => {
  await Promise.all(opened.splice(0).map((store) => store.close()));
  for (const client of clients.splice(0)) client.disconnect();
});

/** A tiered store with its own RedisBus (returned too), subscribed, and a Cache on it holding 'k' in L1. */
async function subscriber(bus?: (channel: string) => RedisBus) {
  const prefix = uniquePrefix('bus-hostile');
  const channel = `${prefix}:memokit:bus`;
  const ownBus = bus?.(channel) ?? new RedisBus({ url: testRedisUrl(), channel });
  const store = new TieredStore({ redis: { url: testRedisUrl(), prefix }, bus: ownBus });
  opened.push(store);
  expect(await store.ready(5000)).toBe(true);
  const cache = new Cache({ store });
  await cache.set('k', 'v');
  const inL1 = (): boolean => cache.store.sync?.get('k') !== undefined;
  expect(inL1()).toBe(true);
  const client = rawClient();
  clients.push(client);
  const publish = (message: unknown): Promise<number> =>
    client.publish(channel, typeof message === 'string' ? message : JSON.stringify(message));
  return { store, bus: ownBus, cache, inL1, publish, client, channel };
}

const valid = { v: 1, from: 'ghost', seq: 1, op: 'delete', ns: '["cache"]', key: ['s', 'k'] };

describe('bus: malformed messages', () => {
  it('are counted, reported and dropped; the process survives and valid messages still apply', async () => {
    const { store, inL1, publish } = await subscriber();
    const events: CacheErrorEvent[] = [];
    const off = cacheEvents.on('error', (event) => {
      if (event.operation === 'bus') events.push(event);
    });
    const malformed: unknown[] = [
      { ...valid, key: 5 },
      { ...valid, key: null },
      { ...valid, key: { s: 'k' } },
      { ...valid, key: ['s'] },
      { ...valid, key: ['x', 'k'] },
      { ...valid, key: ['s', 7] },
      { ...valid, key: ['n', 'not a number'] },
      { ...valid, ns: 42 },
      { ...valid, ns: undefined },
      { ...valid, from: 17 },
      { ...valid, from: '' },
      { ...valid, from: 'x'.repeat(1000) },
      { ...valid, seq: 'one' },
      { ...valid, seq: 1.5 },
      { ...valid, seq: -1 },
      { ...valid, op: 'explode' },
      { ...valid, v: 2 },
      { ...valid, op: 'tags', key: undefined, ns: undefined, tags: 'all' },
      { ...valid, op: 'tags', key: undefined, ns: undefined, tags: [1, 2] },
      { ...valid, op: 'clear', key: ['s', 'k'] },
      'not json',
      'null',
      '[1,2]',
      '42',
    ];
    try {
      for (const message of malformed) await publish(message);
      await eventually(() => store.busStats().invalidMessages === malformed.length, 2000, 5);
      await eventually(() => events.length === malformed.length, 2000, 5);
      expect(events[0]?.source).toBe('TieredStore');
      expect((events[0]?.error as Error).message).toMatch(/RedisBus\(".*:memokit:bus"\): dropped a message .*key/);
      expect(inL1()).toBe(true); // nothing was applied
      expect(store.busStats().up).toBe(true);

      await publish(valid);
      await eventually(() => !inL1(), 1000, 2);
      expect(store.busStats().invalidMessages).toBe(malformed.length);
    } finally {
      off();
    }
  });

  it('a message too long to read is dropped unparsed, and L1 is dropped with it', async () => {
    const { store, inL1, publish } = await subscriber();
    await publish(`{"v":1,"pad":"${'x'.repeat(2 * 1024 * 1024)}"}`);
    await eventually(() => store.busStats().invalidMessages === 1, 2000, 5);
    expect(inL1()).toBe(false); // it may have been an invalidation: nothing stale is kept
  });
});

describe('bus: publishers remembered', () => {
  it('200,000 publisher ids stay under the cap, and a live peer gap is still detected after the churn', async () => {
    // A heartbeat answer waits behind the flood: on a loaded machine past the default 250 ms, and a missed heartbeat
    // rightly resubscribes and starts the publisher memory over, which would end the churn this test is about.
    const { bus, publish, client, channel } = await subscriber(
      (name) => new RedisBus({ url: testRedisUrl(), channel: name, timeout: 30_000 }),
    );
    const resets: string[] = [];
    bus.on('reset', (reason: string) => resets.push(reason));
    await publish({ ...valid, from: 'live', ns: '["unrelated"]' }); // seq 1
    let churned = 0;
    bus.on('message', (message: { from: string }) => {
      if (message.from.startsWith('churn-')) churned++;
    });
    const ids = 200_000;
    for (let start = 0; start < ids; start += 10_000) {
      const pipeline = client.pipeline();
      for (let i = start; i < start + 10_000; i++) {
        pipeline.publish(channel, `{"v":1,"from":"churn-${i}","seq":1,"op":"clear","ns":"[\\"unrelated\\"]"}`);
      }
      await pipeline.exec();
      // One batch at a time, so what waits for the subscriber in Redis stays far below its output buffer limit.
      const batchEnd = start + 10_000;
      await eventually(() => churned >= batchEnd, 30_000, 10);
    }
    await publish({ ...valid, from: 'live', seq: 3, ns: '["unrelated"]' }); // seq 2 was lost
    await eventually(() => resets.some((reason) => reason.includes('from live')), 10_000, 10);
    // First messages of new publishers are no gap.
    expect(resets.filter((reason) => reason.includes('churn'))).toEqual([]);
    expect(resets).not.toContain('heartbeat not answered');
    expect(bus.publishers).toBeLessThanOrEqual(10_000);
    expect(bus.publishers).toBeGreaterThan(9_000);
  }, 120_000);

  it('forgets publishers not heard from for publisherTtl (injected clock) without missing their gaps', async () => {
    let now = 0;
    const clock = { now: () => now };
    const { bus, cache, inL1, publish } = await subscriber(
      (channel) => new RedisBus({ url: testRedisUrl(), channel, publisherTtl: '1m', clock }),
    );
    const resets: string[] = [];
    bus.on('reset', (reason: string) => resets.push(reason));
    let heard = 0;
    bus.on('message', () => heard++);
    /** Publishes and waits until the bus took it in (applied, or a reset), before the test moves the clock. */
    const send = async (message: object): Promise<void> => {
      const before = heard + resets.length;
      await publish(message);
      await eventually(() => heard + resets.length > before, 1000, 2);
    };
    await send({ ...valid, from: 'quiet', ns: '["unrelated"]' });
    await send({ ...valid, from: 'busy', ns: '["unrelated"]' });
    expect(bus.publishers).toBe(2);

    now += 30_000;
    await send({ ...valid, from: 'busy', seq: 2, ns: '["unrelated"]' });
    now += 40_000; // quiet: 70 s without a word; busy: 40 s
    await send({ ...valid, from: 'busy', seq: 3, ns: '["unrelated"]' });
    expect(bus.publishers).toBe(1);
    expect(resets).toEqual([]);
    expect(inL1()).toBe(true);

    // quiet speaks again, message 2 lost: it is not remembered, so its gap cannot be checked: L1 is dropped.
    await send({ ...valid, from: 'quiet', seq: 3, ns: '["unrelated"]' });
    expect(inL1()).toBe(false);
    expect(resets).toEqual(['message 3 from quiet, a publisher not remembered']);
    expect(bus.publishers).toBe(2);

    // Remembered again: its next message in sequence is applied as usual, and a gap is a gap.
    await cache.set('k', 'v');
    await send({ ...valid, from: 'quiet', seq: 4 });
    expect(inL1()).toBe(false);
    expect(resets).toHaveLength(1);
    await send({ ...valid, from: 'quiet', seq: 6, ns: '["unrelated"]' });
    expect(resets).toEqual([
      'message 3 from quiet, a publisher not remembered',
      'gap in messages from quiet: 4 then 6',
    ]);
  });

  it('rejects a maxPublishers that is not a positive whole number, naming the option', () => {
    expect(() => new RedisBus({ url: testRedisUrl(), maxPublishers: 0 })).toThrow(
      /new RedisBus\(\): option "maxPublishers" must be a positive/,
    );
  });

  it('rejects unknown options, an empty channel and a timeout or heartbeat that is not a positive duration', () => {
    const url = testRedisUrl();
    expect(typeErrorOf(() => new RedisBus({ url, heartbeats: 10 } as never))).toMatch(
      /new RedisBus\(\): unknown option "heartbeats". Known options: url, redis, client, channel, timeout, heartbeat/,
    );
    expect(typeErrorOf(() => new RedisBus({ url, channel: '' }))).toMatch(/new RedisBus\(\): option "channel"/);
    expect(typeErrorOf(() => new RedisBus({ url, timeout: 0 }))).toMatch(
      /new RedisBus\(\): option "timeout" must be a positive duration/,
    );
    expect(typeErrorOf(() => new RedisBus({ url, heartbeat: Number.NaN }))).toMatch(
      /new RedisBus\(\): option "heartbeat" must be a positive duration/,
    );
    expect(typeErrorOf(() => new RedisBus(null as never))).toMatch(/new RedisBus\(\): options must be an object/);
    // No address at all is a mistake, not localhost.
    expect(typeErrorOf(() => new RedisBus({ channel: 'c' }))).toMatch(
      /new RedisBus\(\): pass exactly one of the options "client" .*; none was given/,
    );
  });
});

describe('bus: the trace field', () => {
  it('a malformed trace is ignored, never trusted: the invalidation applies and records no trace', async () => {
    const { cache, inL1, publish } = await subscriber();
    const traces: unknown[] = [
      'not a traceparent',
      '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331', // no flags
      '00-00000000000000000000000000000000-b7ad6b7169203331-01', // all-zero trace id
      '00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01', // all-zero span id
      '01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', // unknown version
      '00-0AF7651916CD43DD8448EB211C80319C-B7AD6B7169203331-01', // upper case
      `00-${'a'.repeat(100_000)}`,
      42,
      { traceId: 'x' },
      ['00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'],
    ];
    let seq = 0;
    for (const trace of traces) {
      await cache.set('k', 'v');
      expect(inL1()).toBe(true);
      await publish({ ...valid, seq: ++seq, trace });
      await eventually(() => !inL1());
      const last = (await cache.explain('k')).lastInvalidation;
      expect(last).toMatchObject({ kind: 'key', from: 'ghost' });
      expect(last?.traceId).toBeUndefined();
    }
    await cache.set('k', 'v');
    await publish({ ...valid, seq: seq + 1, trace: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' });
    await eventually(() => !inL1());
    expect((await cache.explain('k')).lastInvalidation?.traceId).toBe('0af7651916cd43dd8448eb211c80319c');
  });
});
