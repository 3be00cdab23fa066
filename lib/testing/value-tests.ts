import assert from 'node:assert/strict';
import { DEFAULT_MAX_VALUE_SIZE, ValueTooLargeError } from '../codec/value-size.js';
import { expireIn, getFailSafe, has, setIfNotExists, type ContractContext } from './contract-context.js';

/**
 * Registers the tests of a store that caches nothing (memokit's null store):
 * every read misses, and writes are accepted without being kept.
 *
 * @example
 * ```ts
 * if (!context.retains) registerForgetfulTests(context);
 * ```
 */
export function registerForgetfulTests(context: ContractContext): void {
  const { it, ttl: TTL, can } = context;

  it('misses on every read, even right after a write', async () => {
    const store = context.store();
    await store.set('a', 1);
    await store.setMany([['b', 2]]);
    assert.equal(await store.get('a'), undefined);
    if (can('failSafe')) assert.equal(await getFailSafe(store, 'a'), undefined);
    if (can('has')) assert.equal(await has(store, 'a'), false);
    assert.deepEqual(await store.getMany(['a', 'b', 'c']), [undefined, undefined, undefined]);
  });

  it('accepts writes without keeping them', async () => {
    const store = context.store();
    assert.equal(await store.set('a', { n: 1 }, { ttl: TTL }), undefined);
    if (can('setIfNotExists')) assert.equal(await setIfNotExists(store, 'a', 1), true);
    if (can('expireIn')) assert.equal(await expireIn(store, 'a', TTL), false);
    assert.equal(await store.delete('a'), false);
    assert.equal(await store.clear(), undefined);
    assert.equal(await store.namespace('ns').get('a'), undefined);
  });
}

/**
 * Registers the tests of a store that checks values as memokit's serializing
 * stores do: a value that cannot be serialized is a `TypeError` saying where
 * in the value the problem is, a value over the default `maxValueSize`
 * (1 MiB) a `ValueTooLargeError`, and neither stores anything.
 *
 * @example
 * ```ts
 * if (context.validatesValues) registerValueCheckTests(context);
 * ```
 */
export function registerValueCheckTests(context: ContractContext): void {
  const { it, retains, can } = context;

  it('rejects values that cannot be serialized with a TypeError naming where they are', async () => {
    const store = context.store();
    await assert.rejects(store.set('f', { nested: { fn: () => 1 } }), TypeError);
    await assert.rejects(store.set('f', { nested: { fn: () => 1 } }), { message: /value\.nested\.fn/ });
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    await assert.rejects(store.set('c', circular), { message: /circular/ });
    await assert.rejects(store.setMany([['s', Symbol('x')]]), TypeError);
    if (can('setIfNotExists')) {
      await assert.rejects(setIfNotExists(store, 's', [1, () => 2]), { message: /value\[1\]/ });
    }
    assert.equal(await store.get('f'), undefined);
    // The store stays usable.
    await store.set('ok', 1);
    if (retains) assert.equal((await store.get('ok'))?.value, 1);
  });

  it('rejects values larger than the default maxValueSize (1 MiB), storing nothing', async () => {
    const store = context.store();
    const huge = 'x'.repeat(DEFAULT_MAX_VALUE_SIZE);
    await assert.rejects(store.set('big', huge), ValueTooLargeError);
    await assert.rejects(store.set('big', huge), { message: /option "maxValueSize"/ });
    await assert.rejects(store.setMany([['big', { huge }]]), ValueTooLargeError);
    if (can('setIfNotExists')) await assert.rejects(setIfNotExists(store, 'big', [huge]), ValueTooLargeError);
    assert.equal(await store.get('big'), undefined);
    // Well under the limit is fine.
    await store.set('ok', 'x'.repeat(DEFAULT_MAX_VALUE_SIZE / 2));
    if (retains) assert.equal(((await store.get('ok'))?.value as string).length, DEFAULT_MAX_VALUE_SIZE / 2);
  });
}
