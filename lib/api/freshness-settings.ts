import type { FreshnessSettings } from '../engine/index.js';
import { parseDuration, type Duration } from '../util/duration.js';
import { messages } from '../util/messages.js';
import { assertKnownOptions } from '../util/options.js';

/**
 * The freshness options shared by `@AsyncTTL` (and, later, `Cache` scopes):
 * what the user writes, durations as {@link Duration}s.
 *
 * @example
 * ```ts
 * const options: FreshnessOptions = { staleWhileRevalidate: '10s', timeout: { soft: '100ms' }, jitter: 0.1 };
 * ```
 */
export interface FreshnessOptions {
  /**
   * For this long after an entry expires, a call returns the expired value at
   * once and starts one background reload (one per key in this process; with
   * `lease`, one across processes). The reload stores through the same
   * guards as any load: an invalidation that overtakes it keeps its value out.
   * An invalidated entry is never served.
   *
   * @default undefined (a call after the expiry waits for the reload)
   * @example
   * ```ts
   * @AsyncTTL({ ttl: '1m', staleWhileRevalidate: '10m' })
   * ```
   */
  staleWhileRevalidate?: Duration;
  /**
   * A fraction of the TTL, strictly between 0 and 1: a hit on an entry older
   * than it starts one background reload, and callers keep getting the current
   * value, so a hot entry is replaced before it expires.
   *
   * @default undefined (no reload before the expiry)
   * @example
   * ```ts
   * @AsyncTTL({ ttl: '1m', refreshAhead: 0.8 }) // reloaded by the first hit after 48 s
   * ```
   */
  refreshAhead?: number;
  /**
   * Bounds on how long a call waits for a load. Past `soft`, a call that has
   * an expired value allowed (a `failSafe` or `staleWhileRevalidate` window)
   * gets it; past `hard`, it gets one or rejects with a `LoadTimeoutError`.
   * Either way the load goes on and is stored when it completes.
   *
   * @default undefined (a call waits for its load)
   * @example
   * ```ts
   * @AsyncTTL({ ttl: '1m', failSafe: '1h', timeout: { soft: '100ms', hard: '2s' } })
   * ```
   */
  timeout?: { soft?: Duration; hard?: Duration };
  /**
   * Each entry's TTL is multiplied by a random factor between `1 − jitter`
   * and `1 + jitter` (0 ≤ jitter < 1), so entries written together do not
   * expire together.
   *
   * @default 0
   * @example
   * ```ts
   * @AsyncTTL({ ttl: '10m', jitter: 0.1 }) // each entry lives 9 to 11 minutes
   * ```
   */
  jitter?: number;
}

/**
 * `failSafe`: a window, or a window with a retry throttle.
 *
 * @example
 * ```ts
 * const failSafe: FailSafeOption = { window: '1h', retryAfter: '30s' };
 * ```
 */
export type FailSafeOption =
  | Duration
  | {
      /** How long after its expiry an entry may stand in for a reload that threw. */
      window: Duration;
      /**
       * After a reload threw and the expired value was served, it is served
       * this long (as a fresh entry) before the method is tried again. Within
       * the window: the entry is gone once the window ends.
       */
      retryAfter: Duration;
    };

/** The option names {@link freshnessOf} reads (on top of `ttl` and `failSafe`). */
export const FRESHNESS_OPTIONS = ['staleWhileRevalidate', 'refreshAhead', 'timeout', 'jitter'] as const;

/**
 * The validated form of a method's `ttl`, `failSafe` and freshness options.
 *
 * @internal
 */
export interface ValidatedFreshness {
  /** The fixed TTL (the default when `ttl` is a function). */
  readonly ttl: number;
  /** The fail-safe window. */
  readonly failSafe: number | undefined;
  /** `undefined` when no policy is set. */
  readonly freshness: FreshnessSettings | undefined;
}

function fraction(where: string, option: string, value: unknown, example: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !(value > 0 && value < 1)) {
    throw new TypeError(messages.BAD_FRACTION(where, option, value, example));
  }
  return value;
}

function jitterOf(where: string, value: unknown): number | undefined {
  if (value === undefined || value === 0) return undefined;
  if (typeof value !== 'number' || !(value > 0 && value < 1)) throw new TypeError(messages.BAD_JITTER(where, value));
  return value;
}

function timeoutOf(where: string, value: unknown): { soft?: number | undefined; hard?: number | undefined } {
  if (value === undefined) return {};
  assertKnownOptions(`${where}: option "timeout"`, value, ['soft', 'hard']);
  const { soft, hard } = value as { soft?: unknown; hard?: unknown };
  if (soft === undefined && hard === undefined) throw new TypeError(messages.EMPTY_TIMEOUT(where));
  const out = {
    ...(soft === undefined ? {} : { soft: parseDuration(soft, where, 'timeout.soft') }),
    ...(hard === undefined ? {} : { hard: parseDuration(hard, where, 'timeout.hard') }),
  };
  if (out.soft !== undefined && out.hard !== undefined && out.soft > out.hard) {
    throw new TypeError(messages.SOFT_AFTER_HARD(where, out.soft, out.hard));
  }
  return out;
}

function failSafeOf(where: string, value: unknown): { window: number; retryAfter?: number } {
  if (typeof value !== 'object' || value === null) return { window: parseDuration(value, where, 'failSafe') };
  assertKnownOptions(`${where}: option "failSafe"`, value, ['window', 'retryAfter']);
  const { window, retryAfter } = value as { window?: unknown; retryAfter?: unknown };
  return {
    window: parseDuration(window, where, 'failSafe.window'),
    retryAfter: parseDuration(retryAfter, where, 'failSafe.retryAfter'),
  };
}

/** A `ttl` function's result as milliseconds (`undefined`: the default), or a TypeError naming the method. */
function ttlFunction(
  where: string,
  fn: (value: unknown, args: readonly unknown[]) => unknown,
): (value: unknown, args: readonly unknown[]) => number | undefined {
  return (value, args) => {
    const result = fn(value, args);
    if (result === undefined) return undefined;
    try {
      return parseDuration(result, where, 'ttl');
    } catch {
      throw new TypeError(messages.BAD_TTL_RESULT(where, result));
    }
  };
}

/** The validated fail-safe window and policies (without a TTL function). */
interface Policies {
  readonly failSafe: number | undefined;
  readonly freshness: FreshnessSettings | undefined;
}

/** Validates `failSafe` and the freshness options; `ttlFunction`: the TTL is a function (no `refreshAhead`). */
function policiesOf(
  where: string,
  raw: Record<string, unknown>,
  ttlOf: FreshnessSettings['ttlOf'],
  inherited: Policies | undefined,
): Policies {
  const failSafe = raw.failSafe === undefined ? undefined : failSafeOf(where, raw.failSafe);
  const window = failSafe === undefined ? inherited?.failSafe : failSafe.window;
  const before = inherited?.freshness;
  const staleWhileRevalidate =
    raw.staleWhileRevalidate === undefined
      ? before?.staleWhileRevalidate
      : parseDuration(raw.staleWhileRevalidate, where, 'staleWhileRevalidate');
  const refreshAhead =
    raw.refreshAhead === undefined ? before?.refreshAhead : fraction(where, 'refreshAhead', raw.refreshAhead, '0.8');
  if (refreshAhead !== undefined && ttlOf !== undefined) {
    throw new TypeError(messages.REFRESH_AHEAD_WITH_TTL_FUNCTION(where));
  }
  const jitter = raw.jitter === undefined ? before?.jitter : jitterOf(where, raw.jitter);
  // An entry whose TTL jitter shortened by more than the refresh zone would be in the zone when written.
  if (jitter !== undefined && refreshAhead !== undefined && jitter >= refreshAhead) {
    throw new TypeError(messages.JITTER_OVER_REFRESH_AHEAD(where, jitter, refreshAhead));
  }
  const timeout =
    raw.timeout === undefined
      ? { soft: before?.softTimeout, hard: before?.hardTimeout }
      : timeoutOf(where, raw.timeout);
  if (timeout.soft !== undefined && window === undefined && staleWhileRevalidate === undefined) {
    throw new TypeError(messages.SOFT_TIMEOUT_WITHOUT_STALE(where));
  }
  const settings: FreshnessSettings = {
    staleWhileRevalidate,
    refreshAhead,
    softTimeout: timeout.soft,
    hardTimeout: timeout.hard,
    failSafeRetryAfter: failSafe === undefined ? before?.failSafeRetryAfter : failSafe.retryAfter,
    jitter,
    ttlOf,
  };
  const any = Object.values(settings).some((v) => v !== undefined);
  return { failSafe: window, freshness: any ? settings : undefined };
}

/**
 * Validates `ttl` (a duration or a function of the value), `failSafe` and
 * the freshness options of a TTL method; every mistake is a TypeError naming
 * `where` and the option.
 *
 * @internal
 */
export function freshnessOf(where: string, raw: Record<string, unknown>, defaultTtl: Duration): ValidatedFreshness {
  const ttlFn =
    typeof raw.ttl === 'function' ? ttlFunction(where, raw.ttl as (v: unknown, a: unknown) => unknown) : undefined;
  const ttl = parseDuration(ttlFn === undefined ? (raw.ttl ?? defaultTtl) : defaultTtl, where, 'ttl');
  return { ttl, ...policiesOf(where, raw, ttlFn, undefined) };
}

/**
 * Validates the `failSafe` and freshness options of a `Cache` or scope
 * (`inherited`: its parent's, for the options it omits). A policy that
 * needs entries to expire needs a `ttl`.
 *
 * @internal
 */
export function cacheFreshnessOf(
  where: string,
  raw: Record<string, unknown>,
  ttl: number | undefined,
  inherited: Policies | undefined,
): Policies {
  const policies = policiesOf(where, raw, undefined, inherited);
  if (ttl === undefined) {
    const policy = FRESHNESS_OPTIONS.find((option) => raw[option] !== undefined);
    if (policy !== undefined) throw new TypeError(messages.FRESHNESS_NEEDS_CACHE_TTL(where, policy));
  }
  return policies;
}
