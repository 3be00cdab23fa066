/**
 * Invalidations made while Redis does not answer are not lost: Redis keeps
 * the entries they meant to remove, so the store sends them again, in order,
 * once Redis answers and before it serves reads again. Pauses Redis
 * (SIGSTOP), so the suite starts its own server.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { RedisStore } from '../../../lib/stores/redis/index.js';
import { TieredStore } from '../../../lib/stores/tiered/tiered-store.js';
import { startRedisServer, type RedisServer } from '../../setup/redis-server.js';
import { eventually, uniquePrefix } from '../../setup/redis-env.js';

const TIMEOUT = 100;

let server: RedisServer;
let prefix: string;
const opened: { close(): Promise<void> }[] = [];

async function open(): Promise<RedisStore> {
  const store = new RedisStore({ url: server.url, prefix, timeout: TIMEOUT, retryInterval: 50 });
  opened.push(store);
  if (!(await store.ready(5000))) throw new Error('store did not connect');
  return store;
}

/** Runs `during` with Redis paused: `a` sees the outage first (one of its calls times out). */
async function whilePaused(a: RedisStore, during: () => Promise<void>): Promise<void> {
  server.pause();
  try {
    await a.get('probe'); // times out: a marks Redis unavailable
    expect(a.redisStats().available).toBe(false);
    await during();
  } finally {
    server.resume();
  }
}

beforeAll(async () => {
  server = await startRedisServer();
});

afterAll(async () => {
  await server.stop();
});

beforeEach(() => {
  prefix = uniquePrefix('replay');
});

afterEach(async () => {
  await Promise.all(opened.splice(0).map((store) => store.close()));
});

describe('invalidations made while Redis does not answer', () => {
  it('replays a delete before the store is back: no process reads the old entry', async () => {
    const a = await open();
    const b = await open();
    await a.set('k', 'old');
    await a.set('other', 'kept');
    await whilePaused(a, async () => {
      await expect(a.delete('k')).rejects.toThrow();
    });
    expect(await a.ready(5000)).toBe(true);
    // Back means replayed: the entry is gone for every process.
    expect(await b.get('k')).toBeUndefined();
    expect(await a.get('k')).toBeUndefined();
    expect((await b.get('other'))?.value).toBe('kept');
  });

  it('replays clear() and tag invalidations, in any namespace', async () => {
    const a = await open();
    const b = await open();
    const users = a.namespace('users');
    await users.set('u1', 'old');
    await a.set('t', 'tagged', { tags: ['group'] });
    await a.set('plain', 'kept');
    await whilePaused(a, async () => {
      await expect(users.clear()).rejects.toThrow();
      await expect(a.invalidateTags(['group'])).rejects.toThrow();
    });
    expect(await a.ready(5000)).toBe(true);
    expect(await b.namespace('users').get('u1')).toBeUndefined();
    expect(await b.get('t')).toBeUndefined();
    expect((await b.get('plain'))?.value).toBe('kept');
  });

  it('past 10,000 remembered invalidations, clears every namespace and tag instead', async () => {
    const a = await open();
    const b = await open();
    await a.namespace('n').set('x', 'old');
    await a.set('t', 'tagged', { tags: ['g'] });
    await whilePaused(a, async () => {
      // Rejected at once (the store knows Redis is unavailable), so this is quick.
      const deletes = Array.from({ length: 10_001 }, (_, i) => a.delete(`gone${i}`).catch(() => false));
      await Promise.all(deletes);
    });
    expect(await a.ready(5000)).toBe(true);
    expect(await b.namespace('n').get('x')).toBeUndefined();
    expect(await b.get('t')).toBeUndefined();
  });

  it('keeps the store unavailable until the replay went through', async () => {
    const a = await open();
    await a.set('k', 'old');
    const events: string[] = [];
    a.on('available', () => events.push('available'));
    await whilePaused(a, async () => {
      await expect(a.delete('k')).rejects.toThrow();
    });
    await eventually(() => events.includes('available'), 5000);
    const raw = await open();
    expect(await raw.get('k')).toBeUndefined();
  });

  it('tiered: peers drop their L1 copy again once the replay went through', async () => {
    const stores = [0, 1].map(
      () =>
        new TieredStore({
          redis: { url: server.url, prefix, timeout: TIMEOUT, retryInterval: 50 },
          l1Ttl: '1m',
        }),
    );
    opened.push(...stores);
    const [a, b] = stores as [TieredStore, TieredStore];
    for (const store of stores) expect(await store.ready(5000)).toBe(true);
    await a.set('k', 'old');
    await eventually(async () => (await b.get('k'))?.value === 'old');
    server.pause();
    try {
      await expect(a.delete('k')).rejects.toThrow();
    } finally {
      server.resume();
    }
    expect(await a.ready(5000)).toBe(true);
    // b may have read 'old' back from Redis before a's replay; the replay's message drops it.
    await eventually(async () => (await b.get('k')) === undefined, 2000);
    expect(await b.get('k')).toBeUndefined();
  });
});
