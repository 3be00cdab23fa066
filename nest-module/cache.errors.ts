/**
 * The errors of the NestJS module: part of memokit's one hierarchy
 * (`instanceof MemokitError` holds for each), each with a static `code`.
 * Their messages are in `cache.messages.ts`.
 */
import { MemokitError, MemokitTypeError, type MemokitErrorOptions } from '../lib/index.js';

/** Also thrown by memokit itself (a store name used outside NestJS), so it lives there. */
export { UnknownStoreError } from '../lib/index.js';

/**
 * `CacheModule` was given options it cannot use: not an object, an unknown
 * option, a store it cannot create (that error is the `cause`), a
 * `defaultStore` naming no store, or `forRootAsync` without exactly one of
 * `useFactory`, `useClass`, `useExisting`. A `TypeError`, thrown at bootstrap.
 *
 * @example
 * ```ts
 * await Test.createTestingModule({ imports: [CacheModule.forRoot({ store: 'memory://' } as never)] })
 *   .compile()
 *   .catch((error) => error instanceof CacheModuleOptionsError); // true: the option is "stores"
 * ```
 */
export class CacheModuleOptionsError extends MemokitTypeError {
  /** The code of every `CacheModuleOptionsError`. */
  static readonly code = 'E_INVALID_MODULE_OPTIONS';
  declare readonly code: typeof CacheModuleOptionsError.code;

  constructor(message: string, options?: MemokitErrorOptions) {
    super(CacheModuleOptionsError.code, message, options);
    this.name = 'CacheModuleOptionsError';
  }
}

/**
 * `CacheModule` is configured more than once (`forRoot`/`forRootAsync`) in one
 * application, so its cached methods cannot be bound to one set of stores.
 * Thrown at bootstrap, after the stores the module created are closed.
 *
 * @example
 * ```ts
 * await app.init().catch((error) => {
 *   if (error instanceof CacheModuleConfiguredTwiceError) console.error(error.count); // 2
 * });
 * ```
 */
export class CacheModuleConfiguredTwiceError extends MemokitError {
  /** The code of every `CacheModuleConfiguredTwiceError`. */
  static readonly code = 'E_MODULE_CONFIGURED_TWICE';
  declare readonly code: typeof CacheModuleConfiguredTwiceError.code;
  /** How many times `CacheModule` is configured in the application. */
  readonly count: number;

  constructor(count: number, message: string) {
    super(CacheModuleConfiguredTwiceError.code, message);
    this.name = 'CacheModuleConfiguredTwiceError';
    this.count = count;
  }
}

/**
 * A `CacheService` call names a cached method that is not bound in this
 * application: no initialized provider or controller of it has the method.
 *
 * @example
 * ```ts
 * try {
 *   cacheService.cacheStats(OtherAppService.prototype.find);
 * } catch (error) {
 *   if (error instanceof MethodNotBoundError) console.error(error.method); // "OtherAppService.find"
 * }
 * ```
 */
export class MethodNotBoundError extends MemokitError {
  /** The code of every `MethodNotBoundError`. */
  static readonly code = 'E_NOT_BOUND';
  declare readonly code: typeof MethodNotBoundError.code;
  /** `Class.method` of the cached method. */
  readonly method: string;

  constructor(method: string, message: string) {
    super(MethodNotBoundError.code, message);
    this.name = 'MethodNotBoundError';
    this.method = method;
  }
}
