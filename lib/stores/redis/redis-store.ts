/**
 * The Redis store: a `CacheStore` in Redis (ioredis), the root of its
 * namespaces. Its public names are gathered in `index.ts`.
 */
import type { Duration } from '../../util/duration.js';
import { registerTagTarget, type TagTarget } from '../tags.js';
import { loadIoredis } from './client.js';
import { RedisConnection } from './connection.js';
import type { StoreContext } from './context.js';
import { headerOf, tagKeyOf } from './keyspace.js';
import { NamespaceTree } from '../namespace-tree.js';
import { RedisNamespace } from './namespace.js';
import { namespaceWhere } from './scope.js';
import {
  failOpenClientOptions,
  failOpenClusterOptions,
  parseRedisStoreOptions,
  type RedisStoreOptions,
} from './options.js';
import type { RedisClient, RedisClusterFailOpenOptions, RedisFailOpenOptions } from './types.js';

/**
 * A `CacheStore` in Redis (ioredis), for caches shared by processes:
 * namespaces with O(1) clear, one script call per operation, writes guarded
 * against loads that raced an invalidation, tags, leases, and fail-open calls
 * bounded by `timeout`. `maxSize` does not apply to namespaces; `stats()`
 * reports zeros (see {@link RedisNamespace.redisStats}).
 * Design (keys, generations, write guard, tags, fail-open): docs/architecture.md,
 * "The Redis store".
 *
 * @example
 * ```ts
 * const store = new RedisStore({ url: 'redis://127.0.0.1:6379/0', prefix: 'shop', ttl: '10m' });
 * store.on('error', (error) => logger.warn(error.message));
 * const users = store.namespace('users', { ttl: '1m' });
 * await users.set(42, { name: 'Ada', since: new Date() });
 * (await users.get(42))?.value; // { name: 'Ada', since: Date }
 * await users.clear();          // O(1); other namespaces and prefixes untouched
 * await store.close();
 * ```
 */
export class RedisStore extends RedisNamespace {
  readonly #connection: RedisConnection;
  /** What the process-wide `invalidateTags()` reaches (held weakly there, so kept here). */
  readonly #tagTarget: TagTarget;

  constructor(options: RedisStoreOptions) {
    const context = createContext(options);
    super(context, context.tree.root);
    context.tree.plantRoot(this);
    const connection = context.connection;
    this.#connection = connection;
    // Too many invalidations failed during an outage to replay each: clear every namespace this
    // process knows, and drop the tag record (every tagged entry then reads as a miss).
    connection.everything = () => [
      ...[...context.tree.values()].map((namespace) => namespace.clearReplay()),
      {
        id: 'tags',
        op: 'invalidateTags',
        namespace: '',
        path: [],
        send: (client) => client.del(context.tagKey),
      },
    ];
    // A closed store holds nothing this process can reach: the global invalidateTags() skips it.
    this.#tagTarget = {
      invalidateTags: (tags) => (connection.closed ? Promise.resolve() : this.invalidateTags(tags)),
    };
    registerTagTarget(this.#tagTarget);
  }

  /**
   * The ioredis options the store uses for clients it creates: no offline
   * queue, connect and command timeouts bounded by `timeout` (connect:
   * 4 × timeout, at least 1 s; command: 2 × timeout, as the store's own timer
   * answers first), no retries of a failed command, and reconnection forever
   * (backing off up to 1 s).
   *
   * @param timeout - the store's `timeout`
   * @default timeout: 250 (milliseconds)
   * @example
   * ```ts
   * const client = new Redis('redis://127.0.0.1:6379', { ...RedisStore.clientOptions(), connectionName: 'api' });
   * ```
   */
  static clientOptions(timeout?: Duration): RedisFailOpenOptions {
    return failOpenClientOptions(timeout);
  }

  /**
   * Fail-open options for an ioredis `Cluster` to pass as `{ client }`, like
   * {@link RedisStore.clientOptions} for each node.
   *
   * @param timeout - the store's `timeout`
   * @default timeout: 250 (milliseconds)
   * @example
   * ```ts
   * const cluster = new Cluster([{ host: '10.0.0.1', port: 7000 }], RedisStore.clusterOptions());
   * const store = new RedisStore({ client: cluster, prefix: 'shop' });
   * ```
   */
  static clusterOptions(timeout?: Duration): RedisClusterFailOpenOptions {
    return failOpenClusterOptions(timeout);
  }

  /**
   * Closes a client the store created (`url` / `redis` options); a client
   * passed as `client` is left open. Later calls are skipped (misses, rejected
   * writes).
   */
  override close(): Promise<void> {
    return this.#connection.close();
  }
}

/** Validates `options`, opens (or adopts) the client and builds what the store's namespaces share. */
function createContext(options: RedisStoreOptions): StoreContext<RedisNamespace> {
  const where = 'new RedisStore()';
  const settings = parseRedisStoreOptions(options, where);
  const { client, url, redis, prefix, timeout, retryInterval } = settings;
  const label = `RedisStore(${JSON.stringify(prefix)})`;
  let connection: RedisConnection;
  if (client !== undefined) {
    connection = new RedisConnection(label, client, false, timeout, retryInterval);
  } else {
    const { Redis: RedisClass } = loadIoredis(where);
    const clientOptions = { ...failOpenClientOptions(timeout), ...redis };
    const created = url === undefined ? new RedisClass(clientOptions) : new RedisClass(url, clientOptions);
    connection = new RedisConnection(label, created as unknown as RedisClient, true, timeout, retryInterval);
  }
  const context: StoreContext<RedisNamespace> = {
    connection,
    prefix,
    serializer: settings.serializer,
    header: headerOf(settings.serializer.format),
    maxValueSize: settings.maxValueSize,
    tree: new NamespaceTree<RedisNamespace>({
      where: (parent, name) => `${namespaceWhere(prefix, parent)}.namespace(${JSON.stringify(name)})`,
      create: ({ node }) => new RedisNamespace(context, node),
      // The store's ttl is its root's: every namespace inherits it unless one is stated.
      root: { ttl: settings.ttl },
    }),
    tagKey: tagKeyOf(prefix),
    cluster: (connection.client as unknown as { isCluster?: unknown }).isCluster === true,
    tombstoneTtl: settings.tombstoneTtl,
    tagTtl: settings.tagTtl,
    tagged: false,
    repaired: 0,
  };
  return context;
}
