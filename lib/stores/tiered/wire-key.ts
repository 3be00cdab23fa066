import type { StoreKey } from '../../keys/keys.js';

/**
 * A key as a bus message carries it: its type (`n` number, `s` string) and
 * its text, so `1` and `'1'` stay apart.
 *
 * @example
 * ```ts
 * fromWire(wireKey(42)); // 42
 * ```
 */
export const wireKey = (key: StoreKey): ['n' | 's', string] =>
  typeof key === 'number' ? ['n', String(key)] : ['s', key];

/**
 * The key a bus message's `key` stands for (see {@link wireKey}).
 *
 * @example
 * ```ts
 * fromWire(['s', 'user:1']); // 'user:1'
 * ```
 */
export const fromWire = ([type, text]: readonly ['n' | 's', string]): StoreKey => (type === 'n' ? Number(text) : text);
