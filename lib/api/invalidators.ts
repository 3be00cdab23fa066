import type { CachedFunction } from './control.js';
import { createDualDecorator, type DecoratedMember } from './decorate.js';
import type { MethodCache } from '../engine/index.js';
import { channels } from '../util/diagnostics.js';
import { cacheEvents } from '../util/events.js';
import { messages } from '../util/messages.js';
import { assertKnownOptions, booleanOption, functionOption } from '../util/options.js';
import type { MethodDefinition } from './method-definition.js';
import { CACHE_DECORATOR, type CacheKind } from './method-settings.js';
import { registry } from './registry.js';
import { activeTransaction, type CacheTransaction } from './transactions.js';
import type { StoreKey } from '../keys/keys.js';
import { assertTags, invalidateTags } from '../stores/tags.js';

/**
 * A method a decorator accepts when its parameters are `P`. Declared with
 * method syntax so parameter checks are bivariant: a mutation whose leading
 * parameters match the target's is accepted whatever follows them.
 */
type MutationMethod<P extends unknown[], This> = {
  method(this: This, ...args: P): Promise<unknown>;
}['method'];

/**
 * The decorator an invalidator factory returns: legacy (NestJS) and TC39
 * standard forms, for methods whose parameters match `P`.
 *
 * @example
 * ```ts
 * const deco: InvalidatorDecorator<[number, ...unknown[]], unknown> = LRUInvalidator(() => Svc.prototype.get);
 * ```
 */
export interface InvalidatorDecorator<P extends unknown[], This> {
  /** TC39 standard decorator form. */
  <T extends MutationMethod<P, This>>(value: T, context: ClassMethodDecoratorContext<This, T>): T;
  /** Legacy (`experimentalDecorators`) form, used by NestJS. */
  <T extends MutationMethod<P, This>>(
    target: object,
    propertyKey: string | symbol,
    descriptor: TypedPropertyDescriptor<T>,
  ): TypedPropertyDescriptor<T>;
}

/**
 * Options of {@link LRUInvalidator} and {@link TTLInvalidator} that map the
 * mutation's arguments to the target's. There is no `skipArgs`: use `keyFn`.
 *
 * @example
 * ```ts
 * @LRUInvalidator(() => Items.prototype.getItem, { keyFn: ([id]: [number, string, number]) => [id] })
 * async updateItem(id: number, name: string, price: number) { ... }
 * ```
 */
export interface InvalidatorKeyOptions<F extends CachedFunction, A extends unknown[], This> {
  /**
   * Maps the mutation's arguments to the target's arguments (typed by the
   * target's parameters). `self` is the mutation's instance. `args` may be
   * typed by the leading parameters it reads only (`(args: [string, number])`
   * on a mutation `(tenant: string, id: number, name: string)`).
   *
   * @default the mutation's leading arguments, as many as the target declares
   */
  keyFn: (args: A, self: This | undefined) => [...Parameters<F>];
  /**
   * Must be omitted or `false` together with `keyFn`.
   *
   * @default false
   */
  clearAll?: false;
}

/**
 * Option of an invalidator that clears every entry of its target.
 *
 * @example
 * ```ts
 * @LRUInvalidator(() => Users.prototype.getUser, { clearAll: true })
 * async rebuildIndex() { ... }
 * ```
 */
export interface InvalidatorClearAllOptions {
  /**
   * `true`: the mutation clears every entry of the target.
   *
   * @default false
   */
  clearAll: true;
}

const KNOWN = ['keyFn', 'clearAll'] as const;
const KNOWN_FOR_UPDATERS = ['keyFn', 'value'] as const;
const NAME: Readonly<Record<CacheKind, string>> = { lru: 'LRUInvalidator', ttl: 'TTLInvalidator' };
const UPDATER_NAME: Readonly<Record<CacheKind, string>> = { lru: 'LRUUpdater', ttl: 'TTLUpdater' };

interface InvalidatorSettings {
  readonly keyFn: ((args: unknown[], self: unknown) => unknown) | undefined;
  readonly clearAll: boolean;
  /** Write-through (an updater): store the mutation's result, or what this makes of it, instead of evicting. */
  readonly update: false | { readonly value: ((result: unknown, args: unknown[]) => unknown) | undefined };
}

function settingsFor(decorator: string, where: string, options: unknown, update: boolean): InvalidatorSettings {
  const at = `@${decorator} on ${where}`;
  if (options === undefined) return { keyFn: undefined, clearAll: false, update: update && { value: undefined } };
  if (typeof options === 'object' && options !== null && 'skipArgs' in options) {
    throw new TypeError(messages.INVALIDATOR_SKIP_ARGS(at));
  }
  assertKnownOptions(at, options, update ? KNOWN_FOR_UPDATERS : KNOWN);
  const raw = options as Record<string, unknown>;
  const keyFn = functionOption<NonNullable<InvalidatorSettings['keyFn']>, undefined>(at, 'keyFn', raw.keyFn, undefined);
  if (update) {
    const value = functionOption<(result: unknown, args: unknown[]) => unknown, undefined>(
      at,
      'value',
      raw.value,
      undefined,
    );
    return { keyFn, clearAll: false, update: { value } };
  }
  const clearAll = booleanOption(at, 'clearAll', raw.clearAll, false);
  if (clearAll && keyFn !== undefined) throw new TypeError(messages.CLEAR_ALL_WITH_KEY_FN(at));
  return { keyFn, clearAll, update: false };
}

/**
 * One invalidator: the mutation it wraps, the cached method it evicts, and
 * how the mutation's arguments become the target's key.
 *
 * @internal
 */
class Invalidator {
  #target: MethodDefinition | undefined;

  constructor(
    readonly kind: CacheKind,
    readonly member: DecoratedMember,
    readonly targetRef: Function,
    readonly settings: InvalidatorSettings,
  ) {}

  get decorator(): string {
    return (this.settings.update === false ? NAME : UPDATER_NAME)[this.kind];
  }

  /** Resolves the target on first use; its kind must match the invalidator's. */
  target(): MethodDefinition {
    if (this.#target !== undefined) return this.#target;
    const where = `@${this.decorator} on ${this.member.where}`;
    let definition = registry.of(this.targetRef);
    if (definition === undefined) {
      const resolved: unknown = this.targetRef.length === 0 ? this.targetRef() : undefined;
      definition = registry.of(resolved);
      if (definition === undefined)
        throw new TypeError(messages.INVALIDATOR_BAD_TARGET(where, resolved ?? this.targetRef));
    }
    if (definition.settings.kind !== this.kind) {
      const other = definition.settings.kind;
      throw new TypeError(
        messages.INVALIDATOR_KIND_MISMATCH(
          where,
          definition.where,
          CACHE_DECORATOR[other],
          (this.settings.update === false ? NAME : UPDATER_NAME)[other],
        ),
      );
    }
    if (!this.settings.clearAll && this.settings.keyFn === undefined && undercountsParameters(definition.original)) {
      throw new TypeError(messages.INVALIDATOR_NEEDS_KEY_FN(where, definition.where));
    }
    this.#target = definition;
    return definition;
  }

  /** Evicts before the mutation, keeps loads out while it runs, evicts again once it settles. */
  async run(self: unknown, args: unknown[]): Promise<unknown> {
    const target = this.target();
    const engines = target.engines.enginesForInvalidation();
    const targetSelf = target.owner !== undefined && self instanceof target.owner ? self : undefined;
    const transaction = activeTransaction();
    if (this.settings.clearAll) {
      await Promise.all(engines.map((e) => e.beginClearAll()));
      const end = (): Promise<unknown> => Promise.all(engines.map((e) => e.endClearAll()));
      if (transaction !== undefined) {
        // The window stays open, and the second clear waits, until the transaction settles.
        transaction.defer(end, end);
        return this.member.original.apply(self, args);
      }
      try {
        return await this.member.original.apply(self, args);
      } finally {
        await end();
      }
    }
    const targetArgs = this.targetArgs(target, self, args);
    const key = target.keyOf(targetSelf, targetArgs);
    await Promise.all(engines.map((e: MethodCache) => e.beginMutation(key)));
    if (this.settings.update !== false) return this.#update(engines, key, targetArgs, self, args, transaction);
    const end = (): Promise<unknown> => Promise.all(engines.map((e) => e.endMutation(key)));
    if (transaction !== undefined) {
      transaction.defer(end, end);
      return this.member.original.apply(self, args);
    }
    try {
      return await this.member.original.apply(self, args);
    } finally {
      await end();
    }
  }

  /**
   * Write-through: runs the mutation inside the window `run` opened, then
   * stores its result (or what `value` makes of it) as the target's entry. A
   * mutation that throws stores nothing (its key is evicted again); a
   * `value` that throws is reported and the key evicted, and the mutation's
   * result still returned.
   */
  async #update(
    engines: MethodCache[],
    key: StoreKey,
    targetArgs: unknown[],
    self: unknown,
    args: unknown[],
    transaction: CacheTransaction | undefined,
  ): Promise<unknown> {
    const end = (): Promise<unknown> => Promise.all(engines.map((e) => e.endMutation(key)));
    const update = this.settings.update as {
      readonly value: ((result: unknown, args: unknown[]) => unknown) | undefined;
    };
    let result: unknown;
    try {
      result = await this.member.original.apply(self, args);
    } catch (error) {
      if (transaction !== undefined) transaction.defer(end, end);
      else await end();
      throw error;
    }
    let value = result;
    try {
      if (update.value !== undefined) value = update.value(result, args);
    } catch (error) {
      if (cacheEvents.active) cacheEvents.emit('error', { source: this.member.where, operation: 'set', key, error });
      if (channels.storeError.hasSubscribers)
        channels.storeError.publish({ source: this.member.where, operation: 'set', key, error });
      if (transaction !== undefined) transaction.defer(end, end);
      else await end();
      return result;
    }
    const store = (): Promise<unknown> => Promise.all(engines.map((e) => e.endMutationWith(key, value, targetArgs)));
    // In a transaction the value is stored once it committed; a rollback stores nothing and evicts again.
    if (transaction !== undefined) transaction.defer(store, end);
    else await store();
    return result;
  }

  targetArgs(target: MethodDefinition, self: unknown, args: unknown[]): unknown[] {
    const keyFn = this.settings.keyFn;
    if (keyFn === undefined) return args.slice(0, target.original.length);
    const mapped = keyFn(args, self);
    if (!Array.isArray(mapped)) {
      throw new TypeError(messages.INVALIDATOR_KEY_FN_RESULT(`@${this.decorator} on ${this.member.where}`, mapped));
    }
    return mapped;
  }
}

/**
 * Whether `fn.length` is 0 although `fn` declares parameters (the first has a
 * default value or is a rest parameter): the mutation's leading arguments
 * cannot then be matched to the target's without a keyFn.
 */
function undercountsParameters(fn: Function): boolean {
  if (fn.length > 0) return false;
  const source = Function.prototype.toString.call(fn);
  const open = source.indexOf('(');
  if (open < 0) return false;
  let depth = 0;
  for (let i = open; i < source.length; i++) {
    const c = source[i];
    if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return source.slice(open + 1, i).trim() !== '';
  }
  return false;
}

/**
 * The decorator of an invalidator (`update`: an updater) of a `kind` method.
 *
 * @internal
 */
export function createInvalidator(kind: CacheKind, targetRef: unknown, options: unknown, update = false): Function {
  const decorator = (update ? UPDATER_NAME : NAME)[kind];
  if (typeof targetRef !== 'function') {
    throw new TypeError(messages.INVALIDATOR_BAD_TARGET(`@${decorator}()`, targetRef));
  }
  return createDualDecorator(decorator, (member) => {
    const invalidator = new Invalidator(kind, member, targetRef, settingsFor(decorator, member.where, options, update));
    return function invalidating(this: unknown, ...args: unknown[]): Promise<unknown> {
      try {
        return invalidator.run(this, args);
      } catch (error) {
        return Promise.reject(error);
      }
    };
  });
}

/**
 * The signature of {@link LRUInvalidator} and {@link TTLInvalidator}. The
 * target is the cached method itself (`UserService.prototype.getUser`) or,
 * when the class is not defined yet at decoration time (same class with
 * standard decorators, circular imports), a thunk returning it. Either way a
 * rename of the target is a compile error.
 *
 * @example
 * ```ts
 * const invalidate: InvalidatorFactory = LRUInvalidator;
 * ```
 */
export interface InvalidatorFactory {
  // keyFn overloads come first: TypeScript fixes an annotated arrow's type at the first
  // overload it tries, and only these give keyFn's array literal the target's tuple type.
  // The decorator accepts mutations whose leading parameters are keyFn's `args` (more may follow).
  /** Evicts the entry whose arguments `keyFn` derives from the mutation's (thunk form). */
  <F extends CachedFunction, A extends unknown[], This = unknown>(
    target: () => F,
    options: InvalidatorKeyOptions<F, A, This>,
  ): InvalidatorDecorator<[...A, ...unknown[]], This>;
  /** Evicts the entry whose arguments `keyFn` derives from the mutation's. */
  <F extends CachedFunction, A extends unknown[], This = unknown>(
    target: F,
    options: InvalidatorKeyOptions<F, A, This>,
  ): InvalidatorDecorator<[...A, ...unknown[]], This>;
  /** Clears every entry of the target (thunk form). */
  <F extends CachedFunction>(
    target: () => F,
    options: InvalidatorClearAllOptions,
  ): InvalidatorDecorator<never[], unknown>;
  /** Clears every entry of the target. */
  <F extends CachedFunction>(target: F, options: InvalidatorClearAllOptions): InvalidatorDecorator<never[], unknown>;
  /** Evicts the entry for the mutation's leading arguments (thunk form). */
  <F extends CachedFunction>(
    target: () => F,
    options?: { clearAll?: false },
  ): InvalidatorDecorator<[...Parameters<F>, ...unknown[]], unknown>;
  /** Evicts the entry for the mutation's leading arguments. */
  <F extends CachedFunction>(
    target: F,
    options?: { clearAll?: false },
  ): InvalidatorDecorator<[...Parameters<F>, ...unknown[]], unknown>;
}

/**
 * Marks a mutation method that changes what an `@AsyncLRU` method returns.
 * The target's entry is evicted before the mutation runs (so a failed
 * mutation leaves nothing stale) and again once it settles; loads of that key
 * that were in flight, or that start while the mutation runs, return their
 * value to their callers but do not store it. The mutation's result or error
 * passes through unchanged.
 *
 * Without `keyFn`, the mutation's leading arguments (as many as the target
 * declares) are the target's arguments. There is no `skipArgs`: use `keyFn`.
 *
 * @param target - the cached method, or a thunk returning it
 * @param options - `keyFn` to map arguments, or `clearAll: true`
 * @example
 * ```ts
 * class UserService {
 *   @AsyncLRU()
 *   async getUser(id: number): Promise<User> { ... }
 *
 *   @LRUInvalidator(() => UserService.prototype.getUser)
 *   async updateUser(id: number, data: Partial<User>): Promise<void> { ... }
 * }
 * ```
 */
export const LRUInvalidator: InvalidatorFactory = (target: unknown, options?: unknown) =>
  createInvalidator('lru', target, options) as never;

/**
 * Marks a mutation method that changes what an `@AsyncTTL` method returns;
 * the same guarantees as {@link LRUInvalidator}.
 *
 * @param target - the cached method, or a thunk returning it
 * @param options - `keyFn` to map arguments, or `clearAll: true`
 * @example
 * ```ts
 * class Sessions {
 *   @AsyncTTL({ ttl: '1m' })
 *   async getSession(id: string): Promise<Session | null> { ... }
 *
 *   @TTLInvalidator(() => Sessions.prototype.getSession)
 *   async endSession(id: string): Promise<void> { ... }
 * }
 * ```
 */
export const TTLInvalidator: InvalidatorFactory = (target: unknown, options?: unknown) =>
  createInvalidator('ttl', target, options) as never;

/**
 * Marks a mutation method that changes what tagged entries hold: before the
 * mutation runs, every entry carrying one of the tags is invalidated, and
 * again once it settles (success or failure). Entries are tag-stamped when
 * their load starts, so a load in flight during the mutation, or started
 * while it runs, never makes a pre-mutation value reachable afterwards. Acts
 * on every store in the process holding tagged entries; the mutation's
 * result or error passes through unchanged.
 *
 * @param tags - fixed tags, or a function of the mutation's arguments
 * @example
 * ```ts
 * class CartService {
 *   @AsyncTTL({ ttl: '1m', tags: ([userId]: [string]) => [`cart:${userId}`] })
 *   async getCart(userId: string): Promise<Cart> { ... }
 *
 *   @InvalidateTags(([userId]: [string, Item]) => [`cart:${userId}`])
 *   async addToCart(userId: string, item: Item): Promise<void> { ... }
 * }
 * ```
 */
export function InvalidateTags<A extends unknown[] = never[], This = unknown>(
  tags: readonly string[] | ((args: A, self: This | undefined) => readonly string[]),
): InvalidatorDecorator<A, This> {
  if (typeof tags !== 'function') assertTags('@InvalidateTags()', tags);
  return createDualDecorator('InvalidateTags', (member) => {
    const where = () => `@InvalidateTags on ${member.where}`;
    const tagsFor = (self: unknown, args: unknown[]): readonly string[] => {
      if (typeof tags !== 'function') return tags;
      const result: unknown = (tags as (args: unknown[], self: unknown) => unknown)(args, self);
      assertTags(where(), result);
      return result;
    };
    const invalidate = (list: readonly string[]): Promise<void> =>
      invalidateTags(list).catch((error: unknown) => {
        // Fail open like the key invalidators: the mutation still runs; the failure is reported.
        if (cacheEvents.active) cacheEvents.emit('error', { source: member.where, operation: 'delete', error });
        if (channels.storeError.hasSubscribers)
          channels.storeError.publish({ source: member.where, operation: 'delete', error });
      });
    return async function invalidatingTags(this: unknown, ...args: unknown[]): Promise<unknown> {
      const list = tagsFor(this, args);
      await invalidate(list);
      const transaction = activeTransaction();
      if (transaction !== undefined) {
        // Loads during the transaction may read rows it has not committed: invalidate again once it settled.
        const again = (): Promise<void> => invalidate(list);
        transaction.defer(again, again);
        return member.original.apply(this, args);
      }
      try {
        return await member.original.apply(this, args);
      } finally {
        await invalidate(list);
      }
    };
  }) as InvalidatorDecorator<A, This>;
}
