/**
 * A key inside one cache namespace. A single number or string argument is used
 * as is (no key building on the hot path); everything else is a canonical
 * string that starts with `"\0"`, so it can never collide with a plain string.
 *
 * @example
 * ```ts
 * const a: StoreKey = 42;        // getUser(42)
 * const b: StoreKey = 'alice';   // getUser('alice')
 * ```
 */
export type StoreKey = string | number;
