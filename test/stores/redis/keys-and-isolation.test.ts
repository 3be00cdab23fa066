import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { Redis } from 'ioredis';
import { RedisStore, type RedisStoreError } from '../../../lib/stores/redis/index.js';
import { connectedStore, eventually, rawClient, testRedisUrl, uniquePrefix } from '../../setup/redis-env.js';
import { typeErrorOf } from '../../helpers/errors.js';

let raw: Redis;

beforeAll(() => {
  raw = rawClient();
});

afterAll(async () => {
  await raw.quit();
});

/** Keys under `prefix` (test-only: KEYS on a unique prefix of a test server). */
const keysOf = async (prefix: string): Promise<string[]> => (await raw.keys(`${prefix}:*`)).sort();

/** The Redis key of `key` in a namespace of `prefix`, read the way the store builds it. */
async function entryKey(prefix: string, namespacePath: string, key: string): Promise<string> {
  const base = `${prefix}:{/${namespacePath}}:`;
  const generation = await raw.get(`${base}g`);
  if (generation === null) throw new Error(`no generation key ${base}g`);
  return `${base}${generation}:${key}`;
}

/** Commands Redis ran while `action` ran (MONITOR, including those run by scripts). */
async function commandsDuring(action: () => Promise<void>): Promise<string[][]> {
  const monitor = await raw.monitor();
  const seen: string[][] = [];
  monitor.on('monitor', (_time: string, args: string[]) => seen.push(args));
  try {
    // MONITOR starts asynchronously: wait until it sees a marker before acting, and after.
    const marker = async (name: string): Promise<void> => {
      await raw.echo(name);
      await eventually(() => seen.some((args) => args[0]?.toLowerCase() === 'echo' && args[1] === name));
    };
    await marker('start');
    seen.length = 0;
    await action();
    await marker('end');
    return seen.filter((args) => args[0]?.toLowerCase() !== 'echo');
  } finally {
    monitor.disconnect();
  }
}

const names = (commands: string[][]): string[] => commands.map((args) => (args[0] ?? '').toUpperCase());

describe('RedisStore: key layout', () => {
  let store: RedisStore;
  let prefix: string;

  beforeEach(async () => {
    prefix = uniquePrefix('layout');
    store = await connectedStore({ label: 'layout', prefix });
  });

  afterEach(async () => {
    await store.close();
  });

  it('keeps a namespace under <prefix>:{/<path>}: with one generation key', async () => {
    await store.namespace('users').set('alice', 1);
    await store.namespace('users').namespace('admins').set('bob', 2);
    await store.set('root', 3);
    const keys = await keysOf(prefix);
    const users = await entryKey(prefix, 'users', 'alice');
    const admins = await entryKey(prefix, 'users/admins', 'bob');
    const root = await entryKey(prefix, '', 'root');
    expect(keys).toEqual(
      [`${prefix}:{/users}:g`, users, `${prefix}:{/users/admins}:g`, admins, `${prefix}:{/}:g`, root].sort(),
    );
    expect(await raw.get(users)).toBe('mk1|env1||1');
  });

  it('escapes braces, slashes and percent signs in namespace names', async () => {
    const odd = ['{x}', '}', 'a/b', '%7B', '%'];
    for (const name of odd) await store.namespace(name).set('k', name);
    for (const name of odd) expect((await store.namespace(name).get('k'))?.value).toBe(name);
    const generationKeys = (await keysOf(prefix)).filter((k) => k.endsWith(':g'));
    expect(generationKeys).toHaveLength(odd.length);
    // One hash tag per namespace: exactly one "{" and one "}" in each key.
    for (const key of generationKeys) expect(key.replace(/[^{}]/g, '')).toBe('{}');
  });

  it('keeps keys that differ only in lone surrogates apart', async () => {
    await store.set('a\uD800', 'high');
    await store.set('a\uDC00', 'low');
    await store.set('a\uFFFD', 'replacement');
    expect((await store.get('a\uD800'))?.value).toBe('high');
    expect((await store.get('a\uDC00'))?.value).toBe('low');
    expect((await store.get('a\uFFFD'))?.value).toBe('replacement');
  });

  it('writes with one SET .. PX per entry, never SET then EXPIRE', async () => {
    const commands = await commandsDuring(async () => {
      await store.set('a', 1, { ttl: 60_000 });
      await store.setMany(
        [
          ['b', 2],
          ['c', 3],
        ],
        { ttl: 60_000 },
      );
      await store.setIfNotExists('d', 4, { ttl: 60_000 });
    });
    const sets = commands.filter((args) => args[0]?.toUpperCase() === 'SET' && !args[1]?.endsWith(':g'));
    expect(sets).toHaveLength(4);
    for (const args of sets) expect(args.slice(-2).map((a) => a.toUpperCase())).toEqual(['PX', '60000']);
    expect(names(commands)).not.toContain('EXPIRE');
    expect(names(commands)).not.toContain('PEXPIRE');
  });

  it('applies a namespace ttl first stated after the namespace was opened, like every store (one tree)', async () => {
    const pttl = async (ns: string, key: string): Promise<number> => raw.pttl(await entryKey(prefix, ns, key));
    const opened = store.namespace('late');
    await opened.set('before', 1);
    expect(await pttl('late', 'before')).toBe(-1);
    // Another user states a ttl: the namespace opened earlier (same object) writes with it from now on.
    expect(store.namespace('late', { ttl: 20_000, user: 'Second.user' })).toBe(opened);
    await opened.set('after', 1);
    expect(await pttl('late', 'after')).toBeGreaterThan(19_000);
    expect(await pttl('late', 'after')).toBeLessThanOrEqual(20_000);
    // A child opened now inherits it.
    await opened.namespace('child').set('k', 1);
    expect(await pttl('late/child', 'k')).toBeGreaterThan(19_000);
    // A different ttl is refused, naming both users.
    expect(typeErrorOf(() => store.namespace('late', { ttl: 5000, user: 'Third.user' }))).toMatch(
      /Third\.user asks for ttl 5000 on the shared namespace "late", but Second\.user already set ttl 20000/,
    );
  });

  it('sets TTLs in Redis: ttl, ttl + failSafe, namespace default, expireIn, none', async () => {
    const users = store.namespace('users', { ttl: 30_000 });
    await store.set('plain', 1, { ttl: 60_000 });
    await store.set('stale', 1, { ttl: 60_000, failSafe: 30_000 });
    await store.set('forever', 1);
    await users.set('default', 1);
    const pttl = async (ns: string, key: string): Promise<number> => raw.pttl(await entryKey(prefix, ns, key));
    expect(await pttl('', 'plain')).toBeGreaterThan(59_000);
    expect(await pttl('', 'plain')).toBeLessThanOrEqual(60_000);
    expect(await pttl('', 'stale')).toBeGreaterThan(89_000);
    expect(await pttl('', 'stale')).toBeLessThanOrEqual(90_000);
    expect(await pttl('', 'forever')).toBe(-1);
    expect(await pttl('users', 'default')).toBeGreaterThan(29_000);
    expect(await store.expireIn('forever', 10_000)).toBe(true);
    expect(await pttl('', 'forever')).toBeGreaterThan(9_000);
    expect(await pttl('', 'forever')).toBeLessThanOrEqual(10_000);
    expect(await store.expireIn('plain', undefined)).toBe(true);
    expect(await pttl('', 'plain')).toBe(-1);
    // expireIn drops a stale window: the entry is rewritten as plain.
    expect(await store.expireIn('stale', 5000)).toBe(true);
    // An expiring entry keeps its write time (ms, base 36) after its format; expireIn leaves it as it was.
    const rewritten = await raw.get(await entryKey(prefix, '', 'stale'));
    expect(rewritten).toMatch(/^mk1\|env1;w[0-9a-z]{8}\|\|1$/);
    const written = parseInt(/;w([0-9a-z]+)\|/.exec(rewritten ?? '')?.[1] ?? '', 36);
    expect(Date.now() - written).toBeGreaterThanOrEqual(0);
    expect(Date.now() - written).toBeLessThan(30_000);
  });

  it('rejects bad per-write ttls, tags and load tokens with a TypeError', async () => {
    await expect(store.set('a', 1, { ttl: 0 })).rejects.toThrow(/option "ttl"/);
    await expect(store.set('a', 1, { ttl: Number.NaN })).rejects.toThrow(TypeError);
    await expect(store.set('a', 1, { ttl: 10, failSafe: -1 })).rejects.toThrow(/option "failSafe"/);
    await expect(store.expireIn('a', -5)).rejects.toThrow(/option "ttl"/);
    await expect(store.set('a', 1, { tags: [''] })).rejects.toThrow(/tags must be an array of non-empty strings/);
    await expect(store.set('a', 1, { tags: ['a\uD800'] })).rejects.toThrow(/lone surrogate/);
    await expect(store.set('a', 1, { loadToken: 'forged' })).rejects.toThrow(/option "loadToken"/);
    expect(await store.get('a')).toBeUndefined();
  });
});

describe('RedisStore: clear is O(1) and touches nothing else', () => {
  let shop: RedisStore;
  let blog: RedisStore;
  let shopPrefix: string;
  let blogPrefix: string;

  beforeEach(async () => {
    shopPrefix = uniquePrefix('shop');
    blogPrefix = uniquePrefix('blog');
    shop = await connectedStore({ label: 'shop', prefix: shopPrefix });
    blog = await connectedStore({ label: 'blog', prefix: blogPrefix });
  });

  afterEach(async () => {
    await shop.close();
    await blog.close();
  });

  it('runs one SET of the generation key: no SCAN, KEYS, DEL, FLUSHDB or FLUSHALL', async () => {
    const users = shop.namespace('users');
    await users.setMany(Array.from({ length: 300 }, (_, i) => [i, { i }] as const));
    const commands = await commandsDuring(() => users.clear());
    expect(commands).toHaveLength(1);
    expect(commands[0]?.[0]?.toUpperCase()).toBe('SET');
    expect(commands[0]?.[1]).toBe(`${shopPrefix}:{/users}:g`);
    expect((await users.getMany([0, 150, 299])).every((e) => e === undefined)).toBe(true);
  });

  it('leaves other prefixes, other namespaces and foreign keys untouched', async () => {
    const foreign = `${shopPrefix}-not-memokit`;
    await raw.set(foreign, 'theirs');
    await raw.set(`${shopPrefix}:{/users}:other`, 'looks like ours');
    await shop.namespace('users').set(1, 'shop user');
    await shop.namespace('orders').set(1, 'shop order');
    await blog.namespace('users').set(1, 'blog user');
    await shop.namespace('users').clear();
    await shop.clear();
    expect(await shop.namespace('users').get(1)).toBeUndefined();
    expect((await shop.namespace('orders').get(1))?.value).toBe('shop order');
    expect((await blog.namespace('users').get(1))?.value).toBe('blog user');
    expect(await raw.get(foreign)).toBe('theirs');
    expect(await raw.get(`${shopPrefix}:{/users}:other`)).toBe('looks like ours');
    await raw.del(foreign);
  });

  it('is seen at once by every store on the same prefix (processes share the generation)', async () => {
    const other = await connectedStore({ label: 'shop', prefix: shopPrefix });
    try {
      const mine = shop.namespace('users');
      const theirs = other.namespace('users');
      await mine.set(1, 'v1');
      expect((await theirs.get(1))?.value).toBe('v1');
      await theirs.clear();
      expect(await mine.get(1)).toBeUndefined();
      await mine.set(1, 'v2');
      expect((await theirs.get(1))?.value).toBe('v2');
      await theirs.delete(1);
      expect(await mine.has(1)).toBe(false);
    } finally {
      await other.close();
    }
  });

  it('reads a namespace whose generation key is gone as empty: old entries never come back', async () => {
    const users = shop.namespace('users');
    await users.set(1, 'old');
    const oldKey = await entryKey(shopPrefix, 'users', '\0n1;');
    await raw.del(`${shopPrefix}:{/users}:g`);
    expect(await users.get(1)).toBeUndefined();
    expect(await users.has(1)).toBe(false);
    expect(await users.delete(1)).toBe(false);
    expect(await users.expireIn(1, 1000)).toBe(false);
    await users.set(2, 'new');
    expect(await users.get(1)).toBeUndefined();
    expect((await users.get(2))?.value).toBe('new');
    expect(await raw.get(oldKey)).not.toBeNull(); // still in Redis until it expires, but unreachable
  });
});

describe('RedisStore: corrupt or foreign values', () => {
  let store: RedisStore;
  let prefix: string;
  let errors: RedisStoreError[];

  beforeEach(async () => {
    prefix = uniquePrefix('corrupt');
    store = await connectedStore({ label: 'corrupt', prefix });
    errors = [];
    store.on('error', (error) => errors.push(error));
  });

  afterEach(async () => {
    await store.close();
  });

  it.each([
    ['foreign bytes', 'hello, not ours'],
    ['binary', '\u00ff\u0000\u0001'],
    ['a damaged payload', 'mk1|env1||{"a":'],
    ['an unknown tag', 'mk1|env1||{"~":"zz"}'],
    ['a truncated header', 'mk1|env1|'],
    ['a write time that is not base 36', 'mk1|env1;wMXAQ||1'],
    ['an empty write time', 'mk1|env1;w||1'],
    ['a write time of 12 digits', 'mk1|env1;w123456789abc||1'],
    ['a write time with no end', 'mk1|env1;w1234'],
  ])('reads %s as a miss, deletes it and reports it', async (_name, bytes) => {
    await store.set('k', 'good');
    const key = await entryKey(prefix, '', 'k');
    await raw.set(key, bytes);
    expect(await store.get('k')).toBeUndefined();
    await eventually(async () => (await raw.exists(key)) === 0);
    expect(store.redisStats().corrupt).toBe(1);
    expect(errors.map((e) => e.code)).toEqual(['E_CORRUPT_ENTRY']);
    expect(errors[0]?.message).toMatch(/cannot be decoded/);
    // The next write works as usual.
    await store.set('k', 'good again');
    expect((await store.get('k'))?.value).toBe('good again');
  });

  it('reads corrupt entries in getMany as misses, keeping the others', async () => {
    await store.setMany([
      ['a', 1],
      ['b', 2],
    ]);
    await raw.set(await entryKey(prefix, '', 'a'), '\u0000garbage');
    const entries = await store.getMany(['a', 'b']);
    expect(entries[0]).toBeUndefined();
    expect(entries[1]?.value).toBe(2);
  });

  it('does not throw from get when nobody listens to errors', async () => {
    const quiet = new RedisStore({ url: testRedisUrl(), prefix });
    try {
      expect(await quiet.ready()).toBe(true);
      await quiet.set('q', 1);
      await raw.set(await entryKey(prefix, '', 'q'), 'junk');
      expect(await quiet.get('q')).toBeUndefined();
      expect(quiet.redisStats().errors).toBe(1);
    } finally {
      await quiet.close();
    }
  });
});
