import {
  advisorSettingsOf,
  type AdvisorSettings,
  type FreshnessSettings,
  type LeaseSettings,
} from '../engine/index.js';
import { FRESHNESS_OPTIONS, freshnessOf } from './freshness-settings.js';
import { leaseOf } from './lease.js';
import { messages } from '../util/messages.js';
import {
  assertKnownOptions,
  assertVersion,
  booleanOption,
  functionOption,
  nonNegativeInt,
  positiveInt,
} from '../util/options.js';
import { isStore, type CacheStore } from '../stores/contract.js';
import { assertTags } from '../stores/tags.js';

/**
 * Which decorator made a cached method: `@AsyncLRU` or `@AsyncTTL`.
 *
 * @example
 * ```ts
 * const kind: CacheKind = listCachedMethods()[0]?.kind ?? 'lru';
 * ```
 */
export type CacheKind = 'lru' | 'ttl';

/** The decorator of each kind, named in messages. */
export const CACHE_DECORATOR: Readonly<Record<CacheKind, string>> = { lru: 'AsyncLRU', ttl: 'AsyncTTL' };

/**
 * A cached method's options, validated once (when the decorator is applied)
 * into the one settings object that travels from the decorator to the
 * engine: durations in milliseconds, defaults filled in, callbacks typed.
 *
 * @internal
 */
export interface MethodSettings {
  readonly kind: CacheKind;
  readonly maxSize: number;
  /** Time to live in milliseconds (`undefined` for LRU methods). */
  readonly ttl: number | undefined;
  /** Milliseconds an expired value may still be served when the reload throws. */
  readonly failSafe: number | undefined;
  /** Freshness policies (TTL methods only); `undefined`: none. */
  readonly freshness: FreshnessSettings | undefined;
  readonly skipArgs: number;
  readonly keyFn: ((args: unknown[], self: unknown) => unknown) | undefined;
  readonly shouldCache: ((value: unknown, args: readonly unknown[]) => boolean) | undefined;
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
  /** Request-context parts of every key (the decorators' `vary`); `undefined`: none. */
  readonly vary: (() => unknown) | undefined;
  /** `false`: never reported to OpenTelemetry. */
  readonly telemetry: boolean;
  /** The sizing advisor: settings, `false` (off), or `undefined` (the module's, else off). */
  readonly advisor: AdvisorSettings | false | undefined;
}

const COMMON_OPTIONS = [
  'skipArgs',
  'keyFn',
  'shouldCache',
  'version',
  'store',
  'scope',
  'tags',
  'lease',
  'awaitWrite',
  'vary',
  'telemetry',
  'advisor',
] as const;
const KNOWN_OPTIONS: Readonly<Record<CacheKind, readonly string[]>> = {
  lru: [...COMMON_OPTIONS, 'maxSize'],
  ttl: [...COMMON_OPTIONS, 'maxSize', 'ttl', 'failSafe', ...FRESHNESS_OPTIONS],
};
const DEFAULT_MAX_SIZE: Readonly<Record<CacheKind, number>> = { lru: 128, ttl: 1024 };
const DEFAULT_TTL = '60s';

/**
 * Checks what a decorator factory (`AsyncLRU(options)`) was given, before
 * the method is known: an options object or nothing.
 */
export function decoratorOptions(kind: CacheKind, options: unknown): Record<string, unknown> {
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw new TypeError(messages.BAD_OPTIONS_OBJECT(`@${CACHE_DECORATOR[kind]}()`, options));
  }
  return (options ?? {}) as Record<string, unknown>;
}

/** Normalizes the `tags` option to a function of the arguments (validating what it returns). */
function tagsOf(where: string, tags: unknown): MethodSettings['tags'] {
  if (tags === undefined) return undefined;
  if (typeof tags !== 'function') {
    const fixed = tags as readonly string[];
    return () => fixed;
  }
  return (args) => {
    const result: unknown = (tags as (args: readonly unknown[]) => unknown)(args);
    assertTags(`${where}: option "tags" returned`, result);
    return result;
  };
}

/**
 * Validates a decorator's options when it is applied to a method; every
 * mistake is a TypeError naming the method (`where`) and the option.
 */
export function methodSettings(kind: CacheKind, raw: Record<string, unknown>, where: string): MethodSettings {
  if (kind === 'lru') {
    const policy = FRESHNESS_OPTIONS.find((option) => raw[option] !== undefined);
    if (policy !== undefined) throw new TypeError(messages.FRESHNESS_NEEDS_TTL(where, policy));
  }
  assertKnownOptions(where, raw, KNOWN_OPTIONS[kind]);
  const maxSize = positiveInt(where, 'maxSize', raw.maxSize, DEFAULT_MAX_SIZE[kind]);
  const skipArgs = nonNegativeInt(where, 'skipArgs', raw.skipArgs, 0);
  const { keyFn, shouldCache, version, store, scope, tags } = raw;
  if (tags !== undefined && typeof tags !== 'function') assertTags(`${where}: option "tags"`, tags);
  const scopeOk =
    scope === undefined ||
    (typeof scope === 'string' && scope !== '') ||
    (typeof scope === 'object' && scope !== null && isStore((scope as { store?: unknown }).store));
  if (!scopeOk) throw new TypeError(messages.BAD_SCOPE(where, scope));
  if (typeof scope === 'object' && store !== undefined) throw new TypeError(messages.SCOPE_WITH_STORE(where));
  functionOption(where, 'keyFn', keyFn, undefined);
  if (keyFn !== undefined && skipArgs !== 0) throw new TypeError(messages.SKIP_ARGS_WITH_KEY_FN(where));
  functionOption(where, 'shouldCache', shouldCache, undefined);
  functionOption(where, 'vary', raw.vary, undefined);
  assertVersion(where, version);
  if (store !== undefined && !isStore(store) && !(typeof store === 'string' && store !== '')) {
    throw new TypeError(messages.NOT_A_STORE(where, store));
  }
  const fresh = kind === 'ttl' ? freshnessOf(where, raw, DEFAULT_TTL) : undefined;
  return {
    kind,
    maxSize,
    ttl: fresh?.ttl,
    failSafe: fresh?.failSafe,
    freshness: fresh?.freshness,
    skipArgs,
    keyFn: keyFn as MethodSettings['keyFn'],
    shouldCache: shouldCache as MethodSettings['shouldCache'],
    version,
    store: store as MethodSettings['store'],
    scope: scope as MethodSettings['scope'],
    maxSizeGiven: raw.maxSize !== undefined,
    tags: tagsOf(where, tags),
    lease: leaseOf(where, raw.lease),
    awaitWrite: booleanOption(where, 'awaitWrite', raw.awaitWrite, true),
    vary: raw.vary as MethodSettings['vary'],
    telemetry: booleanOption(where, 'telemetry', raw.telemetry, true),
    advisor: advisorSettingsOf(where, raw.advisor),
  };
}
