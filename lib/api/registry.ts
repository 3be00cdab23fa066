import type { MethodDefinition } from './method-definition.js';
import { messages } from '../util/messages.js';

export type { CacheKind } from './method-settings.js';
export type { CachedMethodInfo } from './method-info.js';

/**
 * The one metadata registry: every cached method, found by its decorated
 * function. Shared by the decorators, the manual API and the NestJS module.
 *
 * @internal
 */
class Registry {
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

  /** The definition behind `method`; a TypeError naming `api` when it is not a decorated method. */
  definitionOf(api: string, method: unknown): MethodDefinition {
    const definition = this.of(method);
    if (definition === undefined) throw new TypeError(messages.NOT_DECORATED(api, method));
    return definition;
  }

  /** Every definition, in decoration order. */
  all(): readonly MethodDefinition[] {
    return this.#definitions;
  }
}

/**
 * The process-wide registry. Filled as decorated classes are defined and
 * never reset (a class defined once stays decorated).
 *
 * @internal
 */
export const registry = new Registry();
