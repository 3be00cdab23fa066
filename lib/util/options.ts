import { messages } from './messages.js';

/**
 * Shared validators for user options: every mistake is a TypeError naming
 * `where` (what is being configured) and the option.
 *
 * @internal
 */

/** Throws for a non-object, or for a key outside `known` (a typo is never silently ignored). */
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

/** A positive safe integer, or `fallback` when omitted. */
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

/** A boolean option, or `fallback` when omitted. */
export function booleanOption(where: string, option: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new TypeError(messages.BAD_BOOLEAN_OPTION(where, option, value));
  return value;
}

/** A namespace version: a non-empty string or a finite number. */
export function assertVersion(where: string, version: unknown): asserts version is string | number | undefined {
  const ok =
    version === undefined ||
    (typeof version === 'string' && version !== '') ||
    (typeof version === 'number' && Number.isFinite(version));
  if (!ok) throw new TypeError(messages.BAD_VERSION(where, version));
}
