/** The error the invalidation bus reports for a message it dropped. */
import { MemokitError, type MemokitErrorOptions } from '../../util/errors.js';

/**
 * A message on the invalidation bus was malformed, or applying it failed; it
 * was dropped (and counted). A `RedisBus` emits it as `'invalid'`; a
 * `TieredStore` reports it as an `'error'` event (operation `bus`) and drops
 * its memory tier, since the message may have been an invalidation. When
 * applying it threw, that error is the `cause`.
 *
 * @example
 * ```ts
 * bus.on('invalid', (error) => {
 *   if (error instanceof BusMessageError) logger.warn({ code: error.code }, error.message);
 * });
 * ```
 */
export class BusMessageError extends MemokitError {
  /** The code of every `BusMessageError`. */
  static readonly code = 'E_INVALID_BUS_MESSAGE';
  declare readonly code: typeof BusMessageError.code;

  constructor(message: string, options?: MemokitErrorOptions) {
    super(BusMessageError.code, message, options);
    this.name = 'BusMessageError';
  }
}
