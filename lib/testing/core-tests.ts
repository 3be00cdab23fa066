import assert from 'node:assert/strict';
import { getFailSafe, has, miss, type ContractContext } from './contract-context.js';

/**
 * Registers the tests of the small store contract that every store passes:
 * `get`, `set` with a `ttl`, `delete`, `clear`, `getMany`, `setMany`,
 * `namespace` (isolation, same name → same namespace) and `close`. Checks of
 * `has` and `getFailSafe` inside them run when the store claims those
 * capabilities. Registered only for stores that retain what they are given.
 *
 * @example
 * ```ts
 * registerCoreTests(context);
 * ```
 */
export function registerCoreTests(context: ContractContext): void {
  const { it, ttl: TTL, can, after } = context;

  it('misses keys that were never set', async () => {
    const store = context.store();
    assert.equal(await store.get('nothing'), undefined);
    if (can('failSafe')) assert.equal(await getFailSafe(store, 'nothing'), undefined);
    if (can('has')) assert.equal(await has(store, 'nothing'), false);
  });

  it('gets what was set, by key type: 1 and "1" are different keys', async () => {
    const store = context.store();
    await store.set('a', { name: 'Ada', tags: ['x'] });
    await store.set(1, 'number one');
    await store.set('1', 'string one');
    assert.deepEqual((await store.get('a'))?.value, { name: 'Ada', tags: ['x'] });
    assert.equal((await store.get(1))?.value, 'number one');
    assert.equal((await store.get('1'))?.value, 'string one');
    if (can('has')) assert.equal(await has(store, 1), true);
  });

  it('replaces the value on a second set', async () => {
    const store = context.store();
    await store.set('a', 1);
    await store.set('a', 2);
    assert.equal((await store.get('a'))?.value, 2);
  });

  it('treats stored undefined, null and other falsy values as hits', async () => {
    const store = context.store();
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
      assert.notEqual(entry, undefined, `a cached ${String(value)} is a hit`);
      assert.equal(entry?.value, value);
      if (can('has')) assert.equal(await has(store, key), true);
    }
    const many = await store.getMany(['undefined', 'null', 'missing']);
    assert.notEqual(many[0], undefined, 'getMany returns an entry for a cached undefined');
    assert.equal(many[0]?.value, undefined);
    const cachedNull = many[1];
    assert.ok(cachedNull !== undefined && 'value' in cachedNull, 'getMany returns an entry for a cached null');
    assert.equal(cachedNull.value, null);
    assert.equal(many[2], undefined);
  });

  it('deletes one key and says whether it existed', async () => {
    const store = context.store();
    await store.set('a', 1);
    await store.set('b', 2);
    assert.equal(await store.delete('a'), true);
    assert.equal(await store.delete('a'), false);
    assert.equal(await store.get('a'), undefined);
    assert.equal((await store.get('b'))?.value, 2);
  });

  it('clears its own entries, and nothing in other namespaces', async () => {
    const store = context.store();
    const users = store.namespace('users');
    const orders = store.namespace('orders');
    const nested = users.namespace('inner');
    await store.set('root', 0);
    await users.set(1, 'u1');
    await users.set(2, 'u2');
    await orders.set(1, 'o1');
    await nested.set(1, 'n1');
    await users.clear();
    assert.equal(await users.get(1), undefined);
    assert.equal(await users.get(2), undefined);
    if (can('has')) assert.equal(await has(users, 1), false);
    assert.equal((await orders.get(1))?.value, 'o1');
    assert.equal((await nested.get(1))?.value, 'n1');
    assert.equal((await store.get('root'))?.value, 0);
    // Usable again after a clear.
    await users.set(1, 'again');
    assert.equal((await users.get(1))?.value, 'again');
    await users.clear();
    await users.clear();
    assert.equal(await users.get(1), undefined);
  });

  it('keeps namespaces apart: same key, nested paths, names with slashes', async () => {
    const store = context.store();
    const a = store.namespace('a');
    const ab = a.namespace('b');
    const slashed = store.namespace('a/b');
    await store.set('k', 'root');
    await a.set('k', 'a');
    await ab.set('k', 'a → b');
    await slashed.set('k', '"a/b"');
    assert.equal((await store.get('k'))?.value, 'root');
    assert.equal((await a.get('k'))?.value, 'a');
    assert.equal((await ab.get('k'))?.value, 'a → b');
    assert.equal((await slashed.get('k'))?.value, '"a/b"');
    // The same name gives the same namespace.
    assert.equal((await store.namespace('a').get('k'))?.value, 'a');
    assert.equal((await store.namespace('a').namespace('b').get('k'))?.value, 'a → b');
  });

  it('gets many keys in order, with undefined for misses', async () => {
    const store = context.store();
    await store.setMany([
      ['a', 1],
      ['b', 2],
      [3, 'three'],
    ]);
    const entries = await store.getMany(['b', 'missing', 3, 'a', 'b']);
    assert.deepEqual(
      entries.map((e) => e?.value),
      [2, undefined, 'three', 1, 2],
    );
    assert.equal(entries[1], undefined);
    assert.deepEqual(await store.getMany([]), []);
  });

  it('sets and gets many keys at once, beyond any internal batch size', async () => {
    const store = context.store();
    const keys = Array.from({ length: 1234 }, (_, i) => `k${i}`);
    await store.setMany(new Map(keys.map((k, i) => [k, i])));
    const entries = await store.getMany(keys);
    assert.deepEqual(
      entries.map((e) => e?.value),
      keys.map((_, i) => i),
    );
  });

  it('expires entries after their ttl', async () => {
    const store = context.store();
    await store.set('short', 'v', { ttl: TTL });
    await store.set('forever', 'w');
    assert.equal((await store.get('short'))?.value, 'v');
    if (can('has')) assert.equal(await has(store, 'short'), true);
    await after(TTL, () => miss(store, 'short'));
    if (can('has')) assert.equal(await has(store, 'short'), false);
    if (can('failSafe')) assert.equal(await getFailSafe(store, 'short'), undefined);
    assert.equal((await store.get('forever'))?.value, 'w');
  });

  it('expires setMany entries with the given ttl', async () => {
    const store = context.store();
    await store.setMany(
      [
        ['a', 1],
        ['b', 2],
      ],
      { ttl: TTL },
    );
    assert.deepEqual(
      (await store.getMany(['a', 'b'])).map((e) => e?.value),
      [1, 2],
    );
    await after(TTL, async () => (await store.getMany(['a', 'b'])).every((e) => e === undefined));
  });
}

/**
 * Registers the namespace-name check every store passes, retaining or not:
 * an empty name is a `TypeError` naming the option `"name"`.
 *
 * @example
 * ```ts
 * registerNamespaceNameTest(context);
 * ```
 */
export function registerNamespaceNameTest(context: ContractContext): void {
  context.it('rejects empty namespace names with a TypeError naming the option', async () => {
    const store = context.store();
    assert.throws(() => store.namespace(''), TypeError);
    assert.throws(() => store.namespace(''), { message: /"name"/ });
  });
}
