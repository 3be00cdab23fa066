import type { DecoratedMember } from './decorate.js';
import { scopeNamespaceName } from './cache.js';
import { useDefaultStore } from './runtime.js';
import {
  CachedMethod,
  sumStats,
  type EngineMethod,
  type LeaseSettings,
  type MethodStats,
} from '../engine/cached-method.js';
import { keyForArgs, keyForKeyFnResult, type StoreKey } from '../keys/keys.js';
import { messages } from '../util/messages.js';
import type { CacheStore, NamespaceOptions } from '../stores/contract.js';

/** Which decorator made a cached method: `@AsyncLRU` or `@AsyncTTL`. */
export type CacheKind = 'lru' | 'ttl';

/** Options of a cached method after validation. @internal */
export interface MethodSettings {
  readonly kind: CacheKind;
  readonly maxSize: number;
  readonly ttl: number | undefined;
  readonly failSafe: number | undefined;
  readonly skipArgs: number;
  readonly keyFn: ((args: never, self: never) => unknown) | undefined;
  readonly shouldCache: ((value: never, args: never) => boolean) | undefined;
  readonly version: string | number | undefined;
  readonly store: CacheStore | string | undefined;
  /** A shared bucket: a scope name in the method's store, or a `Cache` scope (anything with a `store`). */
  readonly scope: string | { readonly store: CacheStore } | undefined;
  /** Whether `maxSize` was given (a shared scope keeps its own limit otherwise). */
  readonly maxSizeGiven: boolean;
  /** Tags of each entry, from the call's arguments. */
  readonly tags: ((args: readonly unknown[]) => readonly string[]) | undefined;
  /** Cross-process single-flight, in milliseconds; `undefined`: off. */
  readonly lease: LeaseSettings | undefined;
  /** `false`: loads write to asynchronous stores in the background (see the decorators' `awaitWrite`). */
  readonly awaitWrite: boolean;
}

/**
 * One row of {@link listCachedMethods}.
 *
 * @example
 * ```ts
 * for (const m of listCachedMethods()) console.log(m.id, m.kind, m.stats.hitRate);
 * ```
 */
export interface CachedMethodInfo {
  /** Unique name: `Class.method` (`Class.method#2` for a second class of the same name). */
  readonly id: string;
  /** The class's name. */
  readonly className: string;
  /** The method's name. */
  readonly methodName: string;
  /** `'lru'` or `'ttl'`. */
  readonly kind: CacheKind;
  /** Entry limit of the method's bucket (a shared scope's own limit when the method sets none). */
  readonly maxSize: number;
  /** Time to live in ms (`undefined` for LRU methods). */
  readonly ttl: number | undefined;
  /** Figures summed over every binding (every app) of the method. */
  readonly stats: MethodStats;
}

/**
 * Everything memokit knows about one decorated method: its options, its
 * owner class, and the engines that serve it (one per app/store binding).
 *
 * @internal
 */
export class MethodDefinition implements EngineMethod {
  /** Instances bound by a CacheModule carry their engine under this symbol. */
  readonly slot: symbol;
  readonly original: (...args: unknown[]) => unknown;
  readonly settings: MethodSettings;
  readonly ttl: number | undefined;
  readonly failSafe: number | undefined;
  readonly shouldCache: ((value: unknown, args: readonly unknown[]) => boolean) | undefined;
  readonly tags: ((args: readonly unknown[]) => readonly string[]) | undefined;
  readonly lease: LeaseSettings | undefined;
  readonly awaitWrite: boolean;
  /** Every engine created for this method, across apps. */
  readonly bindings = new Set<CachedMethod>();
  #id: string | undefined;
  #default: CachedMethod | undefined;
  readonly #member: DecoratedMember;
  readonly #keyFn: ((args: unknown[], self: unknown) => unknown) | undefined;
  readonly #skipArgs: number;

  constructor(
    readonly registry: Registry,
    member: DecoratedMember,
    settings: MethodSettings,
  ) {
    this.#member = member;
    this.slot = Symbol(`memokit:${member.methodName}`);
    this.original = member.original;
    this.settings = settings;
    this.ttl = settings.ttl;
    this.failSafe = settings.failSafe;
    this.tags = settings.tags;
    this.lease = settings.lease;
    this.awaitWrite = settings.awaitWrite;
    this.shouldCache = settings.shouldCache as MethodDefinition['shouldCache'];
    this.#keyFn = settings.keyFn as ((args: unknown[], self: unknown) => unknown) | undefined;
    this.#skipArgs = settings.skipArgs;
    member.onOwner(() => registry.named(this));
  }

  get methodName(): string {
    return this.#member.methodName;
  }

  /** The class that declares the method, once known. */
  get owner(): Function | undefined {
    return this.#member.owner;
  }

  get className(): string {
    return this.#member.owner?.name || '<anonymous class>';
  }

  /** `Class.method`, for messages. */
  get where(): string {
    return this.#member.where;
  }

  /** Unique id, also the store namespace. */
  get id(): string {
    return this.#id ?? this.where;
  }

  /** @internal */
  setId(id: string): void {
    this.#id = id;
  }

  keyOf(self: unknown, args: readonly unknown[]): StoreKey {
    const keyFn = this.#keyFn;
    const key =
      keyFn === undefined
        ? keyForArgs(args, this.#skipArgs, this.where)
        : keyForKeyFnResult(keyFn(args as unknown[], self), this.where);
    if (this.settings.scope === undefined) return key;
    // Methods sharing a scope's bucket: the method's id keeps their keys apart (and apart from
    // manual keys, whose encodings never start with "\0@").
    return `\0@${this.namespaceName}\0${typeof key === 'number' ? 'n' : 's'}${key}`;
  }

  /** Namespace name in a store: the id plus the version, if any. */
  get namespaceName(): string {
    const version = this.settings.version;
    return version === undefined ? this.id : `${this.id}@v${version}`;
  }

  /** The engine serving calls on `self`: its app's binding, else the process default. */
  resolve(self: unknown): CachedMethod {
    const bound = (self as Record<symbol, CachedMethod | undefined> | null | undefined)?.[this.slot];
    return bound ?? this.#default ?? this.#createDefault(self);
  }

  #createDefault(self: unknown): CachedMethod {
    if (this.owner === undefined && self !== null && self !== undefined) {
      this.#member.attachOwner(typeof self === 'function' ? self : (self as object).constructor);
    }
    const { store, scope } = this.settings;
    if (typeof store === 'string') throw new Error(messages.STORE_NAME_OUTSIDE_NEST(this.where, store));
    const engine = this.bind(typeof scope === 'object' ? scope.store : (store ?? useDefaultStore(this.where)));
    this.#default = engine;
    return engine;
  }

  /** Creates an engine for this method in `store` (its own namespace, sized by the method's options). */
  bind(store: CacheStore): CachedMethod {
    const { scope, maxSize, maxSizeGiven, ttl } = this.settings;
    let namespace: CacheStore;
    if (scope === undefined) {
      namespace = store.namespace(this.namespaceName, { maxSize, ttl });
    } else if (typeof scope === 'string') {
      // A shared bucket keeps its own limits unless this method states one; TTLs are per write.
      const limits: NamespaceOptions = maxSizeGiven ? { maxSize, user: this.where } : { user: this.where };
      namespace = store.namespace(scopeNamespaceName(scope), limits);
    } else {
      namespace = scope.store;
    }
    if (this.tags !== undefined && typeof namespace.invalidateTags !== 'function') {
      throw new TypeError(messages.TAGS_UNSUPPORTED(this.where, namespace.kind));
    }
    const engine = new CachedMethod(this, namespace, undefined, { ownsNamespace: scope === undefined });
    this.bindings.add(engine);
    return engine;
  }

  /**
   * The engines an invalidator must act on: every binding, or the process
   * default when none exists yet (so loads starting during a mutation are
   * kept out too).
   */
  enginesForInvalidation(): CachedMethod[] {
    if (this.bindings.size > 0) return [...this.bindings];
    if (typeof this.settings.store === 'string') return [];
    return [this.#default ?? this.#createDefault(undefined)];
  }

  /** The process-default engine, if a call already created it (e.g. a call made before a CacheModule bound the instance). */
  peekDefault(): CachedMethod | undefined {
    return this.#default;
  }

  /**
   * Routes calls on `instance` to `engine` (a CacheModule binding the
   * instance to its app's store). Invisible to enumeration and JSON.
   */
  bindInstance(instance: object, engine: CachedMethod): void {
    Object.defineProperty(instance, this.slot, {
      value: engine,
      configurable: true,
      enumerable: false,
      writable: true,
    });
  }

  /** The engine a CacheModule bound to `instance` itself (not inherited), if any. */
  boundEngine(instance: object): CachedMethod | undefined {
    const own = Object.getOwnPropertyDescriptor(instance, this.slot);
    return own?.value as CachedMethod | undefined;
  }

  /**
   * Undoes {@link MethodDefinition.bindInstance} when `instance` is still bound
   * to `engine` (its app shut down): later calls use the process default, and
   * the instance no longer keeps the engine alive.
   */
  unbindInstance(instance: object, engine: CachedMethod): void {
    if (this.boundEngine(instance) === engine) delete (instance as Record<symbol, unknown>)[this.slot];
  }

  /** The limit of the bucket the method's entries live in: the store's figure when it reports one. */
  bucketLimit(engine?: CachedMethod): number {
    const bound = engine ?? this.bindings.values().next().value;
    return bound?.store.stats().maxSize ?? this.settings.maxSize;
  }

  /** Forgets an engine (its app shut down). */
  unbind(engine: CachedMethod): void {
    engine.dispose();
    this.bindings.delete(engine);
    if (this.#default === engine) this.#default = undefined;
  }

  info(): CachedMethodInfo {
    return {
      id: this.id,
      className: this.className,
      methodName: this.methodName,
      kind: this.settings.kind,
      maxSize: this.bucketLimit(),
      ttl: this.settings.ttl,
      stats: sumStats([...this.bindings].map((b) => b.stats())),
    };
  }
}

/**
 * The one metadata registry: every cached method, found by its decorated
 * function. Shared by the decorators, the manual API and the NestJS module.
 *
 * @internal
 */
export class Registry {
  readonly #byFunction = new WeakMap<Function, MethodDefinition>();
  readonly #definitions: MethodDefinition[] = [];
  readonly #ids = new Map<string, MethodDefinition>();

  add(wrapper: Function, definition: MethodDefinition): void {
    this.#byFunction.set(wrapper, definition);
    this.#definitions.push(definition);
  }

  /** Gives `definition` a unique id once its class is known. */
  named(definition: MethodDefinition): void {
    const base = definition.where;
    let id = base;
    for (let n = 2; this.#ids.has(id); n++) id = `${base}#${n}`;
    this.#ids.set(id, definition);
    definition.setId(id);
  }

  /** The definition behind a decorated function, if it is one. */
  of(fn: unknown): MethodDefinition | undefined {
    return typeof fn === 'function' ? this.#byFunction.get(fn) : undefined;
  }

  /** Every definition, in decoration order. */
  all(): readonly MethodDefinition[] {
    return this.#definitions;
  }
}

/** The process-wide registry. @internal */
export const registry = new Registry();
