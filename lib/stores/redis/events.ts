/** What a Redis store tells its listeners, and the figures of its connection. */
import type { RedisStoreError } from './errors.js';

/**
 * Figures of one {@link RedisStore} connection (shared by all its namespaces).
 *
 * @example
 * ```ts
 * const { available, errors, skipped } = store.redisStats();
 * ```
 */
export interface RedisStoreStats {
  /** Whether calls are currently sent to Redis. */
  readonly available: boolean;
  /**
   * Everything reported as an `'error'` event: timeouts + failures + corrupt +
   * unserializable + tooLarge + connection + repaired.
   */
  readonly errors: number;
  /** Calls that got no answer within `timeout`. */
  readonly timeouts: number;
  /** Calls Redis or ioredis rejected. */
  readonly failures: number;
  /** Connection errors reported by a client the store created. */
  readonly connectionErrors: number;
  /** Calls not sent because Redis was unavailable (reads missed, writes rejected at once). */
  readonly skipped: number;
  /** Entries that could not be decoded, or keys of another Redis type where an entry belongs (read as misses and deleted). */
  readonly corrupt: number;
  /** Writes rejected because the value could not be serialized. */
  readonly unserializable: number;
  /**
   * Entries larger than the `maxValueSize` option: writes rejected (nothing
   * was stored), and entries found by a read (not decoded; read as misses and
   * deleted).
   */
  readonly tooLarge: number;
  /**
   * Keys the store keeps beside entries (a namespace's generation key or
   * delete log, the tag record, a lease key) found holding something the
   * store never writes, and repaired.
   */
  readonly repaired: number;
}

/**
 * Events of a {@link RedisStore}.
 *
 * @example
 * ```ts
 * store.on('unavailable', (error) => logger.warn(`cache off: ${error.message}`));
 * store.on('available', () => logger.info('cache back'));
 * ```
 */
export interface RedisStoreEvents {
  /** A failure (see {@link RedisStoreError} codes). Only emitted when a listener is attached. */
  error: [error: RedisStoreError];
  /** Redis stopped answering; calls are skipped until it is back. */
  unavailable: [error: RedisStoreError];
  /** Redis answers again; calls are sent again. */
  available: [];
}

/** A listener of event `E` of {@link RedisStoreEvents}. */
export type RedisStoreListener<E extends keyof RedisStoreEvents> = (...args: RedisStoreEvents[E]) => void;
