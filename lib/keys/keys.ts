/**
 * Cache keys from a call's arguments or a keyFn result: one number or string
 * is the key as it is; anything else is its canonical encoding
 * (`canonical.ts`), digested when long. Values that cannot be part of a key
 * are a `TypeError` naming the method, the argument and where in it.
 */
import { createHash } from 'node:crypto';
import { messages } from '../util/messages.js';
import { CanonicalEncoder, UnencodableError } from './canonical.js';

export type { StoreKey } from '../util/store-key.js';
import type { StoreKey } from '../util/store-key.js';

/**
 * Canonical keys longer than this many characters are replaced by a SHA-256
 * digest (`"\0#"` + 43 base64url characters), so stores never see huge keys.
 *
 * @default 250
 */
export const MAX_KEY_LENGTH = 250;

const MARK = '\0';

/** Where an encoding error points: an argument index or the keyFn result. */
interface ErrorSite {
  readonly where: string;
  /** Absolute argument index, or -1 for a keyFn result. */
  readonly index: number;
}

/**
 * Hashes the UTF-16 code units, not UTF-8: UTF-8 turns every lone surrogate into
 * U+FFFD, so keys differing only in lone surrogates would share a digest.
 */
const digest = (encoded: string): string =>
  `${MARK}#${createHash('sha256').update(encoded, 'utf16le').digest('base64url')}`;

const finish = (encoded: string): string => {
  if (encoded.length > MAX_KEY_LENGTH) return digest(encoded);
  // Built by concatenation, `encoded` is a tree of pieces (a V8 cons string) that every Map lookup would hash and
  // compare piece by piece. Reading a character flattens it in place, once (object-argument hits: about 20% faster).
  encoded.charCodeAt(0);
  return encoded;
};

function rethrow(error: unknown, site: ErrorSite, relativeIndex: number): never {
  if (!(error instanceof UnencodableError)) throw error;
  if (site.index < 0) {
    const path = relativeIndex >= 0 ? `[${relativeIndex}]${error.path}` : error.path;
    throw new TypeError(
      error.kind === 'circular'
        ? messages.CIRCULAR_KEY_FN_RESULT(site.where, path)
        : error.kind === 'opaque'
          ? messages.OPAQUE_KEY_FN_RESULT(site.where, path, error.what)
          : messages.UNENCODABLE_KEY_FN_RESULT(site.where, path, error.what),
    );
  }
  const index = site.index + relativeIndex;
  throw new TypeError(
    error.kind === 'circular'
      ? messages.CIRCULAR_ARG(site.where, index, error.path)
      : error.kind === 'opaque'
        ? messages.OPAQUE_ARG(site.where, index, error.path, error.what)
        : messages.UNENCODABLE_ARG(site.where, index, error.path, error.what),
  );
}

/** The key of one number or string used as is, or `undefined` when it needs encoding. */
function plainKey(only: unknown): StoreKey | undefined {
  if (typeof only === 'number') return only === 0 ? 0 : only;
  if (typeof only === 'string' && only.length <= MAX_KEY_LENGTH && only.charCodeAt(0) !== 0) return only;
  return undefined;
}

/**
 * Derives the key for `parts[start..end)`, where `end` excludes trailing
 * `undefined`s. One number or one string is returned as is; anything else is
 * canonically encoded, then hashed if longer than {@link MAX_KEY_LENGTH}.
 */
function keyOf(
  parts: ArrayLike<unknown>,
  start: number,
  where: string,
  fromKeyFn: boolean,
  /** A keyFn result that is not an array: errors name no `[index]` in its path. */
  single = false,
): StoreKey {
  let end = parts.length;
  while (end > start && parts[end - 1] === undefined) end--;
  if (end - start === 1) {
    const plain = plainKey(parts[start]);
    if (plain !== undefined) return plain;
  }
  const encoder = new CanonicalEncoder();
  let encoded = MARK;
  let i = start;
  try {
    for (; i < end; i++) encoded += encoder.encode(parts[i]);
  } catch (error) {
    rethrow(error, { where, index: fromKeyFn ? -1 : start }, single ? -1 : i - start);
  }
  return finish(encoded);
}

/**
 * The cache key for a call's arguments, skipping the first `skipArgs` ones.
 * Trailing `undefined` arguments are dropped, so `f(1)` and `f(1, undefined)`
 * share a key.
 *
 * @param args - the call's arguments
 * @param skipArgs - how many leading arguments to leave out of the key
 * @param where - `Class.method`, named in errors
 * @throws TypeError naming `where` and the argument index for functions,
 *   symbols, promises, weak collections and circular structures
 *
 * @example
 * ```ts
 * keyForArgs([42], 0, 'Svc.get');             // 42
 * keyForArgs([{ b: 2, a: 1 }], 0, 'Svc.get'); // same key as [{ a: 1, b: 2 }]
 * ```
 */
export function keyForArgs(args: ArrayLike<unknown>, skipArgs: number, where: string): StoreKey {
  if (args.length === skipArgs + 1) {
    const plain = plainKey(args[skipArgs]);
    if (plain !== undefined) return plain;
  }
  return keyOf(args, skipArgs, where, false);
}

/**
 * The cache key for a `keyFn` result. An array is a tuple of key parts (so
 * `() => [id]` and `() => id` give one key); anything else is a single part.
 *
 * @example
 * ```ts
 * keyForKeyFnResult(['user', 42], 'Svc.get');
 * ```
 */
export function keyForKeyFnResult(result: unknown, where: string): StoreKey {
  if (Array.isArray(result)) return keyOf(result, 0, where, true);
  const plain = plainKey(result);
  return plain !== undefined ? plain : keyOf([result], 0, where, true, true);
}

/**
 * The canonical string form of a {@link StoreKey}, for stores that need string
 * keys (Redis). Strings are returned unchanged; numbers get the same encoding a
 * one-number tuple would.
 *
 * @example
 * ```ts
 * storeKeyToString('alice'); // 'alice'
 * storeKeyToString(42);      // '\0n42;'
 * ```
 */
export function storeKeyToString(key: StoreKey): string {
  return typeof key === 'string' ? key : `${MARK}n${key};`;
}
