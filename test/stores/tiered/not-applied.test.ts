/**
 * A bus message marked `applied: false` (its publisher's Redis link failed)
 * is applied in Redis by the receiver: deletes, clears and tag
 * invalidations, in namespaces the receiver has open or not.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { RedisStore } from '../../../lib/stores/redis/index.js';
import { TieredStore } from '../../../lib/stores/tiered/tiered-store.js';
import { eventually, rawClient, testRedisUrl, uniquePrefix } from '../../setup/redis-env.js';

const opened: { close(): Promise<void> }[] = [];

afterEach(async () => {
  await Promise.all(opened.splice(0).map((store) => store.close()));
});

/** A receiving tiered store, and a plain Redis store on the same prefix to look at Redis. */
async function setup(): Promise<{ prefix: string; tiered: TieredStore; redis: RedisStore }> {
  const prefix = uniquePrefix('not-applied');
  const tiered = new TieredStore({ redis: { url: testRedisUrl(), prefix } });
  const redis = new RedisStore({ url: testRedisUrl(), prefix });
  opened.push(tiered, redis);
  expect([await tiered.ready(5000), await redis.ready(5000)]).toEqual([true, true]);
  return { prefix, tiered, redis };
}

/** Publishes `message` as a peer whose Redis link failed. */
async function publishNotApplied(prefix: string, message: Record<string, unknown>): Promise<void> {
  const raw = rawClient();
  try {
    const full = { v: 1, from: randomUUID(), seq: 1, ...message, applied: false };
    await raw.publish(`${prefix}:memokit:bus`, JSON.stringify(full));
  } finally {
    raw.disconnect();
  }
}

describe('tiered store: invalidations a peer could not apply in Redis', () => {
  it('deletes the key in Redis', async () => {
    const { prefix, redis } = await setup();
    await redis.set('k', 'old');
    await redis.set('other', 'kept');
    await publishNotApplied(prefix, { op: 'delete', ns: '[]', key: ['s', 'k'] });
    await eventually(async () => (await redis.get('k')) === undefined, 2000, 5);
    expect((await redis.get('other'))?.value).toBe('kept');
  });

  it('clears the namespace in Redis, also one this process has not opened', async () => {
    const { prefix, redis } = await setup();
    await redis.namespace('users').set(1, 'old');
    await redis.set('root', 'kept');
    await publishNotApplied(prefix, { op: 'clear', ns: '["users"]' });
    await eventually(async () => (await redis.namespace('users').get(1)) === undefined, 2000, 5);
    expect((await redis.get('root'))?.value).toBe('kept');
  });

  it('invalidates the tags in Redis', async () => {
    const { prefix, redis } = await setup();
    await redis.set('t', 'old', { tags: ['group'] });
    await redis.set('u', 'kept', { tags: ['other'] });
    await publishNotApplied(prefix, { op: 'tags', tags: ['group'] });
    await eventually(async () => (await redis.get('t')) === undefined, 2000, 5);
    expect((await redis.get('u'))?.value).toBe('kept');
  });

  it('ignores a malformed namespace instead of crashing', async () => {
    const { prefix, tiered, redis } = await setup();
    await redis.set('k', 'old');
    await publishNotApplied(prefix, { op: 'clear', ns: '{"not":"a path"}' });
    await publishNotApplied(prefix, { op: 'delete', ns: '[]', key: ['s', 'k'] });
    await eventually(async () => (await redis.get('k')) === undefined, 2000, 5);
    expect(await tiered.ready(100)).toBe(true);
  });
});
