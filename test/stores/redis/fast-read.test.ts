/**
 * The Redis hit path: getForLoad reads a plain entry with one MGET (the
 * namespace's generation and the entry under the generation seen last) and no
 * script, and stays exactly as coherent as the scripted read: a clear, delete
 * or tag invalidation made through another store instance (another process)
 * is never missed. Runs on its own redis-server so that the server's command
 * counts are this suite's alone.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { RedisStore } from '../../../lib/stores/redis/index.js';
import { startRedisServer, type RedisServer } from '../../setup/redis-server.js';
import { uniquePrefix } from '../../setup/redis-env.js';

let server: RedisServer;
let raw: Redis;
let prefix: string;
const opened: RedisStore[] = [];

async function open(options: { timeout?: number } = {}): Promise<RedisStore> {
  const store = new RedisStore({ url: server.url, prefix, ...options });
  opened.push(store);
  if (!(await store.ready(5000))) throw new Error('store did not connect');
  return store;
}

/** Calls of each command the server ran so far (`INFO commandstats`). */
async function commandCounts(): Promise<Record<string, number>> {
  const info = await raw.info('commandstats');
  const counts: Record<string, number> = {};
  for (const match of info.matchAll(/^cmdstat_([a-z|]+):calls=(\d+)/gm)) {
    counts[match[1] as string] = Number(match[2]);
  }
  return counts;
}

/**
 * How many MGET and script calls `run` made. `run` runs once untimed first: a
 * store instance learns the generation on its first read (one more MGET), and
 * a script's first run on the server loads it (EVALSHA, then EVAL).
 */
async function callsOf(run: () => Promise<unknown>): Promise<{ mget: number; scripts: number }> {
  await run();
  const before = await commandCounts();
  await run();
  const after = await commandCounts();
  const delta = (name: string): number => (after[name] ?? 0) - (before[name] ?? 0);
  return { mget: delta('mget'), scripts: delta('evalsha') + delta('eval') };
}

beforeAll(async () => {
  server = await startRedisServer();
  raw = new Redis(server.url);
});

afterAll(async () => {
  raw.disconnect();
  await server.stop();
});

beforeEach(() => {
  prefix = uniquePrefix('fast');
});

afterEach(async () => {
  await Promise.all(opened.splice(0).map((store) => store.close()));
});

describe('RedisStore hit path', () => {
  it('sends the hit reads of one tick as one MGET, each caller getting its own entry', async () => {
    const store = await open();
    for (let i = 0; i < 100; i++) await store.set(`k${i}`, { i });
    await store.set('tagged', 't', { tags: ['x'] });
    let reads: Awaited<ReturnType<RedisStore['getForLoad']>>[] = [];
    const calls = await callsOf(async () => {
      reads = await Promise.all([
        ...Array.from({ length: 100 }, (_, i) => store.getForLoad(`k${i}`)),
        store.getForLoad('absent'),
        store.getForLoad('tagged'),
      ]);
    });
    expect(reads.slice(0, 100).map((read) => read.entry?.value)).toEqual(
      Array.from({ length: 100 }, (_, i) => ({ i })),
    );
    expect(reads[100]?.entry).toBeUndefined();
    expect(reads[100]?.token).toBeDefined();
    expect(reads[101]?.entry?.value).toBe('t');
    // One MGET for the 102 reads; the miss and the tagged entry then take a script each.
    expect(calls).toEqual({ mget: 1, scripts: 2 });
  });

  it('reads a plain entry with one MGET and no script, without expiresIn', async () => {
    const store = await open();
    await store.set('k', { id: 1 }, { ttl: 60_000 });
    let read: Awaited<ReturnType<RedisStore['getForLoad']>> | undefined;
    const calls = await callsOf(async () => {
      for (let i = 0; i < 10; i++) read = await store.getForLoad('k');
    });
    expect(read).toEqual({ entry: { value: { id: 1 } }, token: undefined });
    expect(calls).toEqual({ mget: 10, scripts: 0 });
  });

  it('reads with a script when asked for the remaining TTL', async () => {
    const store = await open();
    await store.set('k', 'v', { ttl: 60_000 });
    let read: Awaited<ReturnType<RedisStore['getForLoad']>> | undefined;
    const calls = await callsOf(async () => {
      read = await store.getForLoad('k', { expiresIn: true });
    });
    expect(calls).toEqual({ mget: 0, scripts: 1 });
    expect(read?.entry?.value).toBe('v');
    expect(read?.entry?.expiresIn).toBeGreaterThan(59_000);
    expect(read?.entry?.expiresIn).toBeLessThanOrEqual(60_000);
  });

  it('takes the load token with a script on a miss, and the token guards the write', async () => {
    const store = await open();
    let read: Awaited<ReturnType<RedisStore['getForLoad']>> | undefined;
    const calls = await callsOf(async () => {
      read = await store.getForLoad('absent');
    });
    expect(calls).toEqual({ mget: 1, scripts: 1 });
    await store.set('absent', 'loaded', { loadToken: read?.token });
    expect((await store.getForLoad('absent')).entry?.value).toBe('loaded');
    read = await store.getForLoad('absent2');
    expect(read?.entry).toBeUndefined();
    expect(read?.token).toBeDefined();
    // A delete after the token was taken: the guarded write stores nothing.
    await store.delete('absent2');
    await store.set('absent2', 'late', { loadToken: read?.token });
    expect(await store.get('absent2')).toBeUndefined();
  });

  it('sends entries with tags or a stale window through the script, which checks them', async () => {
    const store = await open();
    await store.set('tagged', 't', { tags: ['group'] });
    await store.set('stale', 's', { ttl: 60_000, failSafe: 60_000 });
    const tagged = await callsOf(() => store.getForLoad('tagged'));
    const stale = await callsOf(() => store.getForLoad('stale'));
    expect(tagged).toEqual({ mget: 1, scripts: 1 });
    expect(stale).toEqual({ mget: 1, scripts: 1 });
    expect((await store.getForLoad('tagged')).entry?.value).toBe('t');
    expect((await store.getForLoad('stale')).entry?.value).toBe('s');
    const other = await open();
    await other.invalidateTags(['group']);
    expect((await store.getForLoad('tagged')).entry).toBeUndefined();
  });

  it('never serves an entry another instance cleared, and reads the new generation next', async () => {
    const a = await open();
    const b = await open();
    await b.set('k', 'old');
    expect((await a.getForLoad('k')).entry?.value).toBe('old'); // a now knows the generation
    await b.clear();
    expect((await a.getForLoad('k')).entry).toBeUndefined();
    await b.set('k', 'new');
    expect((await a.getForLoad('k')).entry?.value).toBe('new');
    await b.clear();
    await b.set('k', 'newer');
    // a's generation is outdated: the MGET reports the new one and the read is repeated once.
    const before = await commandCounts();
    expect((await a.getForLoad('k')).entry?.value).toBe('newer');
    const after = await commandCounts();
    expect((after.mget ?? 0) - (before.mget ?? 0)).toBe(2);
  });

  it('never serves an entry another instance deleted or overwrote', async () => {
    const a = await open();
    const b = await open();
    await b.set('k', 1);
    expect((await a.getForLoad('k')).entry?.value).toBe(1);
    await b.set('k', 2);
    expect((await a.getForLoad('k')).entry?.value).toBe(2);
    await b.delete('k');
    expect((await a.getForLoad('k')).entry).toBeUndefined();
  });

  it('reads corrupt bytes under the key as a miss, through the script that deletes them', async () => {
    const store = await open();
    await store.set('k', 'v');
    const keys = await raw.keys(`${prefix}:*`);
    const entryKey = keys.find((key) => !key.endsWith(':g') && !key.endsWith(':d'));
    expect(entryKey).toBeDefined();
    const stored = (await raw.get(entryKey as string)) ?? '';
    expect(stored.endsWith('"v"')).toBe(true);
    // The right header, a payload that is not JSON.
    await raw.set(entryKey as string, `${stored.slice(0, -3)}{not json`);
    expect((await store.getForLoad('k')).entry).toBeUndefined();
    expect(await raw.exists(entryKey as string)).toBe(0);
    expect(store.redisStats().corrupt).toBe(1);
  });

  it('reads an expiring entry (its header holds a write time) with one MGET; a bad write time goes to the script', async () => {
    const store = await open();
    await store.set('k', 'v', { ttl: 60_000 });
    const [entryKey] = (await raw.keys(`${prefix}:*`)).filter((key) => !key.endsWith(':g') && !key.endsWith(':d'));
    const stored = (await raw.get(entryKey as string)) ?? '';
    expect(stored).toMatch(/^mk1\|[^|;]+;w[0-9a-z]{8}\|\|"v"$/);
    expect(await callsOf(() => store.getForLoad('k'))).toEqual({ mget: 1, scripts: 0 });
    // The same entry with a write time that is not base 36: never decoded by the fast path.
    await raw.set(entryKey as string, stored.replace(/;w[0-9a-z]+\|/, ';wNOT36|'), 'KEEPTTL');
    expect((await store.getForLoad('k')).entry).toBeUndefined();
    expect(await raw.exists(entryKey as string)).toBe(0);
    expect(store.redisStats().corrupt).toBe(1);
  });

  it('bounds every call in flight by the timeout when Redis stops answering, then recovers', async () => {
    const store = await open({ timeout: 200 });
    await store.set('k', 'v');
    server.pause();
    try {
      const started = performance.now();
      const reads = await Promise.all(Array.from({ length: 50 }, () => store.getForLoad('k')));
      const took = performance.now() - started;
      expect(reads.every((read) => read.entry === undefined)).toBe(true);
      // 200 ms timeout; the margin is for timer scheduling on a loaded 2-core machine.
      expect(took).toBeLessThan(200 + 300);
      // The 50 reads of one tick went out as one MGET, which timed out once.
      expect(store.redisStats().timeouts).toBe(1);
    } finally {
      server.resume();
    }
    expect(await store.ready(5000)).toBe(true);
    expect((await store.getForLoad('k')).entry?.value).toBe('v');
  });
});
