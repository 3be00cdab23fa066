/** The errors of the api layer's process-wide state. */
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
