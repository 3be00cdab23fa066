import { parseDuration, type Duration } from '../../util/duration.js';
import { messages } from '../../util/messages.js';
import { assertKnownOptions, positiveInt } from '../../util/options.js';
import type { Clock } from '../contract.js';

/**
 * Options of a {@link MemoryStore}.
 *
 * @example
 * ```ts
 * const store = new MemoryStore({ max: 10_000, ttl: '5m' });
 * ```
 */
export interface MemoryStoreOptions {
  /**
   * Most entries per namespace when the namespace sets no `maxSize`. The
   * least recently used entry is evicted beyond it.
   *
   * @default 1000
   */
  max?: number;
  /**
   * Default time to live of entries written without one. Omitted: entries do
   * not expire unless a write gives a TTL.
   *
   * @default undefined (no expiry)
   */
  ttl?: Duration;
  /**
   * Where the store reads time. Inject a fake clock in tests instead of sleeping.
   *
   * @default performance
   */
  clock?: Clock;
  /**
   * Survive restarts without Redis: {@link MemoryStore.open} restores the
   * snapshot at `path` (expired entries dropped; a missing or corrupt file is
   * reported and ignored), and {@link MemoryStore.close} writes a new one.
   *
   * @default undefined (nothing is persisted)
   * @example
   * ```ts
   * const store = await MemoryStore.open({ persist: { path: '.cache/memokit.json' } });
   * ```
   */
  persist?: { readonly path: string };
}

const MEMORY_OPTIONS = ['max', 'ttl', 'clock', 'persist'] as const;

/** {@link MemoryStoreOptions}, checked: limits in ms and entries, the clock lru-cache reads. */
export interface MemorySettings {
  readonly max: number;
  readonly ttl: number | undefined;
  /** The clock given, shifted for lru-cache (see {@link offsetClock}); `undefined`: `performance`. */
  readonly perf: Clock | undefined;
  /** The clock given, as given (the engine arms load timeouts on it when it has timers). */
  readonly clock: Clock | undefined;
  readonly persistPath: string | undefined;
}

/**
 * Checks the options of `new MemoryStore()`, naming the option at fault.
 *
 * @example
 * ```ts
 * const { max } = memorySettings({ max: 500 }); // 500
 * ```
 */
export function memorySettings(options: MemoryStoreOptions): MemorySettings {
  const where = 'new MemoryStore()';
  assertKnownOptions(where, options, MEMORY_OPTIONS);
  const max = positiveInt(where, 'max', options.max, 1000);
  const ttl = options.ttl === undefined ? undefined : parseDuration(options.ttl, where, 'ttl');
  const clock = options.clock;
  if (clock !== undefined && typeof clock?.now !== 'function') {
    throw new TypeError(messages.BAD_FUNCTION_OPTION(where, 'clock.now', clock));
  }
  if (clock !== undefined && (clock.setTimeout !== undefined || clock.clearTimeout !== undefined)) {
    // A clock arms timers with both or neither: one alone would arm timers it cannot cancel, or the reverse.
    for (const name of ['setTimeout', 'clearTimeout'] as const) {
      if (typeof clock[name] !== 'function') {
        throw new TypeError(messages.BAD_FUNCTION_OPTION(where, `clock.${name}`, clock[name]));
      }
    }
  }
  const persist = options.persist;
  if (
    persist !== undefined &&
    (typeof persist !== 'object' || typeof persist?.path !== 'string' || persist.path === '')
  ) {
    throw new TypeError(messages.BAD_STRING_OPTION(where, 'persist.path', persist?.path));
  }
  return { max, ttl, perf: clock && offsetClock(clock), clock, persistPath: persist?.path };
}

/**
 * lru-cache treats a start time of 0 as "no TTL", so a fake clock starting at
 * 0 would make nothing expire. Shift readings so the first one is 1.
 */
function offsetClock(clock: Clock): Clock {
  const base = clock.now() - 1;
  return { now: () => clock.now() - base };
}
