import type { DecoratedMember } from './decorate.js';
import { MethodEngines, type BindableMethod } from './method-engines.js';
import type { MethodSettings } from './method-settings.js';
import { versionedName } from './namespaces.js';
import type { FreshnessSettings, LeaseSettings } from '../engine/index.js';
import { keyForArgs, keyForKeyFnResult, type StoreKey } from '../keys/keys.js';

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
    const key =
      keyFn === undefined
        ? keyForArgs(args, this.#skipArgs, this.where)
        : keyForKeyFnResult(keyFn(args as unknown[], self), this.where);
    if (this.settings.scope === undefined) return key;
    // Methods sharing a scope's bucket: the method's id keeps their keys apart (and apart from
    // manual keys, whose encodings never start with "\0@").
    return `\0@${this.namespaceName}\0${typeof key === 'number' ? 'n' : 's'}${key}`;
  }
}
