/**
 * The Redis store against a local 3-master Redis Cluster (started here on
 * free loopback ports): the whole CacheStore contract, plus the slot layout
 * that makes every operation a single-node script.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Cluster } from 'ioredis';
import { RedisStore } from '../../../lib/stores/redis/index.js';
import { registerStoreContract } from '../contract/store-contract.js';
import { startRedisCluster, type RedisClusterHandle } from '../../setup/redis-server.js';
import { uniquePrefix } from '../../setup/redis-env.js';

let cluster: RedisClusterHandle;
let client: Cluster;

beforeAll(async () => {
  cluster = await startRedisCluster(3);
  client = new Cluster([...cluster.nodes], RedisStore.clusterOptions());
  await new Promise<void>((resolve, reject) => {
    client.once('ready', () => resolve());
    client.once('error', reject);
  });
}, 60_000);

afterAll(async () => {
  await client.quit();
  await cluster.stop();
});

/** A store on the shared Cluster client, connected. */
async function clusterStore(label: string, prefix = uniquePrefix(label)): Promise<RedisStore> {
  const store = new RedisStore({ client, prefix });
  if (!(await store.ready(5000))) throw new Error('cluster store not ready');
  return store;
}

registerStoreContract('redis cluster', async () => ({ store: await clusterStore('cluster-contract') }), {
  validatesValues: true,
  ttl: 500,
});

describe('RedisStore on Redis Cluster: slots', () => {
  it('keeps every key of a namespace in one slot, and spreads namespaces over the masters', async () => {
    const prefix = uniquePrefix('slots');
    const store = await clusterStore('slots', prefix);
    try {
      const masters = client.nodes('master');
      expect(masters).toHaveLength(3);
      const owners = new Set<string>();
      for (let i = 0; i < 30; i++) {
        const ns = store.namespace(`ns${i}`);
        await ns.setMany(Array.from({ length: 20 }, (_, k) => [`key${k}`, k] as const));
        expect((await ns.getMany(['key0', 'key19'])).map((e) => e?.value)).toEqual([0, 19]);
        for (const node of masters) {
          const keys = await node.keys(`${prefix}:{/ns${i}}:*`);
          if (keys.length > 0) {
            owners.add(`${node.options.port}`);
            // All 21 keys (20 entries + the generation key) are on this node, in one slot.
            expect(keys).toHaveLength(21);
            const slots = new Set(await Promise.all(keys.map((k) => node.cluster('KEYSLOT', k))));
            expect(slots.size).toBe(1);
          }
        }
      }
      expect(owners.size).toBeGreaterThan(1);
    } finally {
      await store.close();
    }
  });

  it('clears one namespace without touching the others or their nodes', async () => {
    const store = await clusterStore('cluster-clear');
    try {
      const a = store.namespace('a');
      const b = store.namespace('b');
      await a.set(1, 'a1');
      await b.set(1, 'b1');
      await a.clear();
      expect(await a.get(1)).toBeUndefined();
      expect((await b.get(1))?.value).toBe('b1');
    } finally {
      await store.close();
    }
  });
});

describe('RedisStore on Redis Cluster: write guard and tags', () => {
  it('guards writes against deletes and clears from another store (same slot as the entries)', async () => {
    const prefix = uniquePrefix('cluster-guard');
    const a = await clusterStore('cluster-guard', prefix);
    const b = await clusterStore('cluster-guard', prefix);
    try {
      const ns = a.namespace('users');
      const { token } = await ns.getForLoad('u1');
      await b.namespace('users').delete('u1');
      await ns.set('u1', 'old', { loadToken: token });
      expect(await ns.get('u1')).toBeUndefined();
      const second = (await ns.getForLoad('u1')).token;
      await b.namespace('users').clear();
      await ns.set('u1', 'old', { loadToken: second });
      expect(await ns.get('u1')).toBeUndefined();
      const third = (await ns.getForLoad('u1')).token;
      await ns.set('u1', 'new', { loadToken: third });
      expect((await b.namespace('users').get('u1'))?.value).toBe('new');
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('keeps the tag record in a slot of its own and checks tagged entries on every node against it', async () => {
    const prefix = uniquePrefix('cluster-tags');
    const a = await clusterStore('cluster-tags', prefix);
    const b = await clusterStore('cluster-tags', prefix);
    try {
      const namespaces = Array.from({ length: 12 }, (_, i) => a.namespace(`ns${i}`));
      for (const ns of namespaces) {
        await ns.set('tagged', 'v', { tags: ['user:1'], ttl: 60_000, failSafe: 1000 });
        await ns.set('other', 'w', { tags: ['user:2'] });
        await ns.set('plain', 'p');
      }
      // One tag record per prefix, hashed on its own tag; the namespaces it governs span several masters.
      const tagKey = `${prefix}:{#${prefix}}:tags`;
      expect(await client.exists(tagKey)).toBe(1);
      expect(await client.cluster('KEYSLOT', tagKey)).toBe(await client.cluster('KEYSLOT', `#${prefix}`));
      const masters = new Set<string>();
      for (const node of client.nodes('master')) {
        for (let i = 0; i < 12; i++) {
          if ((await node.keys(`${prefix}:{/ns${i}}:*`)).length > 0) masters.add(String(node.options.port));
        }
      }
      expect(masters.size).toBeGreaterThan(1);

      await b.invalidateTags(['user:1']);
      for (const ns of namespaces) {
        expect(await ns.get('tagged')).toBeUndefined();
        expect(await ns.getFailSafe('tagged')).toBeUndefined();
        expect(await ns.has('tagged')).toBe(false);
        expect(await ns.has('other')).toBe(true);
        expect((await ns.getMany(['tagged', 'other', 'plain'])).map((e) => e?.value)).toEqual([undefined, 'w', 'p']);
        expect((await ns.getForLoad('other')).entry?.value).toBe('w');
      }
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('stamps tagged loads with the tag clock (a second call on a miss once the store has seen tags)', async () => {
    const prefix = uniquePrefix('cluster-stamp');
    const a = await clusterStore('cluster-stamp', prefix);
    const b = await clusterStore('cluster-stamp', prefix);
    try {
      const ns = a.namespace('carts');
      // The store has not seen a tagged write yet: the token has no tag clock, so this write stores nothing.
      const first = (await ns.getForLoad('u1')).token;
      await ns.set('u1', 'unstamped', { tags: ['cart:u1'], loadToken: first });
      expect(await ns.get('u1')).toBeUndefined();
      // From now on tokens carry the clock: an invalidation during the load keeps the value out...
      const second = (await ns.getForLoad('u1')).token;
      await b.invalidateTags(['cart:u1']);
      await ns.set('u1', 'overtaken', { tags: ['cart:u1'], loadToken: second });
      expect(await ns.get('u1')).toBeUndefined();
      // ...and a load started after it is stored.
      const third = await ns.loadToken('u1');
      await ns.set('u1', 'fresh', { tags: ['cart:u1'], loadToken: third });
      expect((await b.namespace('carts').get('u1'))?.value).toBe('fresh');
    } finally {
      await a.close();
      await b.close();
    }
  });
});
