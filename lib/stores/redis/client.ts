/**
 * The ioredis side of memokit: the one lazy loader of ioredis (an optional
 * peer, loaded on first use by the Redis store and the bus, never at import),
 * the check that a value is a client, and client events fanned out to every
 * store sharing the client.
 */
import { createRequire } from 'node:module';
import type { Cluster, Redis, RedisOptions } from 'ioredis';
import { messages } from '../../util/messages.js';
import { MissingPeerError } from './errors.js';
import type { RedisClient } from './types.js';

/** The ioredis module's type (types only: nothing of ioredis is loaded by naming it). */
export type IoredisModule = typeof import('ioredis');

let ioredis: IoredisModule | undefined;

/**
 * ioredis, loaded on first use, so memokit works without it for the other
 * stores (it is an optional peer). Throws a {@link MissingPeerError}
 * (`E_MISSING_PEER`) naming `where` when it is not installed.
 *
 * @example
 * ```ts
 * const { Redis } = loadIoredis('new RedisStore()');
 * ```
 */
export function loadIoredis(where: string): IoredisModule {
  if (ioredis !== undefined) return ioredis;
  try {
    ioredis = createRequire(import.meta.url)('ioredis') as IoredisModule;
  } catch (error) {
    throw new MissingPeerError('ioredis', messages.IOREDIS_MISSING(where), { cause: error });
  }
  return ioredis;
}

/**
 * Whether `value` looks like an ioredis `Redis` or `Cluster` client.
 *
 * @example
 * ```ts
 * if (!isRedisClient(options.client)) throw new TypeError('not a client');
 * ```
 */
export const isRedisClient = (value: unknown): value is RedisClient =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as { evalsha?: unknown }).evalsha === 'function' &&
  typeof (value as { status?: unknown }).status === 'string';

/**
 * A new connection to the servers of `client` with its options, `overrides`
 * on top (a Cluster stays a Cluster, and `overrides` apply to its nodes too).
 * It connects at once, even if `client` was created with `lazyConnect`.
 *
 * @example
 * ```ts
 * const subscriber = duplicateClient(client, { enableOfflineQueue: true });
 * ```
 */
export function duplicateClient(client: Redis | Cluster, overrides?: RedisOptions): Redis | Cluster {
  let created: Redis | Cluster;
  if ((client as { isCluster?: unknown }).isCluster !== true) created = (client as Redis).duplicate(overrides);
  else if (overrides === undefined) created = (client as Cluster).duplicate();
  else {
    const redisOptions = { ...(client as Cluster).options.redisOptions, ...overrides };
    created = (client as Cluster).duplicate(undefined, { ...overrides, redisOptions });
  }
  if (created.status === 'wait') created.connect().catch(() => undefined);
  return created;
}

/**
 * Closes `client` politely (QUIT), or at once if that fails.
 *
 * @example
 * ```ts
 * await quitClient(subscriber);
 * ```
 */
export async function quitClient(client: Redis | Cluster): Promise<void> {
  try {
    await client.quit();
  } catch {
    client.disconnect();
  }
}

/**
 * Client events fanned out to every store using the client, so many stores on
 * one client add one listener per event (no MaxListenersExceededWarning).
 */
interface ClientWatchers {
  readonly ready: Set<() => void>;
  readonly close: Set<() => void>;
  readonly onReady: () => void;
  readonly onClose: () => void;
}
const watchers = new WeakMap<RedisClient, ClientWatchers>();

/**
 * Calls `onReady` / `onClose` on the client's `ready` / `close` events;
 * returns what stops that. One listener per event per client, whatever the
 * number of stores watching it.
 *
 * @example
 * ```ts
 * const unwatch = watchClient(client, () => recover(), () => markDown());
 * ```
 */
export function watchClient(client: RedisClient, onReady: () => void, onClose: () => void): () => void {
  let entry = watchers.get(client);
  if (entry === undefined) {
    const ready = new Set<() => void>();
    const close = new Set<() => void>();
    const created: ClientWatchers = {
      ready,
      close,
      onReady: () => {
        for (const listener of ready) listener();
      },
      onClose: () => {
        for (const listener of close) listener();
      },
    };
    client.on('ready', created.onReady);
    client.on('close', created.onClose);
    watchers.set(client, created);
    entry = created;
  }
  const current = entry;
  current.ready.add(onReady);
  current.close.add(onClose);
  return () => {
    current.ready.delete(onReady);
    current.close.delete(onClose);
    if (current.ready.size === 0) {
      client.off('ready', current.onReady);
      client.off('close', current.onClose);
      watchers.delete(client);
    }
  };
}
