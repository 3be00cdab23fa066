/**
 * The CacheStore contract: what every memokit store guarantees, run against
 * each backend (memory with a fake clock, null, Redis on a real server, Redis
 * Cluster). Register it inside a test file:
 *
 * ```ts
 * registerStoreContract('memory', () => { ... return { store, advance }; });
 * ```
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { DEFAULT_MAX_VALUE_SIZE, ValueTooLargeError } from '../../../lib/codec/serialization.js';
import type { CacheStore } from '../../../lib/stores/contract.js';

/** One store under test, created fresh for every test. */
export interface ContractSubject {
  readonly store: CacheStore;
  /**
   * Moves the store's clock forward. Present for stores with an injected
   * clock; absent for stores on real time (Redis), where the contract uses
   * short TTLs and bounded polling instead.
   */
  readonly advance?: (ms: number) => void;
  /** Releases what the subject holds; `store.close()` when omitted. */
  readonly dispose?: () => Promise<void>;
}

export interface StoreContractOptions {
  /**
   * `false` for stores that cache nothing (null): every read misses, writes are
   * accepted.
   *
   * @default true
   */
  readonly retains?: boolean;
  /**
   * Whether writes reject values that cannot be serialized (functions,
   * symbols, circular structures) with a TypeError, and values larger than
   * the default `maxValueSize` with a ValueTooLargeError. In-process stores
   * keep references and accept anything.
   *
   * @default false
   */
  readonly validatesValues?: boolean;
  /**
   * TTL used by expiry tests, in ms. Real-time stores need one long enough to
   * observe a hit right after writing.
   *
   * @default 1000
   */
  readonly ttl?: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Registers the contract for one backend. `create` runs before each test (it
 * may be async); the subject is disposed after it.
 */
export function registerStoreContract(
  name: string,
  create: () => ContractSubject | Promise<ContractSubject>,
  options: StoreContractOptions = {},
): void {
  const retains = options.retains ?? true;
  const validatesValues = options.validatesValues ?? false;
  const TTL = options.ttl ?? 1000;

  describe(`CacheStore contract: ${name}`, () => {
    let subject: ContractSubject;
    let store: CacheStore;

    beforeEach(async () => {
      subject = await create();
      store = subject.store;
    });

    afterEach(async () => {
      await (subject.dispose ?? (() => subject.store.close()))();
    });

    /** Lets `ms` pass on the store's clock (fake: instantly; real: a short sleep). */
    const elapse = async (ms: number): Promise<void> => {
      if (subject.advance) subject.advance(ms);
      else await sleep(ms);
    };

    /**
     * Waits until `check` holds, as time passes beyond `ms`: one step of a
     * fake clock, or bounded polling on real time (at most `ms` + 3 s).
     */
    const after = async (ms: number, check: () => Promise<boolean>): Promise<void> => {
      if (subject.advance) {
        subject.advance(ms + 1);
        expect(await check()).toBe(true);
        return;
      }
      const deadline = performance.now() + ms + 3000;
      while (!(await check())) {
        if (performance.now() > deadline) throw new Error(`still not expired ${ms + 3000} ms later`);
        await sleep(10);
      }
    };

    const miss = async (s: CacheStore, key: string | number): Promise<boolean> => (await s.get(key)) === undefined;

    it('reports its kind and namespace names', () => {
      expect(typeof store.kind).toBe('string');
      expect(store.kind.length).toBeGreaterThan(0);
      expect(store.name).toBe('');
      const child = store.namespace('users').namespace('active');
      expect(child.kind).toBe(store.kind);
      expect(child.name).toBe('users/active');
    });

    it('rejects empty namespace names with a TypeError naming the option', () => {
      expect(() => store.namespace('')).toThrow(TypeError);
      expect(() => store.namespace('')).toThrow(/"name"/);
    });

    it('reports stats as non-negative numbers', () => {
      const stats = store.stats();
      expect(stats.size).toBeGreaterThanOrEqual(0);
      expect(stats.evictions).toBeGreaterThanOrEqual(0);
    });

    if (!retains) {
      it('misses on every read, even right after a write', async () => {
        await store.set('a', 1);
        await store.setMany([['b', 2]]);
        expect(await store.get('a')).toBeUndefined();
        expect(await store.getStale('a')).toBeUndefined();
        expect(await store.has('a')).toBe(false);
        expect(await store.getMany(['a', 'b', 'c'])).toEqual([undefined, undefined, undefined]);
      });

      it('accepts writes without keeping them', async () => {
        await expect(store.set('a', { n: 1 }, { ttl: TTL })).resolves.toBeUndefined();
        await expect(store.setIfNotExists('a', 1)).resolves.toBe(true);
        await expect(store.expireIn('a', TTL)).resolves.toBe(false);
        await expect(store.delete('a')).resolves.toBe(false);
        await expect(store.clear()).resolves.toBeUndefined();
        await expect(store.namespace('ns').get('a')).resolves.toBeUndefined();
      });
    }

    if (validatesValues) {
      it('rejects values that cannot be serialized with a TypeError naming where they are', async () => {
        await expect(store.set('f', { nested: { fn: () => 1 } })).rejects.toThrow(TypeError);
        await expect(store.set('f', { nested: { fn: () => 1 } })).rejects.toThrow(/value\.nested\.fn/);
        const circular: Record<string, unknown> = {};
        circular.self = circular;
        await expect(store.set('c', circular)).rejects.toThrow(/circular/);
        await expect(store.setMany([['s', Symbol('x')]])).rejects.toThrow(TypeError);
        await expect(store.setIfNotExists('s', [1, () => 2])).rejects.toThrow(/value\[1\]/);
        expect(await store.get('f')).toBeUndefined();
        // The store stays usable.
        await store.set('ok', 1);
        if (retains) expect((await store.get('ok'))?.value).toBe(1);
      });

      it('rejects values larger than the default maxValueSize (1 MiB), storing nothing', async () => {
        const huge = 'x'.repeat(DEFAULT_MAX_VALUE_SIZE);
        await expect(store.set('big', huge)).rejects.toBeInstanceOf(ValueTooLargeError);
        await expect(store.set('big', huge)).rejects.toThrow(/option "maxValueSize"/);
        await expect(store.setMany([['big', { huge }]])).rejects.toBeInstanceOf(ValueTooLargeError);
        await expect(store.setIfNotExists('big', [huge])).rejects.toBeInstanceOf(ValueTooLargeError);
        expect(await store.get('big')).toBeUndefined();
        // Well under the limit is fine.
        await store.set('ok', 'x'.repeat(DEFAULT_MAX_VALUE_SIZE / 2));
        if (retains) expect(((await store.get('ok'))?.value as string).length).toBe(DEFAULT_MAX_VALUE_SIZE / 2);
      });
    }

    if (!retains) return;

    it('misses keys that were never set', async () => {
      expect(await store.get('nothing')).toBeUndefined();
      expect(await store.getStale('nothing')).toBeUndefined();
      expect(await store.has('nothing')).toBe(false);
    });

    it('gets what was set, by key type: 1 and "1" are different keys', async () => {
      await store.set('a', { name: 'Ada', tags: ['x'] });
      await store.set(1, 'number one');
      await store.set('1', 'string one');
      expect((await store.get('a'))?.value).toEqual({ name: 'Ada', tags: ['x'] });
      expect((await store.get(1))?.value).toBe('number one');
      expect((await store.get('1'))?.value).toBe('string one');
      expect(await store.has(1)).toBe(true);
    });

    it('replaces the value on a second set', async () => {
      await store.set('a', 1);
      await store.set('a', 2);
      expect((await store.get('a'))?.value).toBe(2);
    });

    it('treats stored undefined, null and other falsy values as hits', async () => {
      const falsy: [string, unknown][] = [
        ['undefined', undefined],
        ['null', null],
        ['zero', 0],
        ['empty', ''],
        ['false', false],
      ];
      for (const [key, value] of falsy) await store.set(key, value);
      for (const [key, value] of falsy) {
        const entry = await store.get(key);
        expect(entry).toBeDefined();
        expect(entry?.value).toBe(value);
        expect(await store.has(key)).toBe(true);
      }
      const many = await store.getMany(['undefined', 'null', 'missing']);
      expect(many[0]).toBeDefined();
      expect(many[0]?.value).toBeUndefined();
      expect(many[1]).toEqual(expect.objectContaining({ value: null }));
      expect(many[2]).toBeUndefined();
    });

    it('deletes one key and says whether it existed', async () => {
      await store.set('a', 1);
      await store.set('b', 2);
      expect(await store.delete('a')).toBe(true);
      expect(await store.delete('a')).toBe(false);
      expect(await store.get('a')).toBeUndefined();
      expect((await store.get('b'))?.value).toBe(2);
    });

    it('clears its own entries, and nothing in other namespaces', async () => {
      const users = store.namespace('users');
      const orders = store.namespace('orders');
      const nested = users.namespace('inner');
      await store.set('root', 0);
      await users.set(1, 'u1');
      await users.set(2, 'u2');
      await orders.set(1, 'o1');
      await nested.set(1, 'n1');
      await users.clear();
      expect(await users.get(1)).toBeUndefined();
      expect(await users.get(2)).toBeUndefined();
      expect(await users.has(1)).toBe(false);
      expect((await orders.get(1))?.value).toBe('o1');
      expect((await nested.get(1))?.value).toBe('n1');
      expect((await store.get('root'))?.value).toBe(0);
      // Usable again after a clear.
      await users.set(1, 'again');
      expect((await users.get(1))?.value).toBe('again');
      await users.clear();
      await users.clear();
      expect(await users.get(1)).toBeUndefined();
    });

    it('keeps namespaces apart: same key, nested paths, names with slashes', async () => {
      const a = store.namespace('a');
      const ab = a.namespace('b');
      const slashed = store.namespace('a/b');
      await store.set('k', 'root');
      await a.set('k', 'a');
      await ab.set('k', 'a → b');
      await slashed.set('k', '"a/b"');
      expect((await store.get('k'))?.value).toBe('root');
      expect((await a.get('k'))?.value).toBe('a');
      expect((await ab.get('k'))?.value).toBe('a → b');
      expect((await slashed.get('k'))?.value).toBe('"a/b"');
      // The same name gives the same namespace.
      expect((await store.namespace('a').get('k'))?.value).toBe('a');
      expect((await store.namespace('a').namespace('b').get('k'))?.value).toBe('a → b');
    });

    it('gets many keys in order, with undefined for misses', async () => {
      await store.setMany([
        ['a', 1],
        ['b', 2],
        [3, 'three'],
      ]);
      const entries = await store.getMany(['b', 'missing', 3, 'a', 'b']);
      expect(entries.map((e) => e?.value)).toEqual([2, undefined, 'three', 1, 2]);
      expect(entries[1]).toBeUndefined();
      expect(await store.getMany([])).toEqual([]);
    });

    it('sets and gets many keys at once, beyond any internal batch size', async () => {
      const keys = Array.from({ length: 1234 }, (_, i) => `k${i}`);
      await store.setMany(new Map(keys.map((k, i) => [k, i])));
      const entries = await store.getMany(keys);
      expect(entries.map((e) => e?.value)).toEqual(keys.map((_, i) => i));
    });

    it('sets if not exists: true and stored when absent, false and unchanged when present', async () => {
      expect(await store.setIfNotExists('a', 1)).toBe(true);
      expect(await store.setIfNotExists('a', 2)).toBe(false);
      expect((await store.get('a'))?.value).toBe(1);
      await store.delete('a');
      expect(await store.setIfNotExists('a', 3)).toBe(true);
      expect((await store.get('a'))?.value).toBe(3);
      await store.set('u', undefined);
      expect(await store.setIfNotExists('u', 'x')).toBe(false);
    });

    it('expires entries after their ttl', async () => {
      await store.set('short', 'v', { ttl: TTL });
      await store.set('forever', 'w');
      expect((await store.get('short'))?.value).toBe('v');
      expect(await store.has('short')).toBe(true);
      await after(TTL, () => miss(store, 'short'));
      expect(await store.has('short')).toBe(false);
      expect(await store.getStale('short')).toBeUndefined();
      expect((await store.get('forever'))?.value).toBe('w');
    });

    it("applies the namespace's ttl to writes without one, and a write's own ttl over it", async () => {
      const ns = store.namespace('ttl', { ttl: TTL });
      await ns.set('default', 1);
      await ns.set('longer', 2, { ttl: TTL * 60 });
      expect((await ns.get('default'))?.value).toBe(1);
      await after(TTL, () => miss(ns, 'default'));
      expect((await ns.get('longer'))?.value).toBe(2);
    });

    it('expires setMany entries with the given ttl', async () => {
      await store.setMany(
        [
          ['a', 1],
          ['b', 2],
        ],
        { ttl: TTL },
      );
      expect((await store.getMany(['a', 'b'])).map((e) => e?.value)).toEqual([1, 2]);
      await after(TTL, async () => (await store.getMany(['a', 'b'])).every((e) => e === undefined));
    });

    it('sets if not exists over an expired entry', async () => {
      await store.set('a', 'old', { ttl: TTL });
      await after(TTL, () => miss(store, 'a'));
      expect(await store.setIfNotExists('a', 'new')).toBe(true);
      expect((await store.get('a'))?.value).toBe('new');
    });

    it('expireIn: false for a missing key; a new ttl for an existing one', async () => {
      expect(await store.expireIn('missing', TTL)).toBe(false);
      await store.set('a', 1);
      expect(await store.expireIn('a', TTL)).toBe(true);
      expect((await store.get('a'))?.value).toBe(1);
      await after(TTL, () => miss(store, 'a'));
      expect(await store.expireIn('a', TTL)).toBe(false);
    });

    it('expireIn(key, undefined) makes an entry permanent', async () => {
      await store.set('a', 1, { ttl: TTL });
      expect(await store.expireIn('a', undefined)).toBe(true);
      await elapse(TTL + 100);
      expect((await store.get('a'))?.value).toBe(1);
    });

    it('serves an expired entry to getStale only, within its stale window', async () => {
      await store.set('a', 'v', { ttl: TTL, staleTtl: TTL * 60 });
      expect((await store.get('a'))?.value).toBe('v');
      expect((await store.getStale('a'))?.value).toBe('v');
      await after(TTL, () => miss(store, 'a'));
      expect(await store.has('a')).toBe(false);
      expect((await store.getStale('a'))?.value).toBe('v');
      expect((await store.getMany(['a']))[0]).toBeUndefined();
    });

    it('drops an entry for getStale too once its stale window has passed', async () => {
      await store.set('a', 'v', { ttl: TTL, staleTtl: TTL });
      await after(TTL * 2, async () => (await store.getStale('a')) === undefined);
      expect(await store.get('a')).toBeUndefined();
    });

    it('sets if not exists over an entry that is only stale', async () => {
      await store.set('a', 'old', { ttl: TTL, staleTtl: TTL * 60 });
      expect(await store.setIfNotExists('a', 'x', { ttl: TTL * 60 })).toBe(false);
      await after(TTL, () => miss(store, 'a'));
      expect(await store.setIfNotExists('a', 'new', { ttl: TTL * 60 })).toBe(true);
      expect((await store.get('a'))?.value).toBe('new');
    });

    it('expireIn on a stale entry is false; on a fresh one it drops the stale window', async () => {
      await store.set('stale', 'v', { ttl: TTL, staleTtl: TTL * 60 });
      await store.set('fresh', 'w', { ttl: TTL, staleTtl: TTL * 60 });
      expect(await store.expireIn('fresh', TTL * 60)).toBe(true);
      await after(TTL, () => miss(store, 'stale'));
      expect(await store.expireIn('stale', TTL)).toBe(false);
      expect((await store.get('fresh'))?.value).toBe('w');
      expect(await store.expireIn('fresh', TTL)).toBe(true);
      await after(TTL, () => miss(store, 'fresh'));
      expect(await store.getStale('fresh')).toBeUndefined();
    });
  });
}
