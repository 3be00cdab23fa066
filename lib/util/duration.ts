import { messages } from './messages.js';

/**
 * A duration: milliseconds as a number, or a string with a unit.
 *
 * Units: `ms`, `s`, `m`, `h`, `d`. Fractions are allowed (`'1.5s'`).
 *
 * @example
 * ```ts
 * const a: Duration = 250;      // 250 ms
 * const b: Duration = '30s';    // 30 000 ms
 * const c: Duration = '5m';     // 300 000 ms
 * ```
 */
export type Duration = number | `${number}${DurationUnit}` | `${number} ${DurationUnit}`;

/** Units accepted in a {@link Duration} string. */
export type DurationUnit = 'ms' | 's' | 'm' | 'h' | 'd';

const UNIT_MS: Readonly<Record<DurationUnit, number>> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

const PATTERN = /^(\d+(?:\.\d+)?|\.\d+)\s*(ms|s|m|h|d)$/;

/**
 * Converts a {@link Duration} to milliseconds. Zero, negative, non-finite and
 * malformed values throw a `TypeError` naming `where` and `option`; there is
 * never a silent default.
 *
 * @param value - the duration to parse
 * @param where - what is being configured, e.g. `@AsyncTTL on UserService.getUser`
 * @param option - the option name, e.g. `ttl`
 * @returns the duration in milliseconds (a positive finite number)
 *
 * @example
 * ```ts
 * parseDuration('5m', 'MemoryStore', 'ttl'); // 300000
 * parseDuration(0, 'MemoryStore', 'ttl');    // throws TypeError
 * ```
 */
export function parseDuration(value: unknown, where: string, option: string): number {
  let ms = Number.NaN;
  if (typeof value === 'number') {
    ms = value;
  } else if (typeof value === 'string') {
    const match = PATTERN.exec(value.trim());
    if (match !== null) ms = Number(match[1]) * UNIT_MS[match[2] as DurationUnit];
  }
  if (!Number.isFinite(ms) || ms <= 0) {
    throw new TypeError(messages.BAD_DURATION(where, option, value));
  }
  return ms;
}
