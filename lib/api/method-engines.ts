import { disableTelemetry, loadTelemetry, refreshTelemetry, trackBinding, untrackBinding } from './telemetry.js';
import type { DecoratedMember } from './decorate.js';
import { UnknownStoreError } from './errors.js';
import type { MethodSettings } from './method-settings.js';
import { scopeNamespaceName } from './namespaces.js';
import { leaveScope, scopeSampler } from './scope-sampling.js';
import { useDefaultStore } from './runtime.js';
import {
  createSampler,
  MethodCache,
  type AdvisorSettings,
  type CacheAdvice,
  type EngineMethod,
} from '../engine/index.js';
import { messages } from '../util/messages.js';
import type { CacheStore, NamespaceOptions } from '../stores/contract.js';

/** What creating engines needs to know about a decorated method. */
export interface BindableMethod extends EngineMethod {
  readonly settings: MethodSettings;
  /** The method's namespace name in a store. */
  readonly namespaceName: string;
  /** The decorated member (its class may become known at the first call). */
  readonly member: DecoratedMember;
}

/**
 * The engines serving one decorated method: one per app/store binding (a
 * CacheModule binds each app's instances to its own), and the process
 * default for instances nobody bound, created at the first call.
 *
 * @internal
 */
export class MethodEngines {
  /** Instances bound by a CacheModule carry their engine under this symbol. */
  readonly slot: symbol;
  readonly #method: BindableMethod;
  /** Every engine created for the method, across apps. */
  readonly #engines = new Set<MethodCache>();
  #default: MethodCache | undefined;

  constructor(method: BindableMethod) {
    this.#method = method;
    this.slot = Symbol(`memokit:${method.member.methodName}`);
  }

  /** How many engines serve the method. */
  get size(): number {
    return this.#engines.size;
  }

  /** Every engine, in creation order. */
  all(): MethodCache[] {
    return [...this.#engines];
  }

  /** The engine serving calls on `self`: its app's binding, else the process default. */
  resolve(self: unknown): MethodCache {
    const bound = (self as Record<symbol, MethodCache | undefined> | null | undefined)?.[this.slot];
    return bound ?? this.#default ?? this.#createDefault(self);
  }

  #createDefault(self: unknown): MethodCache {
    const method = this.#method;
    if (method.member.owner === undefined && self !== null && self !== undefined) {
      method.member.attachOwner(typeof self === 'function' ? self : (self as object).constructor);
    }
    const { store, scope } = method.settings;
    if (typeof store === 'string') {
      throw new UnknownStoreError(store, messages.STORE_NAME_OUTSIDE_NEST(method.where, store));
    }
    const engine = this.bind(typeof scope === 'object' ? scope.store : (store ?? useDefaultStore(method.where)));
    this.#default = engine;
    return engine;
  }

  /**
   * Creates an engine for the method in `store` (its own namespace, sized by
   * the method's options); `storeName`: the store's name in a NestJS module;
   * `advisor`: the module's sizing advisor, for methods that state none.
   */
  bind(store: CacheStore, storeName?: string, advisor?: AdvisorSettings | false): MethodCache {
    const method = this.#method;
    const { scope, maxSize, maxSizeGiven, ttl } = method.settings;
    let namespace: CacheStore;
    if (scope === undefined) {
      namespace = store.namespace(method.namespaceName, { maxSize, ttl });
    } else if (typeof scope === 'string') {
      // A shared bucket keeps its own limits unless this method states one; TTLs are per write.
      const limits: NamespaceOptions = maxSizeGiven ? { maxSize, user: method.where } : { user: method.where };
      namespace = store.namespace(scopeNamespaceName(scope), limits);
    } else {
      namespace = scope.store;
    }
    if (method.tags !== undefined && typeof namespace.invalidateTags !== 'function') {
      throw new TypeError(messages.TAGS_UNSUPPORTED(method.where, namespace.kind));
    }
    const stated = method.settings.advisor;
    const shared =
      scope === undefined
        ? undefined
        : typeof scope === 'string'
          ? scopeSampler(store, scope, method.where, stated, advisor, namespace, method.ttl)
          : scopeSampler(namespace, '', method.where, stated, advisor, namespace, method.ttl);
    const sampling = stated ?? advisor;
    const sampler =
      shared === undefined ? (sampling ? createSampler(sampling, namespace, method.ttl) : undefined) : shared.sampler;
    const engine = new MethodCache(method, namespace, undefined, {
      ownsNamespace: scope === undefined,
      storeName,
      sampler,
    });
    shared?.join(engine);
    this.#engines.add(engine);
    if (method.settings.telemetry === false) disableTelemetry(method.id);
    trackBinding(engine, method.id);
    void loadTelemetry(); // once: @opentelemetry/api, if installed
    refreshTelemetry(); // an OpenTelemetry SDK registered since the last binding is reported to from now on
    return engine;
  }

  /**
   * The engines an invalidator must act on: every binding, or the process
   * default when none exists yet (so loads starting during a mutation are
   * kept out too).
   */
  enginesForInvalidation(): MethodCache[] {
    if (this.#engines.size > 0) return [...this.#engines];
    if (typeof this.#method.settings.store === 'string') return [];
    return [this.#default ?? this.#createDefault(undefined)];
  }

  /** The process-default engine, if a call already created it (e.g. a call made before a CacheModule bound the instance). */
  peekDefault(): MethodCache | undefined {
    return this.#default;
  }

  /**
   * Routes calls on `instance` to `engine` (a CacheModule binding the
   * instance to its app's store). Invisible to enumeration and JSON.
   */
  bindInstance(instance: object, engine: MethodCache): void {
    Object.defineProperty(instance, this.slot, {
      value: engine,
      configurable: true,
      enumerable: false,
      writable: true,
    });
  }

  /** The engine a CacheModule bound to `instance` itself (not inherited), if any. */
  boundEngine(instance: object): MethodCache | undefined {
    const own = Object.getOwnPropertyDescriptor(instance, this.slot);
    return own?.value as MethodCache | undefined;
  }

  /**
   * Undoes {@link MethodEngines.bindInstance} when `instance` is still bound
   * to `engine` (its app shut down): later calls use the process default, and
   * the instance no longer keeps the engine alive.
   */
  unbindInstance(instance: object, engine: MethodCache): void {
    if (this.boundEngine(instance) === engine) delete (instance as Record<symbol, unknown>)[this.slot];
  }

  /** The limit of the bucket the method's entries live in: the store's figure when it reports one. */
  bucketLimit(engine?: MethodCache): number {
    const bound = engine ?? this.#engines.values().next().value;
    return bound?.store.stats?.().maxSize ?? this.#method.settings.maxSize;
  }

  /**
   * The sizing advisor's report on a binding (the first when none is given):
   * the method's, or the scope's it shares; `undefined` when it is off.
   */
  advice(engine?: MethodCache): CacheAdvice | undefined {
    const bound = engine ?? this.#engines.values().next().value;
    const scope = this.#method.settings.scope;
    const label =
      scope === undefined ? this.#method.id : typeof scope === 'string' ? scopeNamespaceName(scope) : 'scope';
    return bound?.advice(label);
  }

  /** Forgets an engine (its app shut down). */
  unbind(engine: MethodCache): void {
    engine.dispose();
    untrackBinding(engine);
    leaveScope(engine);
    this.#engines.delete(engine);
    if (this.#default === engine) this.#default = undefined;
  }
}
