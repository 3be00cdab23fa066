import { messages } from './messages.js';

/**
 * Shared validators for user options, used by every layer: each mistake is a
 * `TypeError` naming `where` (what is being configured, e.g.
 * `new RedisStore()` or `@AsyncLRU on Svc.get`), the option, what it must be
 * and the value given. A validator given a `fallback` returns it when the
 * option is omitted (`undefined`); without one, the option is required.
 *
 * @internal
 */

/**
 * Throws for a non-object, or for a key outside `known` (a typo is never silently ignored).
 *
 * @example
 * ```ts
 * assertKnownOptions('new MemoryStore()', options, ['max', 'ttl']);
 * ```
 */
export function assertKnownOptions(
  where: string,
  options: unknown,
  known: readonly string[],
): asserts options is object {
  if (typeof options !== 'object' || options === null) throw new TypeError(messages.BAD_OPTIONS_OBJECT(where, options));
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw new TypeError(messages.UNKNOWN_OPTION(where, key, known));
  }
}

/**
 * A positive safe integer, or `fallback` when omitted.
 *
 * @example
 * ```ts
 * const max = positiveInt('new MemoryStore()', 'max', options.max, 1000);
 * ```
 */
export function positiveInt<F extends number | undefined>(
  where: string,
  option: string,
  value: unknown,
  fallback: F,
): number | F {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new TypeError(messages.BAD_POSITIVE_INT(where, option, value));
  }
  return value;
}

/**
 * A safe integer `>= 0`, or `fallback` when omitted.
 *
 * @example
 * ```ts
 * const skipArgs = nonNegativeInt('@AsyncLRU on Svc.get', 'skipArgs', options.skipArgs, 0);
 * ```
 */
export function nonNegativeInt<F extends number | undefined>(
  where: string,
  option: string,
  value: unknown,
  fallback: F,
): number | F {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new TypeError(messages.BAD_NONNEGATIVE_INT(where, option, value));
  }
  return value;
}

/**
 * A finite number `>= 0`, or `fallback` when omitted.
 *
 * @example
 * ```ts
 * const window = nonNegativeNumber('createBatchLoader()', 'window', options.window, 5);
 * ```
 */
export function nonNegativeNumber<F extends number | undefined>(
  where: string,
  option: string,
  value: unknown,
  fallback: F,
): number | F {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new TypeError(messages.BAD_NONNEGATIVE_NUMBER(where, option, value));
  }
  return value;
}

/**
 * A boolean option, or `fallback` when omitted.
 *
 * @example
 * ```ts
 * const clearAll = booleanOption('@LRUInvalidator on Repo.update', 'clearAll', options.clearAll, false);
 * ```
 */
export function booleanOption(where: string, option: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new TypeError(messages.BAD_BOOLEAN_OPTION(where, option, value));
  return value;
}

/**
 * A non-empty string; `fallback` when omitted if one is given, else the option
 * is required.
 *
 * @example
 * ```ts
 * const name = nonEmptyString('MemoryStore.namespace()', 'name', name);
 * const prefix = nonEmptyString('new Cache()', 'prefix', options.prefix, undefined);
 * ```
 */
export function nonEmptyString(where: string, option: string, value: unknown): string;
export function nonEmptyString<F extends string | undefined>(
  where: string,
  option: string,
  value: unknown,
  fallback: F,
): string | F;
export function nonEmptyString(
  where: string,
  option: string,
  value: unknown,
  ...fallback: [] | [string | undefined]
): string | undefined {
  if (value === undefined && fallback.length === 1) return fallback[0];
  if (typeof value !== 'string' || value === '') throw new TypeError(messages.BAD_STRING_OPTION(where, option, value));
  return value;
}

/**
 * A function; `fallback` when omitted if one is given, else the option is
 * required. The function's type is the caller's to state: only `typeof` is
 * checked.
 *
 * @example
 * ```ts
 * const keyFn = functionOption<KeyFn>('@AsyncLRU on Svc.get', 'keyFn', options.keyFn, undefined);
 * ```
 */
export function functionOption<T extends Function>(where: string, option: string, value: unknown): T;
export function functionOption<T extends Function, F extends T | undefined>(
  where: string,
  option: string,
  value: unknown,
  fallback: F,
): T | F;
export function functionOption<T extends Function>(
  where: string,
  option: string,
  value: unknown,
  ...fallback: [] | [T | undefined]
): T | undefined {
  if (value === undefined && fallback.length === 1) return fallback[0];
  if (typeof value !== 'function') throw new TypeError(messages.BAD_FUNCTION_OPTION(where, option, value));
  return value as T;
}

/**
 * A namespace version: a non-empty string or a finite number.
 *
 * @example
 * ```ts
 * assertVersion('new Cache()', options.version);
 * ```
 */
export function assertVersion(where: string, version: unknown): asserts version is string | number | undefined {
  const ok =
    version === undefined ||
    (typeof version === 'string' && version !== '') ||
    (typeof version === 'number' && Number.isFinite(version));
  if (!ok) throw new TypeError(messages.BAD_VERSION(where, version));
}
