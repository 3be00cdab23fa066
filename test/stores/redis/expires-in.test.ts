import { afterAll, describe, expect, it } from '@jest/globals';
import type { Redis } from 'ioredis';
import type { RedisStore } from '../../../lib/stores/redis/index.js';
import { connectedStore, entryKeys, rawClient, uniquePrefix } from '../../setup/redis-env.js';

/**
 * What the Redis store says of an entry's freshness, on the real (private)
 * server. The read scripts' row is "<ms of freshness left>;<stored text>":
 * negative in the stale window (minus the ms since the entry expired), `n`
 * for a key that never expires. Redis keeps its own clock, so entries are
 * moved into their stale window with PEXPIRE (the header holds the window;
 * an entry whose PTTL is at most the window is stale) and figures are checked
 * within the time measured around the calls.
 */
const stores: RedisStore[] = [];
const clients: Redis[] = [];
afterAll(async () => {
  await Promise.all(stores.map((s) => s.close()));
  for (const c of clients) c.disconnect();
});

const MINUTE = 60_000;
const WINDOW = 10 * MINUTE;
/** PTTL is whole milliseconds: what a figure may stray from the times measured around the calls. */
const SLACK = 5;

async function setup(label: string) {
  const prefix = uniquePrefix(label);
  const store = await connectedStore({ label, prefix });
  stores.push(store);
  const raw = rawClient();
  clients.push(raw);
  /** The Redis key of the one entry written so far. */
  const entryKey = async (): Promise<string> => {
    const [key, ...more] = await entryKeys(raw, prefix);
    expect(more).toHaveLength(0);
    if (key === undefined) throw new Error('no entry in Redis');
    return key;
  };
  return { store, raw, entryKey };
}

describe('RedisStore: expiresIn', () => {
  it('a stale read reports expiresIn ≤ 0, minus the ms since the entry expired; no read for a load or a fresh read serves it', async () => {
    const { store, raw, entryKey } = await setup('exp-stale');
    await store.set('k', 'v', { ttl: MINUTE, failSafe: WINDOW });
    const key = await entryKey();
    const moved = performance.now();
    await raw.pexpire(key, WINDOW - 3_000); // expired 3 s ago
    const stale = await store.getFailSafe('k');
    const read = performance.now();
    expect(stale?.value).toBe('v');
    expect(stale?.expiresIn).toBeLessThanOrEqual(-3_000 + SLACK);
    expect(stale?.expiresIn).toBeGreaterThanOrEqual(-3_000 - (read - moved) - SLACK);
    // Stale is never fresh: every other read misses (and takes no lease that could be held).
    expect(await store.get('k')).toBeUndefined();
    expect(await store.getMany(['k'])).toEqual([undefined]);
    expect(await store.has('k')).toBe(false);
    expect((await store.getForLoad('k')).entry).toBeUndefined();
    expect((await store.getForLoad('k', { expiresIn: true })).entry).toBeUndefined();
    const lease = await store.getOrLease('k', 5_000);
    expect(lease.entry).toBeUndefined();
    expect(lease.held).not.toBe(true);
    expect(lease.lease).toBeDefined(); // this caller loads it
    await store.releaseLease('k', lease.lease);
  });

  it('an entry that expires right now reads as stale 0 ms ago (not as fresh)', async () => {
    const { store, raw, entryKey } = await setup('exp-edge');
    await store.set('k', 'v', { ttl: MINUTE, failSafe: WINDOW });
    const moved = performance.now();
    await raw.pexpire(await entryKey(), WINDOW);
    const stale = await store.getFailSafe('k');
    const read = performance.now();
    expect(stale?.expiresIn).toBeLessThanOrEqual(0);
    expect(stale?.expiresIn).toBeGreaterThanOrEqual(-(read - moved) - SLACK);
    expect(await store.get('k')).toBeUndefined();
  });

  it('fresh reads report the freshness left, as before: get, getMany, getFailSafe, getForLoad and getOrLease', async () => {
    const { store } = await setup('exp-fresh');
    const writing = performance.now();
    await store.set('k', 'v', { ttl: MINUTE, failSafe: WINDOW });
    await store.set('plain', 'p', { ttl: MINUTE });
    const reads = [
      await store.get('k'),
      ...(await store.getMany(['k', 'plain'])),
      await store.getFailSafe('k'),
      (await store.getForLoad('k', { expiresIn: true })).entry,
      (await store.getForLoad('plain', { expiresIn: true })).entry,
      (await store.getOrLease('k', 5_000)).entry,
    ];
    const elapsed = performance.now() - writing;
    for (const entry of reads) {
      expect(entry?.expiresIn).toBeGreaterThan(MINUTE - elapsed - SLACK);
      expect(entry?.expiresIn).toBeLessThanOrEqual(MINUTE);
    }
    expect(reads.map((entry) => entry?.value)).toEqual(['v', 'v', 'p', 'v', 'v', 'p', 'v']);
  });

  it('an entry without expiry reports no expiresIn, on every read', async () => {
    const { store, raw, entryKey } = await setup('exp-none');
    await store.set('forever', 'f');
    expect(await raw.pttl(await entryKey())).toBe(-1);
    const reads = [
      await store.get('forever'),
      ...(await store.getMany(['forever'])),
      await store.getFailSafe('forever'),
      (await store.getForLoad('forever', { expiresIn: true })).entry,
      (await store.getOrLease('forever', 5_000)).entry,
    ];
    for (const entry of reads) {
      expect(entry).toBeDefined();
      expect(entry?.value).toBe('f');
      expect(entry?.expiresIn).toBeUndefined();
    }
  });

  it('a stale window in the stored header that no number fits reads as unknown (or long expired), never a crash', async () => {
    const { store, raw, entryKey } = await setup('exp-hostile');
    const errors: unknown[] = [];
    store.on('error', (error) => errors.push(error));
    await store.set('k', 'v', { ttl: MINUTE, failSafe: WINDOW });
    const key = await entryKey();
    const text = (await raw.get(key)) as string;
    for (const window of ['9'.repeat(15), '9'.repeat(23), '9'.repeat(400)]) {
      await raw.set(key, text.replace(`|${WINDOW}|`, `|${window}|`), 'PX', MINUTE);
      const read = await store.getFailSafe('k');
      expect(read?.value).toBe('v');
      // 15 digits still make an integer the row can carry (expired ~31,000 years ago); more do not: unknown.
      if (window.length === 15) expect(read?.expiresIn).toBeLessThan(-1e14);
      else expect(read?.expiresIn).toBeUndefined();
      expect(await store.get('k')).toBeUndefined(); // stale by its own header: never served as fresh
    }
    // A window on a key that never expires: stale, with no figure (not a fresh read of unknown age).
    await raw.set(key, text);
    const persisted = await store.getFailSafe('k');
    expect(persisted?.value).toBe('v');
    expect(persisted?.expiresIn).toBeUndefined();
    expect(await store.get('k')).toBeUndefined();
    expect(errors).toEqual([]);
  });
});
