/** The errors of the api layer: process-wide defaults set too late, a store name nothing resolves. */
import { MemokitError } from '../util/errors.js';

/**
 * `configureMemokit()` came too late: it was already called, or a cached
 * method already used the process default store. The defaults are set once,
 * at startup, so no method is left on a store the rest no longer use.
 *
 * @example
 * ```ts
 * try {
 *   configureMemokit({ defaultStore: new MemoryStore({ max: 50_000 }) });
 * } catch (error) {
 *   if (error instanceof DefaultsLockedError) logger.warn(error.message);
 * }
 * ```
 */
export class DefaultsLockedError extends MemokitError {
  /** The code of every `DefaultsLockedError`. */
  static readonly code = 'E_DEFAULTS_LOCKED';
  declare readonly code: typeof DefaultsLockedError.code;

  constructor(message: string) {
    super(DefaultsLockedError.code, message);
    this.name = 'DefaultsLockedError';
  }
}

/**
 * A store name that is not one of `CacheModule`'s stores: a cached method's
 * `store` option (thrown at bootstrap) or `CacheService.getStore(name)`; or a
 * store name used outside NestJS, where no `CacheModule` resolves names (the
 * call rejects with it).
 *
 * @example
 * ```ts
 * class Search {
 *   @AsyncLRU({ store: 'search' })
 *   async find(q: string): Promise<string[]> {
 *     return [q];
 *   }
 * }
 * // Outside NestJS nothing resolves the name "search":
 * await new Search().find('shoes').catch((error) => {
 *   if (error instanceof UnknownStoreError) console.error(error.store); // "search"
 * });
 * ```
 */
export class UnknownStoreError extends MemokitError {
  /** The code of every `UnknownStoreError`. */
  static readonly code = 'E_UNKNOWN_STORE';
  declare readonly code: typeof UnknownStoreError.code;
  /** The store name that was asked for. */
  readonly store: string;

  constructor(store: string, message: string) {
    super(UnknownStoreError.code, message);
    this.name = 'UnknownStoreError';
    this.store = store;
  }
}
