import type { TestableStore } from './testable-store.js';

/**
 * The capabilities beyond the small store contract that the suite can test.
 * A store claims the ones it has (see {@link StoreContractOptions.capabilities}):
 *
 * - `'names'`: `kind` (a short label) and `name` (the namespace path, `''` at the root);
 * - `'namespaceTtl'`: `namespace(name, { ttl })` sets the TTL of writes without one;
 * - `'failSafe'`: writes take a `failSafe`, and `getFailSafe` serves an expired entry that long;
 * - `'has'`, `'setIfNotExists'`, `'expireIn'`, `'stats'`: the methods of those names;
 * - `'tags'`: writes take `tags`, and `invalidateTags` makes their entries unreachable;
 * - `'sync'`: `sync`, the operations of an in-process store, synchronously.
 *
 * @example
 * ```ts
 * const everything: readonly StoreCapability[] = STORE_CAPABILITIES;
 * ```
 */
export const STORE_CAPABILITIES = [
  'names',
  'namespaceTtl',
  'failSafe',
  'has',
  'setIfNotExists',
  'expireIn',
  'stats',
  'tags',
  'sync',
] as const;

/**
 * One capability beyond the small store contract; see {@link STORE_CAPABILITIES}.
 *
 * @example
 * ```ts
 * const claimed: StoreCapability[] = ['has', 'stats'];
 * ```
 */
export type StoreCapability = (typeof STORE_CAPABILITIES)[number];

const isFunction = (value: unknown): boolean => typeof value === 'function';

/**
 * For each capability, whether a store has the members it needs (`undefined`:
 * behaviour only, nothing to look for).
 */
const MEMBERS: Readonly<Record<StoreCapability, ((store: TestableStore) => boolean) | undefined>> = {
  names: (store) => typeof store.kind === 'string' && typeof store.name === 'string',
  namespaceTtl: undefined,
  failSafe: (store) => isFunction(store.getFailSafe),
  has: (store) => isFunction(store.has),
  setIfNotExists: (store) => isFunction(store.setIfNotExists),
  expireIn: (store) => isFunction(store.expireIn),
  stats: (store) => isFunction(store.stats),
  tags: (store) => isFunction(store.invalidateTags),
  sync: (store) => typeof store.sync === 'object' && store.sync !== null,
};

/**
 * The claimed capabilities whose members `store` lacks (a renamed or missing
 * method), so that a claim cannot pass by testing nothing.
 *
 * @example
 * ```ts
 * assert.deepEqual(missingMembers(store, ['has']), []);
 * ```
 */
export function missingMembers(store: TestableStore, claimed: readonly StoreCapability[]): StoreCapability[] {
  return claimed.filter((capability) => MEMBERS[capability]?.(store) === false);
}

/**
 * Throws a `TypeError` naming the option when `claimed` holds something that is
 * not a capability (a typo would otherwise skip its tests silently).
 *
 * @example
 * ```ts
 * assertCapabilities(['has', 'stats']);
 * ```
 */
export function assertCapabilities(claimed: readonly unknown[]): asserts claimed is readonly StoreCapability[] {
  for (const capability of claimed) {
    if (!(STORE_CAPABILITIES as readonly unknown[]).includes(capability)) {
      throw new TypeError(
        `registerStoreContract option "capabilities" has an unknown capability ${JSON.stringify(capability)}; ` +
          `known: ${STORE_CAPABILITIES.join(', ')}`,
      );
    }
  }
}
