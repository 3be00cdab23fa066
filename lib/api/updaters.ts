import type { CachedFunction } from './control.js';
import { createInvalidator } from './invalidators.js';

/**
 * A method an updater accepts: parameters `P`, and a promise of `R` (what
 * the updater stores, or what its `value` maps).
 */
type UpdatingMethod<P extends unknown[], R, This> = {
  method(this: This, ...args: P): Promise<R>;
}['method'];

/**
 * The decorator an updater factory returns: legacy (NestJS) and TC39
 * standard forms, for methods whose parameters match `P` and that resolve
 * with `R`.
 *
 * @example
 * ```ts
 * const deco: UpdaterDecorator<[number, ...unknown[]], User, unknown> = LRUUpdater(() => Users.prototype.get);
 * ```
 */
export interface UpdaterDecorator<P extends unknown[], R, This> {
  /** TC39 standard decorator form. */
  <T extends UpdatingMethod<P, R, This>>(value: T, context: ClassMethodDecoratorContext<This, T>): T;
  /** Legacy (`experimentalDecorators`) form, used by NestJS. */
  <T extends UpdatingMethod<P, R, This>>(
    target: object,
    propertyKey: string | symbol,
    descriptor: TypedPropertyDescriptor<T>,
  ): TypedPropertyDescriptor<T>;
}

/**
 * Options of {@link LRUUpdater} and {@link TTLUpdater}.
 *
 * @example
 * ```ts
 * @LRUUpdater(() => Users.prototype.get, { keyFn: ([user]: [User]) => [user.id] })
 * async save(user: User): Promise<User> { ... }
 * ```
 */
export interface UpdaterOptions<F extends CachedFunction, A extends unknown[], R, This> {
  /**
   * Maps the mutation's arguments to the target's arguments, as the
   * invalidators' `keyFn` does.
   *
   * @default the mutation's leading arguments, as many as the target declares
   */
  keyFn?: (args: A, self: This | undefined) => [...Parameters<F>];
  /**
   * What to store, from the mutation's result and arguments; it must fit the
   * target's return type. A `value` that throws stores nothing (the key is
   * evicted, the error reported as an `error` event); the mutation's result
   * is still returned.
   *
   * @default the mutation's result (which must then fit the target's return type)
   */
  value?: (result: R, args: A) => Awaited<ReturnType<F>>;
}

/**
 * The signature of {@link LRUUpdater} and {@link TTLUpdater}: the target is
 * the cached method or a thunk returning it, as for the invalidators.
 *
 * @example
 * ```ts
 * const update: UpdaterFactory = LRUUpdater;
 * ```
 */
export interface UpdaterFactory {
  // As for the invalidators: the keyFn overloads come first, so that keyFn's array literal gets the target's tuple type.
  /** Stores `value(result, args)` as the entry `keyFn` derives (thunk form). */
  <F extends CachedFunction, A extends unknown[], R, This = unknown>(
    target: () => F,
    options: {
      keyFn: (args: A, self: This | undefined) => [...Parameters<F>];
      value: (result: R, args: A) => Awaited<ReturnType<F>>;
    },
  ): UpdaterDecorator<[...A, ...unknown[]], R, This>;
  /** Stores `value(result, args)` as the entry `keyFn` derives. */
  <F extends CachedFunction, A extends unknown[], R, This = unknown>(
    target: F,
    options: {
      keyFn: (args: A, self: This | undefined) => [...Parameters<F>];
      value: (result: R, args: A) => Awaited<ReturnType<F>>;
    },
  ): UpdaterDecorator<[...A, ...unknown[]], R, This>;
  /** Stores the mutation's result as the entry `keyFn` derives (thunk form). */
  <F extends CachedFunction, A extends unknown[], This = unknown>(
    target: () => F,
    options: { keyFn: (args: A, self: This | undefined) => [...Parameters<F>] },
  ): UpdaterDecorator<[...A, ...unknown[]], Awaited<ReturnType<F>>, This>;
  /** Stores the mutation's result as the entry `keyFn` derives. */
  <F extends CachedFunction, A extends unknown[], This = unknown>(
    target: F,
    options: { keyFn: (args: A, self: This | undefined) => [...Parameters<F>] },
  ): UpdaterDecorator<[...A, ...unknown[]], Awaited<ReturnType<F>>, This>;
  /** Stores `value(result, args)` as the entry for the mutation's leading arguments (thunk form). */
  <F extends CachedFunction, R>(
    target: () => F,
    options: { value: (result: R, args: [...Parameters<F>, ...unknown[]]) => Awaited<ReturnType<F>> },
  ): UpdaterDecorator<[...Parameters<F>, ...unknown[]], R, unknown>;
  /** Stores `value(result, args)` as the entry for the mutation's leading arguments. */
  <F extends CachedFunction, R>(
    target: F,
    options: { value: (result: R, args: [...Parameters<F>, ...unknown[]]) => Awaited<ReturnType<F>> },
  ): UpdaterDecorator<[...Parameters<F>, ...unknown[]], R, unknown>;
  /** Stores the mutation's result as the entry for its leading arguments (thunk form). */
  <F extends CachedFunction>(
    target: () => F,
  ): UpdaterDecorator<[...Parameters<F>, ...unknown[]], Awaited<ReturnType<F>>, unknown>;
  /** Stores the mutation's result as the entry for its leading arguments. */
  <F extends CachedFunction>(
    target: F,
  ): UpdaterDecorator<[...Parameters<F>, ...unknown[]], Awaited<ReturnType<F>>, unknown>;
}

/**
 * Write-through for an `@AsyncLRU` method (Spring's `@CachePut`): the
 * mutation's result (or `value(result, args)`) becomes the target's entry
 * for the key derived as the invalidators derive it, instead of only being
 * evicted. The same guarantees as {@link LRUInvalidator}: the entry is
 * evicted before the mutation runs; loads in flight, or started while it
 * runs, never overwrite the new entry; a mutation that throws stores
 * nothing. Across processes the write goes through the store (Redis, and
 * the tiered store's bus drops the peers' copies). The stored value must fit
 * the target's return type: a compile error otherwise.
 *
 * @param target - the cached method, or a thunk returning it
 * @param options - `keyFn` to map arguments, `value` to map the result
 * @example
 * ```ts
 * class UserService {
 *   @AsyncLRU()
 *   async getUser(id: number): Promise<User> { ... }
 *
 *   @LRUUpdater(() => UserService.prototype.getUser)
 *   async updateUser(id: number, data: Partial<User>): Promise<User> { ... }
 * }
 * ```
 */
export const LRUUpdater: UpdaterFactory = (target: unknown, options?: unknown) =>
  createInvalidator('lru', target, options, true) as never;

/**
 * Write-through for an `@AsyncTTL` method; the same guarantees as
 * {@link LRUUpdater}. The entry gets the target's TTL (from its `ttl`
 * function too, and with its `jitter`).
 *
 * @param target - the cached method, or a thunk returning it
 * @param options - `keyFn` to map arguments, `value` to map the result
 * @example
 * ```ts
 * class Sessions {
 *   @AsyncTTL({ ttl: '30m' })
 *   async getSession(id: string): Promise<Session | null> { ... }
 *
 *   @TTLUpdater(() => Sessions.prototype.getSession, { value: (session: Session) => session })
 *   async touch(id: string): Promise<Session> { ... }
 * }
 * ```
 */
export const TTLUpdater: UpdaterFactory = (target: unknown, options?: unknown) =>
  createInvalidator('ttl', target, options, true) as never;
