import { Inject, Injectable, Logger, Scope, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import type { InstanceWrapper } from '@nestjs/core/injector/instance-wrapper.js';
import { registry, type MethodDefinition } from '../lib/internal.js';
import { CacheBindings } from './cache.bindings.js';
import { LOGGER_CONTEXT } from './cache.constants.js';
import { CacheModuleConfiguredTwiceError } from './cache.errors.js';
import { logStoreStates } from './cache.logging.js';
import { messages } from './cache.messages.js';

/** Methods already reported as used before binding: the warning is logged once per process. */
const reportedEarlyUse = new WeakSet<MethodDefinition>();

/** Decorated methods found on a prototype chain, cached per prototype. */
const onPrototype = new WeakMap<object, readonly MethodDefinition[]>();

/**
 * Every cached method an instance with this prototype can reach: decorated
 * functions anywhere on the prototype chain (inherited ones included, even
 * when a subclass overrides them and calls `super`), and methods whose
 * declaring class is on the chain (found even when another decorator wrapped
 * memokit's wrapper).
 */
function cachedMethodsOf(prototype: object, byOwner: ReadonlyMap<Function, readonly MethodDefinition[]>) {
  const cached = onPrototype.get(prototype);
  if (cached !== undefined) return cached;
  const found = new Set<MethodDefinition>();
  for (let proto: object | null = prototype; proto !== null && proto !== Object.prototype;) {
    for (const key of Reflect.ownKeys(proto)) {
      if (key === 'constructor') continue;
      const value: unknown = Object.getOwnPropertyDescriptor(proto, key)?.value;
      const definition = registry.of(value);
      if (definition !== undefined) found.add(definition);
    }
    const ctor: unknown = Object.getOwnPropertyDescriptor(proto, 'constructor')?.value;
    if (typeof ctor === 'function') for (const definition of byOwner.get(ctor) ?? []) found.add(definition);
    proto = Object.getPrototypeOf(proto) as object | null;
  }
  const result = [...found];
  onPrototype.set(prototype, result);
  return result;
}

function definitionsByOwner(): Map<Function, MethodDefinition[]> {
  const byOwner = new Map<Function, MethodDefinition[]>();
  for (const definition of registry.all()) {
    const owner = definition.owner;
    if (owner === undefined) continue;
    const list = byOwner.get(owner);
    if (list === undefined) byOwner.set(owner, [definition]);
    else list.push(definition);
  }
  return byOwner;
}

const scopeOf = (wrapper: InstanceWrapper): string => {
  if (wrapper.isTransient) return 'transient';
  if (wrapper.scope === Scope.REQUEST) return 'request-scoped';
  return 'request-scoped (through a request-scoped dependency)';
};

/**
 * Binds, at bootstrap, every cached method of every provider and controller
 * instance of the application to the stores of its CacheModule, and unbinds
 * them (closing the stores the module created) at shutdown.
 *
 * It runs in `onModuleInit`, not `onApplicationBootstrap`: every instance
 * exists by then, and providers may call cached methods in their own
 * `onModuleInit`. Its module is global, and Nest runs the hooks of global
 * modules before those of other modules, so those calls already reach the
 * application's stores, connected: the hook also waits until the stores
 * serve calls (bounded by their connect timeouts, see `ModuleStores.ready`).
 *
 * @internal
 */
@Injectable()
export class CacheExplorer implements OnModuleInit, OnApplicationShutdown {
  readonly #logger = new Logger(LOGGER_CONTEXT);
  readonly #discovery: DiscoveryService;
  /** Stops the state lines of the application's stores. */
  #stopLogging: (() => void) | undefined;

  constructor(@Inject(DiscoveryService) discovery: DiscoveryService) {
    this.#discovery = discovery;
  }

  async onModuleInit(): Promise<void> {
    const apps = this.#cacheBindings();
    const [bindings] = apps;
    if (bindings === undefined) return;
    try {
      if (apps.length > 1)
        throw new CacheModuleConfiguredTwiceError(apps.length, messages.CONFIGURED_TWICE(apps.length));
      this.#bindAll(bindings);
    } catch (error) {
      // Nest runs no shutdown hook after a failed init: release what the module created now.
      await Promise.all(apps.map((app) => app.shutdown((message) => this.#logger.error(message))));
      throw error;
    }
    // Bootstrap resolves once the stores serve calls (or their connect timeout passed, with one
    // warning each): the first calls after app.init(), in this module's or later hooks, store their values.
    await bindings.stores.ready((message) => this.#logger.warn(message));
    // From here on, a store going down or coming back is one line each (ready() reported the start).
    const level = bindings.stores.logLevel;
    if (level !== false) this.#stopLogging = logStoreStates(bindings.stores.distinct(), level);
  }

  /**
   * The last hook of a shutdown: providers may still use the cache in their
   * `onModuleDestroy` and `beforeApplicationShutdown`.
   */
  async onApplicationShutdown(): Promise<void> {
    this.#stopLogging?.();
    this.#stopLogging = undefined;
    await Promise.all(this.#cacheBindings().map((app) => app.shutdown((message) => this.#logger.error(message))));
  }

  /** The CacheBindings of every CacheModule in this application (one, unless misconfigured). */
  #cacheBindings(): CacheBindings[] {
    const found = new Set<CacheBindings>();
    for (const wrapper of this.#discovery.getProviders()) {
      const instance: unknown = wrapper.instance;
      if (instance instanceof CacheBindings) found.add(instance);
    }
    return [...found];
  }

  #bindAll(bindings: CacheBindings): void {
    const byOwner = definitionsByOwner();
    const seen = new Set<object>();
    const warned = new Set<string>();
    const wrappers = [...this.#discovery.getProviders(), ...this.#discovery.getControllers()];
    for (const wrapper of wrappers) {
      if (wrapper.isAlias) continue; // useExisting: the target's own wrapper binds the instance
      const instance: unknown = wrapper.instance;
      if (wrapper.isTransient || !wrapper.isDependencyTreeStatic()) {
        this.#warnNonStatic(wrapper, instance, byOwner, warned);
        continue;
      }
      if (typeof instance !== 'object' || instance === null || seen.has(instance)) continue;
      seen.add(instance);
      for (const definition of cachedMethodsOf(Object.getPrototypeOf(instance) as object, byOwner)) {
        bindings.bindInstance(instance, definition);
        this.#warnIfUsedBeforeBinding(definition);
      }
    }
  }

  #warnNonStatic(
    wrapper: InstanceWrapper,
    instance: unknown,
    byOwner: ReadonlyMap<Function, readonly MethodDefinition[]>,
    warned: Set<string>,
  ): void {
    const metatype = wrapper.metatype;
    let prototype: object | undefined;
    if (typeof metatype === 'function' && wrapper.inject == null) prototype = metatype.prototype as object;
    else if (typeof instance === 'object' && instance !== null) prototype = Object.getPrototypeOf(instance) as object;
    if (prototype === undefined || prototype === null) return;
    const ctor: unknown = (prototype as { constructor?: unknown }).constructor;
    for (const definition of cachedMethodsOf(prototype, byOwner)) {
      const className = typeof ctor === 'function' && ctor.name !== '' ? ctor.name : definition.className;
      const label = `${className}@${definition.methodName}`;
      if (warned.has(label)) continue;
      warned.add(label);
      this.#logger.warn(messages.NON_STATIC_PROVIDER(className, definition.methodName, scopeOf(wrapper)));
    }
  }

  #warnIfUsedBeforeBinding(definition: MethodDefinition): void {
    if (definition.engines.peekDefault() === undefined || reportedEarlyUse.has(definition)) return;
    reportedEarlyUse.add(definition);
    this.#logger.warn(messages.CALLED_BEFORE_BINDING(definition.where));
  }
}
