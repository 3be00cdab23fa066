/**
 * The stable code of every error memokit throws or emits, to branch on
 * (`error.code === 'E_REDIS_TIMEOUT'`) rather than on message text, which may
 * change. Each class of the hierarchy narrows it to its own codes.
 *
 * - `E_NOT_A_PROMISE`: a decorated method returned something that is not a
 *   promise ({@link NotAPromiseError}).
 * - `E_UNSERIALIZABLE`: a value a store must serialize cannot be (a function, a
 *   circular structure, an instance of an unregistered class);
 *   `UnserializableValueError`, a `TypeError`.
 * - `E_VALUE_TOO_LARGE`: a value's stored form is over the store's
 *   `maxValueSize` (`ValueTooLargeError`).
 * - `E_CORRUPT_ENTRY`: stored text cannot be decoded; the entry reads as a miss
 *   (`CorruptEntryError`).
 * - `E_REDIS_UNAVAILABLE`, `E_REDIS_TIMEOUT`, `E_REDIS_COMMAND`,
 *   `E_REDIS_CONNECTION`, `E_BROKEN_KEY`: what went wrong talking to Redis
 *   (`RedisStoreError`, whose `code` says which).
 * - `E_MISSING_PEER`: the optional peer dependency `ioredis` is not installed
 *   (`MissingPeerError`).
 * - `E_INVALID_BUS_MESSAGE`: a message on the invalidation bus was malformed,
 *   or applying it failed; it was dropped (`BusMessageError`).
 * - `E_DEADLINE_EXCEEDED`: a call to a server did not settle within its
 *   deadline (`DeadlineExceededError`). Internal: the Redis store and the bus
 *   catch it (the server counts as not answering), so it never reaches users.
 * - `E_INVALID_MODULE_OPTIONS`: the NestJS `CacheModule` was given options it
 *   cannot use (not an object, an unknown option, a store it cannot create, a
 *   `defaultStore` that names no store, `forRootAsync` without exactly one
 *   source); a `TypeError` (`CacheModuleOptionsError`), thrown at bootstrap.
 * - `E_MODULE_CONFIGURED_TWICE`: `CacheModule` is configured more than once in
 *   one NestJS application, so cached methods cannot be bound to one set of
 *   stores (`CacheModuleConfiguredTwiceError`), thrown at bootstrap.
 * - `E_UNKNOWN_STORE`: a store name (a decorator's `store` option,
 *   `CacheService.getStore(name)`) is not one of `CacheModule`'s stores, or
 *   is used outside NestJS, where nothing resolves names (`UnknownStoreError`).
 * - `E_NOT_BOUND`: a `CacheService` call names a cached method no initialized
 *   provider or controller of that application has (`MethodNotBoundError`).
 * - `E_LOAD_TIMEOUT`: a cached method's load passed its `timeout.hard` and no
 *   expired value was allowed (`LoadTimeoutError`); the load goes on and is
 *   stored when it completes.
 * - `E_VARY`: a cached method's `vary` option threw or gave no context parts
 *   (a call outside any request context); the call rejects and the method
 *   does not run (`VaryError`).
 * - `E_DEFAULTS_LOCKED`: `configureMemokit()` was called again, or after a
 *   cached method used the process default store (`DefaultsLockedError`).
 *
 * Other mistakes in options are not in this list: they are plain `TypeError`s
 * thrown when the thing is configured, naming the option and what to change.
 *
 * @example
 * ```ts
 * const retryable: readonly MemokitErrorCode[] = ['E_REDIS_UNAVAILABLE', 'E_REDIS_TIMEOUT'];
 * ```
 */
export type MemokitErrorCode =
  | 'E_NOT_A_PROMISE'
  | 'E_UNSERIALIZABLE'
  | 'E_VALUE_TOO_LARGE'
  | 'E_CORRUPT_ENTRY'
  | 'E_REDIS_UNAVAILABLE'
  | 'E_REDIS_TIMEOUT'
  | 'E_REDIS_COMMAND'
  | 'E_REDIS_CONNECTION'
  | 'E_BROKEN_KEY'
  | 'E_MISSING_PEER'
  | 'E_INVALID_BUS_MESSAGE'
  | 'E_DEADLINE_EXCEEDED'
  | 'E_INVALID_MODULE_OPTIONS'
  | 'E_MODULE_CONFIGURED_TWICE'
  | 'E_UNKNOWN_STORE'
  | 'E_NOT_BOUND'
  | 'E_DEFAULTS_LOCKED'
  | 'E_LOAD_TIMEOUT'
  | 'E_VARY';

/**
 * The options of every memokit error: the underlying error, if any, as the
 * standard `cause`.
 *
 * @example
 * ```ts
 * const options: MemokitErrorOptions = { cause: new Error('ECONNRESET') };
 * ```
 */
export interface MemokitErrorOptions {
  /** The error that caused this one (an ioredis error, a serializer's error...). */
  readonly cause?: unknown;
}

/**
 * The root of memokit's errors. Each carries a stable {@link MemokitErrorCode}
 * so callers can branch on it, and the underlying error (if any) as `cause`.
 *
 * `error instanceof MemokitError` holds for every error of the hierarchy,
 * including the ones that are `TypeError`s for compatibility
 * ({@link MemokitTypeError}).
 *
 * @example
 * ```ts
 * try {
 *   await svc.getUser(42);
 * } catch (error) {
 *   if (error instanceof MemokitError && error.code === 'E_NOT_A_PROMISE') {
 *     // the decorated method returned a plain value
 *   }
 * }
 * ```
 */
export class MemokitError extends Error {
  /**
   * Also recognises {@link MemokitTypeError}s, which must stay `TypeError`s
   * (a class has one prototype chain), so one `instanceof MemokitError` check
   * covers the whole hierarchy. Subclasses keep the ordinary check.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return (
      Function.prototype[Symbol.hasInstance].call(this, value) ||
      (this === MemokitError && value instanceof MemokitTypeError)
    );
  }

  /** Stable, machine-readable code, e.g. `E_NOT_A_PROMISE`. */
  readonly code: MemokitErrorCode;

  constructor(code: MemokitErrorCode, message: string, options?: MemokitErrorOptions) {
    super(message, options);
    this.name = 'MemokitError';
    this.code = code;
  }
}

/**
 * A memokit error that is also a `TypeError`: a value of the wrong kind given
 * at run time, where memokit has documented a `TypeError` (as Node's own
 * `ERR_INVALID_ARG_TYPE` is a `TypeError` with a `code`). It has the same
 * `code` and `cause` as a {@link MemokitError}, and `instanceof MemokitError`
 * holds for it.
 *
 * @example
 * ```ts
 * if (error instanceof MemokitTypeError) console.warn(error.code); // "E_UNSERIALIZABLE"
 * ```
 */
export class MemokitTypeError extends TypeError {
  /** Stable, machine-readable code, e.g. `E_UNSERIALIZABLE`. */
  readonly code: MemokitErrorCode;

  constructor(code: MemokitErrorCode, message: string, options?: MemokitErrorOptions) {
    super(message, options);
    this.name = 'MemokitTypeError';
    this.code = code;
  }
}

/**
 * A decorated method returned something that is not a promise. memokit caches
 * async results only; make the method `async` or return a promise.
 *
 * @example
 * ```ts
 * if (error instanceof NotAPromiseError) console.error(error.method); // "UserService.getUser"
 * ```
 */
export class NotAPromiseError extends MemokitError {
  /** The code of every `NotAPromiseError`. */
  static readonly code = 'E_NOT_A_PROMISE';
  declare readonly code: typeof NotAPromiseError.code;
  /** `Class.method` of the offending method. */
  readonly method: string;

  constructor(method: string, message: string) {
    super(NotAPromiseError.code, message);
    this.name = 'NotAPromiseError';
    this.method = method;
  }
}

/**
 * A cached method's load took longer than its `timeout.hard`, and no expired
 * value was allowed to stand in (fail-safe or stale-while-revalidate window).
 * The load goes on; its value is stored when it completes, unless an
 * invalidation overtook it.
 *
 * @example
 * ```ts
 * if (error instanceof LoadTimeoutError) console.error(error.method, error.timeoutMs); // "ReportService.build" 2000
 * ```
 */
export class LoadTimeoutError extends MemokitError {
  /** The code of every `LoadTimeoutError`. */
  static readonly code = 'E_LOAD_TIMEOUT';
  declare readonly code: typeof LoadTimeoutError.code;
  /** `Class.method` of the method whose load timed out. */
  readonly method: string;
  /** The `timeout.hard` it passed, in milliseconds. */
  readonly timeoutMs: number;

  constructor(method: string, timeoutMs: number, message: string) {
    super(LoadTimeoutError.code, message);
    this.name = 'LoadTimeoutError';
    this.method = method;
    this.timeoutMs = timeoutMs;
  }
}

/**
 * A call of a method whose `vary` option threw, or gave no parts a key can
 * hold: outside any request context, its entry could only be shared by every
 * context, so the call rejects and the method does not run.
 *
 * @example
 * ```ts
 * if (error instanceof VaryError) console.error(error.method); // "SettingsService.get"
 * ```
 */
export class VaryError extends MemokitError {
  /** The code of every `VaryError`. */
  static readonly code = 'E_VARY';
  declare readonly code: typeof VaryError.code;
  /** `Class.method` of the method whose `vary` failed. */
  readonly method: string;

  constructor(method: string, message: string, options?: MemokitErrorOptions) {
    super(VaryError.code, message, options);
    this.name = 'VaryError';
    this.method = method;
  }
}
