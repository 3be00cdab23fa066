import { messages } from '../util/messages.js';

/**
 * The method a memokit decorator was applied to. The class is known at once
 * for legacy decorators, and at first construction (or class initialization,
 * for statics) for standard ones.
 *
 * @internal
 */
export class DecoratedMember {
  readonly methodName: string;
  #owner: Function | undefined;
  #where: string;
  readonly #ownerListeners: ((owner: Function) => void)[] = [];

  constructor(
    readonly key: string | symbol,
    readonly original: (...args: unknown[]) => unknown,
  ) {
    this.methodName = typeof key === 'symbol' ? `[${key.description ?? 'symbol'}]` : key;
    this.#where = `method ${this.methodName}`;
  }

  /** The declaring class, once known. */
  get owner(): Function | undefined {
    return this.#owner;
  }

  /** `Class.method` for messages (computed once). */
  get where(): string {
    return this.#where;
  }

  /** Calls `listener` when the owner becomes known (at once if it is). */
  onOwner(listener: (owner: Function) => void): void {
    if (this.#owner !== undefined) listener(this.#owner);
    else this.#ownerListeners.push(listener);
  }

  attachOwner(owner: Function): void {
    if (this.#owner !== undefined) return;
    this.#owner = owner;
    this.#where = `${owner.name || '<anonymous class>'}.${this.methodName}`;
    for (const listener of this.#ownerListeners.splice(0)) listener(owner);
  }
}

const KIND_LABEL: Readonly<Record<string, string>> = {
  getter: 'getter',
  setter: 'setter',
  field: 'field',
  accessor: 'auto-accessor',
  class: 'class',
};

/** Copies reflect-metadata (Swagger, guards, SetMetadata...) from the original to the wrapper. */
function copyMetadata(from: Function, to: Function): void {
  const reflect = Reflect as typeof Reflect & {
    getOwnMetadataKeys?: (target: object) => unknown[];
    getOwnMetadata?: (key: unknown, target: object) => unknown;
    defineMetadata?: (key: unknown, value: unknown, target: object) => void;
  };
  if (typeof reflect.getOwnMetadataKeys !== 'function') return;
  for (const key of reflect.getOwnMetadataKeys(from)) {
    reflect.defineMetadata?.(key, reflect.getOwnMetadata?.(key, from), to);
  }
}

/** Gives the wrapper the original's name, length and reflect-metadata. */
function dressAs(wrapper: Function, original: Function): Function {
  Object.defineProperty(wrapper, 'name', { value: original.name, configurable: true });
  Object.defineProperty(wrapper, 'length', { value: original.length, configurable: true });
  copyMetadata(original, wrapper);
  return wrapper;
}

/**
 * Builds a method decorator that works in both decorator standards: legacy
 * `(target, key, descriptor)` as NestJS uses, and TC39 `(value, context)`.
 * Getters, setters, fields and accessors are a TypeError at decoration time.
 * `wrap` returns the function installed in place of the method.
 *
 * @internal
 */
export function createDualDecorator(decorator: string, wrap: (member: DecoratedMember) => Function): Function {
  return function memokitDecorator(target: unknown, contextOrKey: unknown, descriptor?: PropertyDescriptor): unknown {
    if (typeof contextOrKey === 'object' && contextOrKey !== null && 'kind' in contextOrKey) {
      const context = contextOrKey as ClassMethodDecoratorContext;
      const name = context.name;
      const label = `method ${typeof name === 'symbol' ? `[${name.description ?? 'symbol'}]` : name}`;
      if (context.kind !== 'method') {
        throw new TypeError(messages.NOT_A_METHOD(decorator, label, KIND_LABEL[context.kind] ?? String(context.kind)));
      }
      if (typeof target !== 'function') throw new TypeError(messages.NOT_A_METHOD(decorator, label, 'non-function'));
      const member = new DecoratedMember(name, target as (...args: unknown[]) => unknown);
      // Standard decorators learn the class only when an instance (or, for statics, the class) initializes.
      context.addInitializer(function (this: unknown) {
        if (member.owner === undefined)
          member.attachOwner(context.static ? (this as Function) : (this as object).constructor);
      });
      return dressAs(wrap(member), target);
    }
    const key = contextOrKey as string | symbol;
    const owner = typeof target === 'function' ? target : (target as object).constructor;
    const where = `${owner.name}.${typeof key === 'symbol' ? `[${key.description ?? 'symbol'}]` : key}`;
    if (descriptor === undefined) throw new TypeError(messages.NOT_A_METHOD(decorator, where, 'field'));
    const original: unknown = descriptor.value;
    if (typeof original !== 'function') {
      const label =
        descriptor.get !== undefined || descriptor.set !== undefined ? 'getter/setter' : 'non-function property';
      throw new TypeError(messages.NOT_A_METHOD(decorator, where, label));
    }
    const member = new DecoratedMember(key, original as (...args: unknown[]) => unknown);
    member.attachOwner(owner);
    descriptor.value = dressAs(wrap(member), original);
    return descriptor;
  };
}
