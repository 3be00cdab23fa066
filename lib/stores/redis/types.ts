/**
 * The shapes of ioredis values the public API accepts and returns, declared
 * structurally. memokit's published `.d.ts` files must compile without
 * ioredis installed (it is an optional peer: apps using only the memory store
 * do not install it), so they never import from 'ioredis'. An ioredis `Redis`
 * or `Cluster` client, and an ioredis `RedisOptions` object, fit these types.
 */
import type { ConnectionOptions } from 'node:tls';

/**
 * An ioredis client the store can use: a single-node `Redis` or a `Cluster`.
 * Declared as the part of their API memokit calls, so memokit's types do not
 * need ioredis; any ioredis `Redis` or `Cluster` instance fits.
 *
 * @example
 * ```ts
 * const client: RedisClient = new Redis('redis://127.0.0.1:6379', RedisStore.clientOptions());
 * ```
 */
export interface RedisClient {
  readonly status: string;
  evalsha(sha: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
  eval(script: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
  set(key: string, value: string): Promise<unknown>;
  mget(...keys: string[]): Promise<(string | null)[]>;
  del(...keys: string[]): Promise<number>;
  ping(): Promise<unknown>;
  quit(): Promise<unknown>;
  disconnect(): void;
  connect(): Promise<void>;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  off(event: string, listener: (...args: unknown[]) => void): unknown;
}

/**
 * The ioredis connection options memokit's types name. Any ioredis option may
 * be given (see ioredis' `RedisOptions`); these are the common ones, checked
 * by type. An ioredis `RedisOptions` value fits as it is.
 *
 * @example
 * ```ts
 * const redis: RedisConnectionFields = { host: '10.0.0.5', port: 6380, password: 'secret', connectionName: 'api' };
 * ```
 */
export interface RedisConnectionFields {
  /** @default 'localhost' */
  host?: string | undefined;
  /** @default 6379 */
  port?: number | undefined;
  /** A Unix socket path instead of host and port. @default undefined */
  path?: string | undefined;
  /** @default undefined (no ACL user) */
  username?: string | undefined;
  /** @default undefined (no password) */
  password?: string | undefined;
  /** @default 0 */
  db?: number | undefined;
  /** TLS options (`rediss://` URLs turn TLS on). @default undefined (no TLS) */
  tls?: ConnectionOptions | undefined;
  /** Shown by `CLIENT LIST`. @default undefined */
  connectionName?: string | undefined;
  /** @default 10000 (ms; memokit's fail-open defaults lower it, see RedisStore.clientOptions) */
  connectTimeout?: number | undefined;
  /** @default undefined (no command timeout; memokit's defaults set one) */
  commandTimeout?: number | undefined;
  /** @default true (memokit's defaults: false, calls miss instead of waiting) */
  enableOfflineQueue?: boolean | undefined;
  /** @default 20 (memokit's defaults: 0) */
  maxRetriesPerRequest?: number | null | undefined;
  /** Milliseconds before reconnect attempt `times`, or nothing to stop. @default ioredis' backoff */
  retryStrategy?: ((times: number) => number | void | null) | null | undefined;
  /** @default false */
  lazyConnect?: boolean | undefined;
  /** @default false */
  enableAutoPipelining?: boolean | undefined;
  /** @default 4 (IPv4); 6 for IPv6 */
  family?: number | undefined;
}

/**
 * ioredis options for a client memokit creates (`redis` in
 * {@link RedisStoreOptions}): the typed common fields, and any other ioredis
 * option. An ioredis `RedisOptions` value is accepted as it is.
 *
 * @example
 * ```ts
 * const redis: RedisConnectionOptions = { host: '10.0.0.5', tls: {}, keepAlive: 10_000 };
 * ```
 */
export type RedisConnectionOptions =
  RedisConnectionFields | (RedisConnectionFields & { readonly [option: string]: unknown });

/**
 * The fail-open ioredis options {@link RedisStore.clientOptions} returns; they
 * fit ioredis' `RedisOptions`.
 *
 * @example
 * ```ts
 * const client = new Redis('redis://127.0.0.1:6379', { ...RedisStore.clientOptions(100), connectionName: 'api' });
 * ```
 */
export interface RedisFailOpenOptions {
  enableOfflineQueue: boolean;
  connectTimeout: number;
  commandTimeout: number;
  maxRetriesPerRequest: number;
  autoResendUnfulfilledCommands: boolean;
  retryStrategy: (times: number) => number;
}

/**
 * The fail-open ioredis `Cluster` options {@link RedisStore.clusterOptions}
 * returns; they fit ioredis' `ClusterOptions`.
 *
 * @example
 * ```ts
 * const cluster = new Cluster([{ host: '10.0.0.1', port: 7000 }], RedisStore.clusterOptions());
 * ```
 */
export interface RedisClusterFailOpenOptions {
  enableOfflineQueue: boolean;
  clusterRetryStrategy: (times: number) => number;
  redisOptions: Omit<RedisFailOpenOptions, 'retryStrategy'>;
}
