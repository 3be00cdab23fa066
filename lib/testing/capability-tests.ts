import assert from 'node:assert/strict';
import {
  expireIn,
  expiresInOf,
  getFailSafe,
  has,
  invalidateTags,
  miss,
  setIfNotExists,
  stats,
  syncExpiresIn,
  syncOps,
  type ContractContext,
} from './contract-context.js';

/** Real-time stores: how far a reported expiresIn may stray from the times measured around the calls, in ms. */
const SLACK_MS = 25;

/**
 * Registers the tests of the capabilities a store claims that hold whether
 * or not it retains entries: `'names'` and `'stats'`.
 *
 * @example
 * ```ts
 * registerDescriptionTests(context);
 * ```
 */
export function registerDescriptionTests(context: ContractContext): void {
  const { it, can } = context;

  if (can('names')) {
    it('reports its kind and namespace names', async () => {
      const store = context.store();
      assert.equal(typeof store.kind, 'string');
      assert.ok((store.kind?.length ?? 0) > 0, 'kind is a non-empty label');
      assert.equal(store.name, '');
      const child = store.namespace('users').namespace('active');
      assert.equal(child.kind, store.kind);
      assert.equal(child.name, 'users/active');
    });
  }

  if (can('stats')) {
    it('reports stats as non-negative numbers', async () => {
      const figures = stats(context.store());
      assert.ok(figures.size >= 0, `stats().size is ${figures.size}`);
      assert.ok(figures.evictions >= 0, `stats().evictions is ${figures.evictions}`);
    });
  }
}

/**
 * Registers the tests of the capabilities a retaining store claims:
 * `'namespaceTtl'`, `'setIfNotExists'`, `'expireIn'`, `'failSafe'`, `'tags'`
 * and `'sync'`. A test that needs two capabilities runs when the store claims
 * both.
 *
 * @example
 * ```ts
 * registerCapabilityTests(context);
 * ```
 */
export function registerCapabilityTests(context: ContractContext): void {
  const { it, ttl: TTL, can, after, elapse, clockIsFake } = context;

  if (can('setIfNotExists')) {
    it('sets if not exists: true and stored when absent, false and unchanged when present', async () => {
      const store = context.store();
      assert.equal(await setIfNotExists(store, 'a', 1), true);
      assert.equal(await setIfNotExists(store, 'a', 2), false);
      assert.equal((await store.get('a'))?.value, 1);
      await store.delete('a');
      assert.equal(await setIfNotExists(store, 'a', 3), true);
      assert.equal((await store.get('a'))?.value, 3);
      await store.set('u', undefined);
      assert.equal(await setIfNotExists(store, 'u', 'x'), false);
    });

    it('sets if not exists over an expired entry', async () => {
      const store = context.store();
      await store.set('a', 'old', { ttl: TTL });
      await after(TTL, () => miss(store, 'a'));
      assert.equal(await setIfNotExists(store, 'a', 'new'), true);
      assert.equal((await store.get('a'))?.value, 'new');
    });
  }

  if (can('namespaceTtl')) {
    it("applies the namespace's ttl to writes without one, and a write's own ttl over it", async () => {
      const ns = context.store().namespace('ttl', { ttl: TTL });
      await ns.set('default', 1);
      await ns.set('longer', 2, { ttl: TTL * 60 });
      assert.equal((await ns.get('default'))?.value, 1);
      await after(TTL, () => miss(ns, 'default'));
      assert.equal((await ns.get('longer'))?.value, 2);
    });
  }

  if (can('expireIn')) {
    it('expireIn: false for a missing key; a new ttl for an existing one', async () => {
      const store = context.store();
      assert.equal(await expireIn(store, 'missing', TTL), false);
      await store.set('a', 1);
      assert.equal(await expireIn(store, 'a', TTL), true);
      assert.equal((await store.get('a'))?.value, 1);
      await after(TTL, () => miss(store, 'a'));
      assert.equal(await expireIn(store, 'a', TTL), false);
    });

    it('expireIn(key, undefined) makes an entry permanent', async () => {
      const store = context.store();
      await store.set('a', 1, { ttl: TTL });
      assert.equal(await expireIn(store, 'a', undefined), true);
      await elapse(TTL + 100);
      assert.equal((await store.get('a'))?.value, 1);
    });
  }

  if (can('failSafe')) {
    it('serves an expired entry to getFailSafe only, within its stale window', async () => {
      const store = context.store();
      await store.set('a', 'v', { ttl: TTL, failSafe: TTL * 60 });
      assert.equal((await store.get('a'))?.value, 'v');
      assert.equal((await getFailSafe(store, 'a'))?.value, 'v');
      await after(TTL, () => miss(store, 'a'));
      if (can('has')) assert.equal(await has(store, 'a'), false);
      assert.equal((await getFailSafe(store, 'a'))?.value, 'v');
      assert.equal((await store.getMany(['a']))[0], undefined);
    });

    // expiresIn is optional (a store reports it when it knows it); when present it must be right.
    it('a stale read reports expiresIn ≤ 0: minus the time since the entry expired', async () => {
      const store = context.store();
      await store.set('forever', 'f');
      const writing = performance.now();
      await store.set('a', 'v', { ttl: TTL, failSafe: TTL * 60 });
      const written = performance.now();
      // Fresh: the freshness left, within what can have passed since the write.
      const fresh = expiresInOf(await getFailSafe(store, 'a'));
      const freshRead = performance.now();
      if (fresh !== undefined && (clockIsFake() || freshRead - written < TTL / 2)) {
        const low = clockIsFake() ? TTL : TTL - (freshRead - writing) - SLACK_MS;
        assert.ok(fresh >= low && fresh <= TTL, `a fresh read's expiresIn is ${fresh}, not within [${low}, ${TTL}]`);
      }
      assert.equal(expiresInOf(await store.get('forever')), undefined, 'an entry without expiry reports none');
      assert.equal(expiresInOf(await getFailSafe(store, 'forever')), undefined, 'an entry without expiry reports none');
      // Stale for a while: TTL + 1 ms on a moved clock.
      await after(TTL, () => miss(store, 'a'));
      await elapse(TTL);
      const reading = performance.now();
      const stale = await getFailSafe(store, 'a');
      const read = performance.now();
      assert.equal(stale?.value, 'v');
      const left = expiresInOf(stale);
      if (left === undefined) return;
      assert.ok(left <= 0, `a stale read's expiresIn is ${left}, not 0 or less`);
      if (clockIsFake()) {
        assert.equal(left, -(TTL + 1), 'minus the milliseconds since the entry expired');
        return;
      }
      const [low, high] = [reading - written - TTL - SLACK_MS, read - writing - TTL + SLACK_MS];
      assert.ok(-left >= low && -left <= high, `expired ${-left} ms ago by expiresIn, not within [${low}, ${high}]`);
    });

    it('drops an entry for getFailSafe too once its stale window has passed', async () => {
      const store = context.store();
      await store.set('a', 'v', { ttl: TTL, failSafe: TTL });
      await after(TTL * 2, async () => (await getFailSafe(store, 'a')) === undefined);
      assert.equal(await store.get('a'), undefined);
    });
  }

  if (can('failSafe') && can('setIfNotExists')) {
    it('sets if not exists over an entry that is only stale', async () => {
      const store = context.store();
      await store.set('a', 'old', { ttl: TTL, failSafe: TTL * 60 });
      assert.equal(await setIfNotExists(store, 'a', 'x', { ttl: TTL * 60 }), false);
      await after(TTL, () => miss(store, 'a'));
      assert.equal(await setIfNotExists(store, 'a', 'new', { ttl: TTL * 60 }), true);
      assert.equal((await store.get('a'))?.value, 'new');
    });
  }

  if (can('failSafe') && can('expireIn')) {
    it('expireIn on a stale entry is false; on a fresh one it drops the stale window', async () => {
      const store = context.store();
      await store.set('stale', 'v', { ttl: TTL, failSafe: TTL * 60 });
      await store.set('fresh', 'w', { ttl: TTL, failSafe: TTL * 60 });
      assert.equal(await expireIn(store, 'fresh', TTL * 60), true);
      await after(TTL, () => miss(store, 'stale'));
      assert.equal(await expireIn(store, 'stale', TTL), false);
      assert.equal((await store.get('fresh'))?.value, 'w');
      assert.equal(await expireIn(store, 'fresh', TTL), true);
      await after(TTL, () => miss(store, 'fresh'));
      assert.equal(await getFailSafe(store, 'fresh'), undefined);
    });
  }

  if (can('tags')) {
    it('invalidateTags makes every entry with one of the tags unreachable, in every namespace', async () => {
      const store = context.store();
      const users = store.namespace('users');
      await store.set('a', 1, { tags: ['t1'] });
      await users.set('b', 2, { tags: ['t1', 't2'] });
      await store.set('c', 3, { tags: ['t2'] });
      await store.set('d', 4);
      await invalidateTags(store, ['t1']);
      assert.equal(await store.get('a'), undefined);
      assert.equal(await users.get('b'), undefined);
      assert.deepEqual(
        (await store.getMany(['a', 'c', 'd'])).map((e) => e?.value),
        [undefined, 3, 4],
      );
      // A write after the invalidation is a new entry.
      await store.set('a', 5, { tags: ['t1'] });
      assert.equal((await store.get('a'))?.value, 5);
    });
  }

  if (can('sync')) {
    it('sync: the synchronous operations see the same entries as the async ones', async () => {
      const store = context.store();
      const sync = syncOps(store);
      await store.set('a', 1);
      const hit = sync.get('a');
      // A partial synchronous tier (a tiered store's L1) may miss; it never returns another value.
      if (sync.complete === false) assert.ok(hit === undefined || hit.value === 1, 'sync.get returns what was set');
      else assert.equal(hit?.value, 1);
      // sync.expiresIn (optional): the freshness a live entry has left; none without expiry, none when absent.
      const expiresIn = syncExpiresIn(sync);
      if (expiresIn !== undefined) {
        assert.equal(expiresIn('a'), undefined, 'an entry without expiry has no expiresIn');
        assert.equal(expiresIn('absent'), undefined);
        await store.set('e', 5, { ttl: TTL });
        const left = expiresIn('e');
        if (left !== undefined || sync.complete !== false) {
          // On real time a clock read with a coarse resolution may put it a little over the TTL.
          const most = clockIsFake() ? TTL : TTL + SLACK_MS;
          assert.ok(
            left !== undefined && left <= most,
            `sync.expiresIn of an entry written with ttl ${TTL} is ${left}`,
          );
          if (clockIsFake()) assert.equal(left, TTL);
        }
        await after(TTL, async () => expiresIn('e') === undefined);
      }
      await store.delete('a');
      assert.equal(sync.get('a'), undefined);
      if (sync.complete === false) return;
      sync.set('b', 2);
      assert.equal((await store.get('b'))?.value, 2);
      assert.equal(sync.delete('b'), true);
      assert.equal(sync.delete('b'), false);
      assert.equal(await store.get('b'), undefined);
      sync.set('c', 3, { ttl: TTL });
      await after(TTL, async () => sync.get('c') === undefined);
      sync.set('d', 4);
      sync.clear();
      assert.equal(await store.get('d'), undefined);
    });
  }
}
