import { describe, expect, it } from '@jest/globals';
import { MemoryStore } from '../../../lib/index.js';
import type { MemoryStoreOptions } from '../../../lib/index.js';
import { typeErrorOf } from '../../helpers/errors.js';

/** A fake clock starting at `start`; `advance` moves it forward. */
function fakeClock(start = 0) {
  let now = start;
  return {
    clock: { now: () => now },
    advance(ms: number) {
      now += ms;
    },
  };
}

/** The TypeError message thrown by `run`, or fails the test when nothing is thrown. */
describe('MemoryStore: basic operations', () => {
  it('gets what was set, and misses what was not', async () => {
    const store = new MemoryStore();
    expect(await store.get('a')).toBeUndefined();
    await store.set('a', 1);
    await store.set(2, 'two');
    expect(await store.get('a')).toMatchObject({ value: 1 });
    expect(await store.get(2)).toMatchObject({ value: 'two' });
    expect(await store.get('2')).toBeUndefined();
  });

  it('replaces a value on set', async () => {
    const store = new MemoryStore();
    await store.set('a', 1);
    await store.set('a', 2);
    expect((await store.get('a'))?.value).toBe(2);
    expect(store.stats().size).toBe(1);
  });

  it('keeps values by reference', async () => {
    const store = new MemoryStore();
    const value = { n: 1 };
    await store.set('a', value);
    expect((await store.get('a'))?.value).toBe(value);
  });

  it('treats stored undefined and null as hits', async () => {
    const store = new MemoryStore();
    await store.set('u', undefined);
    await store.set('n', null);
    const u = await store.get('u');
    const n = await store.get('n');
    expect(u).toBeDefined();
    expect(u?.value).toBeUndefined();
    expect(n).toBeDefined();
    expect(n?.value).toBeNull();
    expect(await store.has('u')).toBe(true);
    expect(await store.has('n')).toBe(true);
    expect(await store.has('missing')).toBe(false);
  });

  it('deletes one key and reports whether it existed', async () => {
    const store = new MemoryStore();
    await store.set('a', 1);
    await store.set('b', 2);
    expect(await store.delete('a')).toBe(true);
    expect(await store.delete('a')).toBe(false);
    expect(await store.get('a')).toBeUndefined();
    expect((await store.get('b'))?.value).toBe(2);
  });

  it('clears every entry', async () => {
    const store = new MemoryStore();
    await store.setMany([
      ['a', 1],
      ['b', 2],
    ]);
    await store.clear();
    expect(await store.has('a')).toBe(false);
    expect(await store.has('b')).toBe(false);
    expect(store.stats().size).toBe(0);
  });

  it('offers the same operations synchronously', () => {
    const store = new MemoryStore();
    const sync = store.sync;
    sync.set('a', 1);
    expect(sync.get('a')?.value).toBe(1);
    expect(sync.delete('a')).toBe(true);
    expect(sync.get('a')).toBeUndefined();
    sync.set('b', 2);
    sync.clear();
    expect(sync.get('b')).toBeUndefined();
  });

  it('gets and sets many', async () => {
    const store = new MemoryStore();
    await store.setMany(
      new Map<string, unknown>([
        ['a', 1],
        ['b', undefined],
      ]),
    );
    const entries = await store.getMany(['b', 'missing', 'a']);
    expect(entries).toHaveLength(3);
    expect(entries[0]).toBeDefined();
    expect(entries[0]?.value).toBeUndefined();
    expect(entries[1]).toBeUndefined();
    expect(entries[2]?.value).toBe(1);
  });
});

describe('MemoryStore: expiry with an injected clock', () => {
  it('expires entries after a per-write ttl, with a clock starting at 0', async () => {
    const time = fakeClock(0);
    const store = new MemoryStore({ clock: time.clock });
    await store.set('a', 1, { ttl: 1000 });
    await store.set('forever', 2);
    time.advance(999);
    expect((await store.get('a'))?.value).toBe(1);
    time.advance(2);
    expect(await store.get('a')).toBeUndefined();
    expect(await store.has('a')).toBe(false);
    expect((await store.get('forever'))?.value).toBe(2);
  });

  it('expires entries after the default ttl', async () => {
    const time = fakeClock(0);
    const store = new MemoryStore({ ttl: '30s', clock: time.clock });
    await store.set('a', 1);
    time.advance(29_999);
    expect(await store.has('a')).toBe(true);
    time.advance(2);
    expect(await store.has('a')).toBe(false);
  });

  it('lets a per-write ttl override the default one', async () => {
    const time = fakeClock(5_000);
    const store = new MemoryStore({ ttl: 1000, clock: time.clock });
    await store.set('long', 1, { ttl: 10_000 });
    await store.set('short', 2, { ttl: 100 });
    await store.set('default', 3);
    time.advance(101);
    expect(await store.has('short')).toBe(false);
    expect(await store.has('default')).toBe(true);
    time.advance(1000);
    expect(await store.has('default')).toBe(false);
    expect(await store.has('long')).toBe(true);
  });

  it('honours a ttl given to the sync set', () => {
    const time = fakeClock(0);
    const store = new MemoryStore({ clock: time.clock });
    store.sync.set('a', 1, { ttl: 10 });
    time.advance(9);
    expect(store.sync.get('a')?.value).toBe(1);
    time.advance(2);
    expect(store.sync.get('a')).toBeUndefined();
  });

  it('expires with a clock that starts at a large value', async () => {
    const time = fakeClock(1_700_000_000_000);
    const store = new MemoryStore({ clock: time.clock });
    await store.set('a', 1, { ttl: 50 });
    time.advance(49);
    expect(await store.has('a')).toBe(true);
    time.advance(2);
    expect(await store.has('a')).toBe(false);
  });

  it('accepts a fractional default ttl', async () => {
    const time = fakeClock(0);
    const store = new MemoryStore({ ttl: '1.5ms', clock: time.clock });
    await store.set('a', 1);
    expect(await store.has('a')).toBe(true);
    time.advance(3);
    expect(await store.has('a')).toBe(false);
  });

  it('applies setMany options to every entry', async () => {
    const time = fakeClock(0);
    const store = new MemoryStore({ clock: time.clock });
    await store.setMany(
      [
        ['a', 1],
        ['b', 2],
      ],
      { ttl: 10 },
    );
    time.advance(11);
    expect(await store.getMany(['a', 'b'])).toEqual([undefined, undefined]);
  });
});

describe('MemoryStore: LRU eviction', () => {
  it('evicts the least recently used entry and counts evictions', async () => {
    const store = new MemoryStore({ max: 3 });
    await store.set('a', 1);
    await store.set('b', 2);
    await store.set('c', 3);
    expect(store.stats()).toEqual({ size: 3, evictions: 0, maxSize: 3 });
    await store.set('d', 4);
    expect(await store.has('a')).toBe(false);
    expect(await store.has('b')).toBe(true);
    expect(store.stats()).toEqual({ size: 3, evictions: 1, maxSize: 3 });
  });

  it('keeps recently read entries', async () => {
    const store = new MemoryStore({ max: 3 });
    await store.set('a', 1);
    await store.set('b', 2);
    await store.set('c', 3);
    await store.get('a');
    await store.set('d', 4);
    expect(await store.has('a')).toBe(true);
    expect(await store.has('b')).toBe(false);
    await store.getMany(['c']);
    await store.set('e', 5);
    expect(await store.has('c')).toBe(true);
    expect(await store.has('a')).toBe(false);
    expect(store.stats().evictions).toBe(2);
  });

  it('keeps entries read through the sync operations', async () => {
    const store = new MemoryStore({ max: 2 });
    store.sync.set('a', 1);
    store.sync.set('b', 2);
    expect(store.sync.get('a')?.value).toBe(1);
    store.sync.set('c', 3);
    expect(await store.has('a')).toBe(true);
    expect(await store.has('b')).toBe(false);
  });

  it('does not count deletes, clears or replacements as evictions', async () => {
    const store = new MemoryStore({ max: 2 });
    await store.set('a', 1);
    await store.set('a', 2);
    await store.delete('a');
    await store.set('b', 1);
    await store.clear();
    expect(store.stats().evictions).toBe(0);
  });
});

describe('MemoryStore: namespaces', () => {
  it('isolates the same key in two namespaces and the root', async () => {
    const store = new MemoryStore();
    const users = store.namespace('users');
    const posts = store.namespace('posts');
    await users.set(1, 'user 1');
    await posts.set(1, 'post 1');
    await store.set(1, 'root 1');
    expect((await users.get(1))?.value).toBe('user 1');
    expect((await posts.get(1))?.value).toBe('post 1');
    expect((await store.get(1))?.value).toBe('root 1');
  });

  it('clears one namespace without touching the others', async () => {
    const store = new MemoryStore();
    const users = store.namespace('users');
    const posts = store.namespace('posts');
    await users.set('k', 1);
    await posts.set('k', 2);
    await store.set('k', 3);
    await users.clear();
    expect(await users.has('k')).toBe(false);
    expect(await posts.has('k')).toBe(true);
    expect(await store.has('k')).toBe(true);
    await store.clear();
    expect(await posts.has('k')).toBe(true);
  });

  it('bounds a namespace by its maxSize and counts its evictions separately', async () => {
    const store = new MemoryStore({ max: 100 });
    const small = store.namespace('small', { maxSize: 2 });
    await small.set('a', 1);
    await small.set('b', 2);
    await small.set('c', 3);
    expect(small.stats()).toEqual({ size: 2, evictions: 1, maxSize: 2 });
    expect(await small.has('a')).toBe(false);
    expect(store.stats().evictions).toBe(0);
  });

  it("defaults a namespace's maxSize to the store's max", async () => {
    const store = new MemoryStore({ max: 2 });
    const ns = store.namespace('ns');
    await ns.setMany([
      ['a', 1],
      ['b', 2],
      ['c', 3],
    ]);
    expect(ns.stats()).toEqual({ size: 2, evictions: 1, maxSize: 2 });
  });

  it('gives a namespace its own default ttl, inheriting the store one when omitted', async () => {
    const time = fakeClock(0);
    const store = new MemoryStore({ ttl: 1000, clock: time.clock });
    const fast = store.namespace('fast', { ttl: 10 });
    const inherit = store.namespace('inherit');
    await fast.set('a', 1);
    await inherit.set('a', 1);
    time.advance(11);
    expect(await fast.has('a')).toBe(false);
    expect(await inherit.has('a')).toBe(true);
    time.advance(1000);
    expect(await inherit.has('a')).toBe(false);
  });

  it('returns the same namespace for the same name', async () => {
    const store = new MemoryStore();
    const a = store.namespace('users', { maxSize: 10 });
    const b = store.namespace('users');
    const c = store.namespace('users', { maxSize: 10 });
    expect(b).toBe(a);
    expect(c).toBe(a);
    await a.set('k', 1);
    expect((await b.get('k'))?.value).toBe(1);
    expect(a.name).toBe('users');
  });

  it('keeps nested namespaces apart from root ones with a slash in their name', async () => {
    const store = new MemoryStore();
    const nested = store.namespace('a').namespace('b');
    const slashed = store.namespace('a/b');
    expect(nested).not.toBe(slashed);
    await nested.set('k', 'nested');
    await slashed.set('k', 'slashed');
    expect((await nested.get('k'))?.value).toBe('nested');
    expect(store.namespace('a').namespace('b')).toBe(nested);
  });

  it('throws a TypeError for conflicting explicit limits', () => {
    const store = new MemoryStore();
    store.namespace('users', { maxSize: 10, ttl: 1000 });
    const size = typeErrorOf(() => store.namespace('users', { maxSize: 20 }));
    expect(size).toContain('maxSize');
    expect(size).toContain('users');
    expect(typeErrorOf(() => store.namespace('users', { ttl: 2000 }))).toContain('ttl');
  });

  it('rejects bad namespace names and limits', () => {
    const store = new MemoryStore();
    expect(typeErrorOf(() => store.namespace(''))).toContain('name');
    expect(typeErrorOf(() => store.namespace('x', { maxSize: 0 }))).toContain('maxSize');
    expect(typeErrorOf(() => store.namespace('y', { ttl: -1 }))).toContain('ttl');
  });
});

describe('MemoryStore: setIfNotExists', () => {
  it('writes only when no live entry exists', async () => {
    const time = fakeClock(0);
    const store = new MemoryStore({ clock: time.clock });
    expect(await store.setIfNotExists('lock', 'first', { ttl: 100 })).toBe(true);
    expect(await store.setIfNotExists('lock', 'second', { ttl: 100 })).toBe(false);
    expect((await store.get('lock'))?.value).toBe('first');
    time.advance(101);
    expect(await store.setIfNotExists('lock', 'third')).toBe(true);
    expect((await store.get('lock'))?.value).toBe('third');
  });

  it('sees a stored undefined as existing', async () => {
    const store = new MemoryStore();
    await store.set('u', undefined);
    expect(await store.setIfNotExists('u', 1)).toBe(false);
    expect((await store.get('u'))?.value).toBeUndefined();
  });
});

describe('MemoryStore: expireIn', () => {
  it('extends the life of an entry', async () => {
    const time = fakeClock(0);
    const store = new MemoryStore({ clock: time.clock });
    await store.set('a', 1, { ttl: 100 });
    time.advance(50);
    expect(await store.expireIn('a', 1000)).toBe(true);
    time.advance(100);
    expect((await store.get('a'))?.value).toBe(1);
    time.advance(901);
    expect(await store.has('a')).toBe(false);
  });

  it('shortens the life of an entry', async () => {
    const time = fakeClock(0);
    const store = new MemoryStore({ ttl: '1h', clock: time.clock });
    await store.set('a', 1);
    expect(await store.expireIn('a', 10)).toBe(true);
    time.advance(11);
    expect(await store.has('a')).toBe(false);
  });

  it('makes an entry never expire with undefined', async () => {
    const time = fakeClock(0);
    const store = new MemoryStore({ ttl: 100, clock: time.clock });
    await store.set('a', 1);
    expect(await store.expireIn('a', undefined)).toBe(true);
    time.advance(1_000_000_000);
    expect((await store.get('a'))?.value).toBe(1);
  });

  it('adds a ttl to an entry written without one', async () => {
    const time = fakeClock(0);
    const store = new MemoryStore({ clock: time.clock });
    await store.set('a', 1);
    expect(await store.expireIn('a', 20)).toBe(true);
    time.advance(21);
    expect(await store.has('a')).toBe(false);
  });

  it('returns false for a missing or expired key and creates nothing', async () => {
    const time = fakeClock(0);
    const store = new MemoryStore({ clock: time.clock });
    expect(await store.expireIn('missing', 1000)).toBe(false);
    expect(await store.has('missing')).toBe(false);
    await store.set('gone', 1, { ttl: 10 });
    time.advance(11);
    expect(await store.expireIn('gone', 1000)).toBe(false);
    expect(await store.has('gone')).toBe(false);
  });
});

describe('MemoryStore: options', () => {
  const bad = (options: unknown) => typeErrorOf(() => new MemoryStore(options as MemoryStoreOptions));

  it('rejects a non-positive or non-integer max, naming it', () => {
    expect(bad({ max: 0 })).toContain('"max"');
    expect(bad({ max: -5 })).toContain('"max"');
    expect(bad({ max: 1.5 })).toContain('"max"');
  });

  it('rejects a zero, negative, NaN or malformed ttl, naming it', () => {
    expect(bad({ ttl: 0 })).toContain('"ttl"');
    expect(bad({ ttl: '-1s' })).toContain('"ttl"');
    expect(bad({ ttl: Number.NaN })).toContain('"ttl"');
    expect(bad({ ttl: 'soon' })).toContain('"ttl"');
    expect(bad({ ttl: Infinity })).toContain('"ttl"');
  });

  it('rejects an unknown option, naming it', () => {
    expect(bad({ maxSize: 10 })).toContain('"maxSize"');
    expect(bad({ ttL: '5m' })).toContain('"ttL"');
  });

  it('rejects a clock without now()', () => {
    expect(bad({ clock: {} })).toContain('clock');
  });

  it('accepts valid options', () => {
    const store = new MemoryStore({ max: 1, ttl: '5m', clock: { now: () => 0 } });
    expect(store.stats()).toEqual({ size: 0, evictions: 0, maxSize: 1 });
    expect(store.kind).toBe('memory');
    expect(store.name).toBe('');
  });
});

describe('MemoryStore: namespace limits stated after creation', () => {
  it('a namespace created without maxSize takes the first stated one, evicting the least recent entries beyond it', async () => {
    const time = fakeClock();
    const store = new MemoryStore({ clock: time.clock });
    const plain = store.namespace('users');
    await plain.set('old', 1, { ttl: 1000 });
    for (const key of ['a', 'b', 'c']) await plain.set(key, key);
    await plain.get('old'); // now the most recent
    const evicted: unknown[] = [];
    plain.onEvict?.((key) => evicted.push(key));
    const sized = store.namespace('users', { maxSize: 2, user: 'Users.find' }); // threw a conflict with 1000 before
    expect(sized).toBe(plain);
    expect(plain.stats()).toMatchObject({ maxSize: 2, size: 2, evictions: 2 });
    expect(evicted).toEqual(['a', 'b']);
    time.advance(999);
    expect((await plain.get('old'))?.value).toBe(1); // keeps its own remaining TTL
    time.advance(2);
    expect(await plain.get('old')).toBeUndefined();
    expect((await plain.get('c'))?.value).toBe('c'); // written without a TTL: still none
    expect(typeErrorOf(() => store.namespace('users', { maxSize: 3, user: 'Cache.scope' }))).toBe(
      'Cache.scope asks for maxSize 3 on the shared namespace "users", but Users.find already set maxSize 2 there. ' +
        'A namespace has one maxSize: give both the same "maxSize" option, or state it on one of them only.',
    );
  });

  it('defaults size a namespace only until a limit is stated, and never conflict', async () => {
    const time = fakeClock();
    const store = new MemoryStore({ clock: time.clock });
    const ns = store.namespace('s', { defaults: { maxSize: 3, ttl: 100 } });
    expect(store.namespace('s', { defaults: { maxSize: 10, ttl: 5 } })).toBe(ns);
    expect(ns.stats().maxSize).toBe(3);
    await ns.set('k', 1);
    time.advance(101);
    expect(await ns.get('k')).toBeUndefined();
    store.namespace('s', { ttl: 1000 });
    await ns.set('k', 2);
    time.advance(999);
    expect((await ns.get('k'))?.value).toBe(2);
    expect(typeErrorOf(() => store.namespace('s', { ttl: 2000 }))).toContain(
      'MemoryStore.namespace("s") already set ttl 1000',
    );
  });
});
