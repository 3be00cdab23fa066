import { messages } from '../util/messages.js';
import { MemoryStore } from '../stores/memory/memory-store.js';
import type { CacheStore } from '../stores/contract.js';

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

let configured = false;
let store: CacheStore | undefined;
let firstUser: string | undefined;

/**
 * Sets the process defaults. Call it once, at startup, before any cached
 * method runs; a second call, or a call after the default store was used,
 * throws instead of leaving some methods on the old store.
 *
 * @example
 * ```ts
 * import { configureMemokit, MemoryStore } from 'memokit';
 * configureMemokit({ defaultStore: new MemoryStore({ max: 50_000 }) });
 * ```
 */
export function configureMemokit(options: MemokitDefaults): void {
  if (configured) throw new Error(messages.DEFAULTS_ALREADY_SET());
  if (firstUser !== undefined) throw new Error(messages.DEFAULTS_IN_USE(firstUser));
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(messages.BAD_OPTIONS_OBJECT('configureMemokit()', options));
  }
  for (const key of Object.keys(options)) {
    if (key !== 'defaultStore')
      throw new TypeError(messages.UNKNOWN_OPTION('configureMemokit()', key, ['defaultStore']));
  }
  configured = true;
  store = options.defaultStore;
}

/** The default store, created on first use; `user` is remembered for error messages. @internal */
export function useDefaultStore(user: string): CacheStore {
  firstUser ??= user;
  return (store ??= new MemoryStore());
}
