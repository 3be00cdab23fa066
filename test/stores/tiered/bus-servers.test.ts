/**
 * The tiered store's bus talks to the same servers as its Redis store, for
 * every documented way to configure it: a URL, options, an existing client
 * (duplicated for the bus), and an ioredis Cluster client.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Cluster, Redis } from 'ioredis';
import { RedisStore } from '../../../lib/stores/redis/index.js';
import { TieredStore } from '../../../lib/stores/tiered/tiered-store.js';
import { startRedisCluster, type RedisClusterHandle } from '../../setup/redis-server.js';
import { eventually, rawClient, testRedisUrl, uniquePrefix } from '../../setup/redis-env.js';

/** Subscribers of `channel` on one server. */
async function subscribers(client: Redis, channel: string): Promise<number> {
  const reply = (await client.call('PUBSUB', 'NUMSUB', channel)) as [string, number | string];
  return Number(reply[1]);
}

/** Connections named `name` on one server. */
async function connectionsNamed(client: Redis, name: string): Promise<number> {
  const list = (await client.call('CLIENT', 'LIST')) as string;
  return list.split('\n').filter((line) => line.includes(` name=${name} `)).length;
}

/** A delete through `a` drops `b`'s L1 copy: the two buses reach each other. */
async function expectCoherent(a: TieredStore, b: TieredStore): Promise<void> {
  await a.set('k', 'v1');
  // A's own notice of the write may reach B after B's first read started (that read then does not fill L1).
  await eventually(async () => (await b.get('k'))?.value === 'v1' && b.sync.get('k')?.value === 'v1', 2000, 5);
  await a.delete('k');
  await eventually(() => b.sync.get('k') === undefined, 2000, 5);
}

describe('tiered store: the bus uses the same Redis as the store', () => {
  it('with a URL, options or an existing client (duplicated), on the private server and nowhere else', async () => {
    const url = testRedisUrl();
    const { hostname, port } = new URL(url);
    const raw = rawClient();
    const opened: TieredStore[] = [];
    const clients: Redis[] = [];
    try {
      const prefixes = {
        url: uniquePrefix('bus-url'),
        options: uniquePrefix('bus-options'),
        client: uniquePrefix('bus-client'),
      };
      const client = (name: string) => {
        const created = new Redis(url, { ...RedisStore.clientOptions(), connectionName: name });
        clients.push(created);
        return created;
      };
      const make = {
        url: () => new TieredStore({ redis: `${url}/0?prefix=${prefixes.url}` }),
        options: () =>
          new TieredStore({ redis: { redis: { host: hostname, port: Number(port) }, prefix: prefixes.options } }),
        client: () => new TieredStore({ redis: { client: client(prefixes.client), prefix: prefixes.client } }),
      };
      for (const way of ['url', 'options', 'client'] as const) {
        const [a, b] = [make[way](), make[way]()];
        opened.push(a, b);
        expect([await a.ready(5000), await b.ready(5000)]).toEqual([true, true]);
        expect(await subscribers(raw, `${prefixes[way]}:memokit:bus`)).toBe(2);
        await expectCoherent(a, b);
      }
      // Each client-built store: the caller's connection, and the bus's publisher and subscriber
      // (duplicates carry the client's connection name), all on this server.
      expect(await connectionsNamed(raw, prefixes.client)).toBe(6);
    } finally {
      await Promise.all(opened.map((store) => store.close()));
      for (const created of clients) created.disconnect();
      raw.disconnect();
    }
  }, 30_000);

  it('refuses a client it cannot open the bus connections from, naming the option', () => {
    const notDuplicable = { status: 'ready', evalsha: () => Promise.resolve(0), on: () => undefined };
    expect(() => new TieredStore({ redis: { client: notDuplicable as never, prefix: 'x' } })).toThrow(
      /option "redis\.client".*duplicate\(\)/,
    );
  });
});

describe('tiered store on a Redis Cluster client', () => {
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
    await client?.quit();
    await cluster?.stop();
  });

  it("subscribes and publishes on the cluster's nodes", async () => {
    const prefix = uniquePrefix('bus-cluster');
    const a = new TieredStore({ redis: { client, prefix } });
    const b = new TieredStore({ redis: { client, prefix } });
    const nodes = cluster.nodes.map(({ host, port }) => {
      const node = new Redis({ host, port, maxRetriesPerRequest: 1 });
      node.on('error', () => undefined);
      return node;
    });
    try {
      expect([await a.ready(5000), await b.ready(5000)]).toEqual([true, true]);
      // Each bus subscribes on one node of the cluster (PUBSUB NUMSUB counts a node's own subscribers).
      const counts = await Promise.all(nodes.map((node) => subscribers(node, `${prefix}:memokit:bus`)));
      expect(counts.reduce((sum, n) => sum + n, 0)).toBe(2);
      await expectCoherent(a, b);
    } finally {
      await Promise.all([a.close(), b.close()]);
      for (const node of nodes) node.disconnect();
    }
  }, 30_000);
});
