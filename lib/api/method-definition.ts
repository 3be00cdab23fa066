import type { DecoratedMember } from './decorate.js';
import { MethodEngines, type BindableMethod } from './method-engines.js';
import type { MethodSettings } from './method-settings.js';
import { versionedName } from './namespaces.js';
import type { FreshnessSettings, LeaseSettings } from '../engine/index.js';
import { keyForArgs, keyForKeyFnResult, storeKeyToString, type StoreKey } from '../keys/keys.js';
import { VaryError } from '../util/errors.js';
import { messages } from '../util/messages.js';

const isVaryPart = (part: unknown): boolean =>
  typeof part === 'string' || typeof part === 'number' || typeof part === 'boolean';

/**
 * `key` inside the context `vary` gives now (length-prefixed, so no context
 * and key pair reads as another); a {@link VaryError} when it throws or gives
 * no parts a key can hold.
 */
function varyKey(vary: () => unknown, key: StoreKey, where: string): StoreKey {
  let parts: unknown;
  try {
    parts = vary();
  } catch (cause) {
    throw new VaryError(where, messages.VARY_THREW(where, cause), { cause });
  }
  if (!Array.isArray(parts) || parts.length === 0 || !parts.every(isVaryPart)) {
    throw new VaryError(where, messages.VARY_NO_PARTS(where, parts));
  }
  const context = storeKeyToString(keyForKeyFnResult(parts, where));
  return `\0v${context.length}:${context}${typeof key === 'number' ? 'n' : 's'}${key}`;
}

/**
 * One decorated method as the registry knows it: who it is (class, name,
 * unique id), its validated settings, how a call's arguments become its key,
 * and the {@link MethodEngines} serving it. It is also what the engine reads about the
 * method (`EngineMethod`).
 *
 * @internal
 */
export class MethodDefinition implements BindableMethod {
  readonly member: DecoratedMember;
  readonly settings: MethodSettings;
  readonly engines: MethodEngines;
  readonly original: (...args: unknown[]) => unknown;
  readonly ttl: number | undefined;
  readonly failSafe: number | undefined;
  readonly freshness: FreshnessSettings | undefined;
  readonly shouldCache: ((value: unknown, args: readonly unknown[]) => boolean) | undefined;
  readonly tags: ((args: readonly unknown[]) => readonly string[]) | undefined;
  readonly lease: LeaseSettings | undefined;
  readonly awaitWrite: boolean;
  #id: string | undefined;
  readonly #keyFn: ((args: unknown[], self: unknown) => unknown) | undefined;
  readonly #skipArgs: number;

  constructor(member: DecoratedMember, settings: MethodSettings) {
    this.member = member;
    this.settings = settings;
    this.original = member.original;
    this.ttl = settings.ttl;
    this.failSafe = settings.failSafe;
    this.freshness = settings.freshness;
    this.shouldCache = settings.shouldCache;
    this.tags = settings.tags;
    this.lease = settings.lease;
    this.awaitWrite = settings.awaitWrite;
    this.#keyFn = settings.keyFn;
    this.#skipArgs = settings.skipArgs;
    this.engines = new MethodEngines(this);
  }

  get methodName(): string {
    return this.member.methodName;
  }

  /** The class that declares the method, once known. */
  get owner(): Function | undefined {
    return this.member.owner;
  }

  get className(): string {
    return this.member.owner?.name || '<anonymous class>';
  }

  /** `Class.method`, for messages. */
  get where(): string {
    return this.member.where;
  }

  /** Unique id, also the store namespace. */
  get id(): string {
    return this.#id ?? this.where;
  }

  /** Set once by the registry, when the class is known. */
  setId(id: string): void {
    this.#id = id;
  }

  /** Namespace name in a store: the id plus the version, if any. */
  get namespaceName(): string {
    return versionedName(this.id, this.settings.version);
  }

  /** The store key of a call: from its arguments (or the `keyFn`), inside the scope's bucket when shared. */
  keyOf(self: unknown, args: readonly unknown[]): StoreKey {
    const keyFn = this.#keyFn;
    let key =
      keyFn === undefined
        ? keyForArgs(args, this.#skipArgs, this.where)
        : keyForKeyFnResult(keyFn(args as unknown[], self), this.where);
    const vary = this.settings.vary;
    if (vary !== undefined) key = varyKey(vary, key, this.where);
    if (this.settings.scope === undefined) return key;
    // Methods sharing a scope's bucket: the method's id keeps their keys apart (and apart from
    // manual keys, whose encodings never start with "\0@").
    return `\0@${this.namespaceName}\0${typeof key === 'number' ? 'n' : 's'}${key}`;
  }
}
