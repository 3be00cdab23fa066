/**
 * Error classes thrown by memokit. Each carries a stable `code` so callers can
 * branch on it, and the underlying error (if any) as `cause`.
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
  /** Stable, machine-readable code, e.g. `E_NOT_A_PROMISE`. */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MemokitError';
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
  /** `Class.method` of the offending method. */
  readonly method: string;

  constructor(method: string, message: string) {
    super('E_NOT_A_PROMISE', message);
    this.name = 'NotAPromiseError';
    this.method = method;
  }
}
