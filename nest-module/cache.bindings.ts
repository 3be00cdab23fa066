import type { MethodCache, CacheStore } from '../lib/index.js';
import { disableTelemetry, type MethodDefinition } from '../lib/internal.js';
import { UnknownStoreError } from './cache.errors.js';
import { messages } from './cache.messages.js';
import type { ModuleStores } from './cache.stores.js';

/** One decorated method bound in one application. @internal */
export interface MethodBinding {
  readonly definition: MethodDefinition;
  readonly engine: MethodCache;
  /** Name of the module store it lives in; `undefined` for a store (or `Cache` scope) given in the decorator that the module does not know. */
  readonly storeName: string | undefined;
}

/**
 * The cache state of one Nest application: its stores, one engine per
 * decorated method found on its providers and controllers, and the instances
 * routed to those engines. Created by CacheModule, filled by the explorer at
 * bootstrap, emptied at shutdown.
 *
 * @internal
 */
export class CacheBindings {
  readonly stores: ModuleStores;
  readonly #bindings = new Map<MethodDefinition, MethodBinding>();
  readonly #instances: { instance: object; binding: MethodBinding }[] = [];
  #shutdown: Promise<void> | undefined;

  constructor(stores: ModuleStores) {
    this.stores = stores;
  }

  /** Whether the application shut down (its engines are unbound, its stores closed). */
  get isShutDown(): boolean {
    return this.#shutdown !== undefined;
  }

  /**
   * This application's engine for `definition`, created on first use in the
   * store the decorator names (the module's default when it names none).
   * An unknown store name is an error naming `Class.method` and the known names.
   */
  bindingFor(definition: MethodDefinition): MethodBinding {
    const existing = this.#bindings.get(definition);
    if (existing !== undefined) return existing;
    const { store: option, scope } = definition.settings;
    let store: CacheStore;
    let storeName: string | undefined;
    if (option === undefined) {
      store = this.stores.default;
      storeName = this.stores.defaultName;
    } else if (typeof option === 'string') {
      const named = this.stores.get(option);
      if (named === undefined) {
        throw new UnknownStoreError(option, messages.UNKNOWN_STORE(definition.where, option, this.stores.names));
      }
      store = named;
      storeName = option;
    } else {
      store = option;
      storeName = this.stores.nameOf(option);
    }
    // A `Cache` scope given in the decorator carries its own store, shared by every application.
    if (typeof scope === 'object') storeName = this.stores.nameOf(scope.store);
    if (!this.stores.telemetry) disableTelemetry(definition.id);
    const binding: MethodBinding = {
      definition,
      engine: definition.engines.bind(store, storeName, this.stores.advisor),
      storeName,
    };
    this.#bindings.set(definition, binding);
    return binding;
  }

  /** Routes calls of `definition` on `instance` to this application's engine. */
  bindInstance(instance: object, definition: MethodDefinition): void {
    const binding = this.bindingFor(definition);
    definition.engines.bindInstance(instance, binding.engine);
    this.#instances.push({ instance, binding });
  }

  /** The binding of `definition` in this application, if one of its instances has the method. */
  get(definition: MethodDefinition): MethodBinding | undefined {
    return this.#bindings.get(definition);
  }

  /** Every binding, in the order the methods were found. */
  all(): MethodBinding[] {
    return [...this.#bindings.values()];
  }

  /**
   * Unbinds every instance and engine of this application (so they can be
   * garbage-collected; later calls on its instances use the process default),
   * then closes the stores the module created. Idempotent; never throws.
   */
  shutdown(onError: (message: string) => void): Promise<void> {
    this.#shutdown ??= this.#unbindAndClose(onError);
    return this.#shutdown;
  }

  async #unbindAndClose(onError: (message: string) => void): Promise<void> {
    for (const { instance, binding } of this.#instances.splice(0)) {
      binding.definition.engines.unbindInstance(instance, binding.engine);
    }
    for (const { definition, engine } of this.#bindings.values()) definition.engines.unbind(engine);
    this.#bindings.clear();
    await this.stores.close(onError);
  }
}
