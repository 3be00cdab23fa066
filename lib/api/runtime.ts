import type { CallOptions } from '../engine/index.js';
import { messages } from '../util/messages.js';
import { assertKnownOptions } from '../util/options.js';
import { DefaultsLockedError } from './errors.js';
import { MemoryStore } from '../stores/memory/memory-store.js';
import type { CacheStore } from '../stores/contract.js';

/**
 * The api layer's process-wide state, all of it in this module: the
 * defaults of {@link configureMemokit} and the per-call options
 * `withCacheOptions` hands to the next decorated call. The registry of
 * decorated methods is process-wide too but lives in `registry.ts`: it is
 * filled when classes are defined and never reset. Stores keep their own
 * process state (tag targets, in `stores/tags.ts`); events are in
 * `util/events.ts`, shared with the stores.
 */

/**
 * Process-wide defaults for cached methods that no CacheModule binds (plain
 * TypeScript apps, or instances created outside NestJS).
 *
 * @example
 * ```ts
 * configureMemokit({ defaultStore: new MemoryStore({ max: 10_000, ttl: '10m' }) });
 * ```
 */
export interface MemokitDefaults {
  /**
   * The store unbound cached methods use.
   *
   * @default new MemoryStore()
   */
  defaultStore?: CacheStore;
}

interface DefaultsState {
  /** Whether `configureMemokit` ran. */
  configured: boolean;
  /** The default store, once configured or first used. */
  store: CacheStore | undefined;
  /** The first method that used the default store, named when a late `configureMemokit` is refused. */
  firstUser: string | undefined;
}

const freshDefaults = (): DefaultsState => ({ configured: false, store: undefined, firstUser: undefined });

let defaults = freshDefaults();

/**
 * Options handed by `withCacheOptions` to the next decorated call made
 * synchronously inside its callback. The decorated method's wrapper takes
 * them (and clears them) before running the method, so nested calls never
 * see them.
 *
 * @internal
 */
export const callContext: { pending: CallOptions | undefined } = { pending: undefined };

/**
 * Sets the process defaults. Call it once, at startup, before any cached
 * method runs; a second call, or a call after the default store was used,
 * throws a {@link DefaultsLockedError} instead of leaving some methods on the
 * old store.
 *
 * @example
 * ```ts
 * import { configureMemokit, MemoryStore } from 'memokit';
 * configureMemokit({ defaultStore: new MemoryStore({ max: 50_000 }) });
 * ```
 */
export function configureMemokit(options: MemokitDefaults): void {
  if (defaults.configured) throw new DefaultsLockedError(messages.DEFAULTS_ALREADY_SET());
  if (defaults.firstUser !== undefined) throw new DefaultsLockedError(messages.DEFAULTS_IN_USE(defaults.firstUser));
  assertKnownOptions('configureMemokit()', options, ['defaultStore']);
  defaults.configured = true;
  defaults.store = options.defaultStore;
}

/** The default store, created on first use; `user` is remembered for error messages. @internal */
export function useDefaultStore(user: string): CacheStore {
  defaults.firstUser ??= user;
  return (defaults.store ??= new MemoryStore());
}

/**
 * Forgets the defaults and any pending call options, as at process start
 * (the default store is dropped, not closed). For tests that need
 * `configureMemokit` more than once; engines already created keep their
 * store.
 *
 * @internal
 */
export function resetRuntime(): void {
  defaults = freshDefaults();
  callContext.pending = undefined;
}
