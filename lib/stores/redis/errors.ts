/** The errors a Redis store reports and rejects with, and the one its ioredis loader throws. */
import { MemokitError, type MemokitErrorCode, type MemokitErrorOptions } from '../../util/errors.js';

/**
 * Codes of {@link RedisStoreError}.
 *
 * @example
 * ```ts
 * const code: RedisStoreErrorCode = 'E_REDIS_TIMEOUT';
 * ```
 */
export type RedisStoreErrorCode = Extract<
  MemokitErrorCode,
  | 'E_REDIS_UNAVAILABLE'
  | 'E_REDIS_TIMEOUT'
  | 'E_REDIS_COMMAND'
  | 'E_REDIS_CONNECTION'
  | 'E_CORRUPT_ENTRY'
  | 'E_UNSERIALIZABLE'
  | 'E_VALUE_TOO_LARGE'
  | 'E_BROKEN_KEY'
>;

/**
 * What went wrong talking to Redis, or with an entry. Emitted as the store's
 * `'error'` event; writes that did not happen reject with it.
 *
 * - `E_REDIS_UNAVAILABLE`: the call was skipped (not connected, or Redis
 *   stopped answering); only writes reject with it, it is never emitted.
 * - `E_REDIS_TIMEOUT`: no answer within the `timeout` option.
 * - `E_REDIS_COMMAND`: Redis or ioredis rejected the call (`cause` says why).
 * - `E_REDIS_CONNECTION`: the store's own client reported a connection error.
 * - `E_CORRUPT_ENTRY`: a stored entry could not be decoded, or its key held
 *   another Redis type than a string; it was read as a miss and deleted.
 * - `E_UNSERIALIZABLE`: a value could not be serialized; the write rejected
 *   with an {@link UnserializableValueError} (the `cause`).
 * - `E_VALUE_TOO_LARGE`: a value's entry is larger than the `maxValueSize`
 *   option; the write stored nothing and rejected with a
 *   {@link ValueTooLargeError} (the `cause`); or an entry read from Redis is
 *   larger than that: it was not decoded, was read as a miss and deleted.
 * - `E_BROKEN_KEY`: a key the store keeps beside entries (a namespace's
 *   generation key or delete log, the tag record, a lease key) held something
 *   the store never writes; it was repaired (the message says what that cost).
 *
 * @example
 * ```ts
 * store.on('error', (error) => logger.warn({ code: error.code, op: error.operation }, error.message));
 * ```
 */
export class RedisStoreError extends MemokitError {
  declare readonly code: RedisStoreErrorCode;
  /** The store operation, e.g. `get`, `set`, `clear`. */
  readonly operation: string;
  /** The namespace it ran in (`''` for the store's root). */
  readonly namespace: string;

  constructor(
    code: RedisStoreErrorCode,
    message: string,
    operation: string,
    namespace: string,
    options?: MemokitErrorOptions,
  ) {
    super(code, message, options);
    this.name = 'RedisStoreError';
    this.operation = operation;
    this.namespace = namespace;
  }
}

/**
 * An optional peer dependency memokit needs for what was asked is not
 * installed: `ioredis`, for a Redis or tiered store or the invalidation bus.
 * Thrown when the thing that needs it is created; the loader's error is the
 * `cause`.
 *
 * @example
 * ```ts
 * try {
 *   new RedisStore({ url: 'redis://127.0.0.1:6379' });
 * } catch (error) {
 *   if (error instanceof MissingPeerError) console.error(`npm install ${error.peer}`);
 * }
 * ```
 */
export class MissingPeerError extends MemokitError {
  /** The code of every `MissingPeerError`. */
  static readonly code = 'E_MISSING_PEER';
  declare readonly code: typeof MissingPeerError.code;
  /** The package to install, e.g. `ioredis`. */
  readonly peer: string;

  constructor(peer: string, message: string, options?: MemokitErrorOptions) {
    super(MissingPeerError.code, message, options);
    this.name = 'MissingPeerError';
    this.peer = peer;
  }
}
