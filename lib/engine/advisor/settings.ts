/**
 * The `advisor` option, validated: `true`, a sampling rate, or
 * `{ rate, maxKeys, seed }` (see {@link AdvisorOptions}).
 */
import { messages } from '../../util/messages.js';
import type { AdvisorOptions } from './advice.js';

/**
 * A validated `advisor` option.
 *
 * @internal
 *
 * @example
 * ```ts
 * const settings: AdvisorSettings = { rate: 0.01, maxKeys: 8192, seed: 0 };
 * ```
 */
export interface AdvisorSettings {
  readonly rate: number;
  readonly maxKeys: number;
  readonly seed: number;
}

/**
 * The sampling rate of `advisor: true`.
 *
 * @default 0.01
 * @example
 * ```ts
 * @AsyncLRU({ maxSize: 5000, advisor: DEFAULT_ADVISOR_RATE * 10 }) // samples 10% of keys
 * ```
 */
export const DEFAULT_ADVISOR_RATE = 0.01;

/**
 * Most keys an advisor samples at once, unless `maxKeys` says otherwise.
 *
 * @default 8192
 * @example
 * ```ts
 * @AsyncLRU({ maxSize: 5000, advisor: { maxKeys: DEFAULT_ADVISOR_MAX_KEYS / 2 } })
 * ```
 */
export const DEFAULT_ADVISOR_MAX_KEYS = 8192;

const ADVISOR_KEYS = ['rate', 'maxKeys', 'seed'];

/**
 * Validates an `advisor` option: `undefined` (not stated: the module's, else
 * off), `false` (off), or its settings. Every mistake is a TypeError naming
 * `where` and what to write instead.
 *
 * @internal
 */
export function advisorSettingsOf(where: string, value: unknown): AdvisorSettings | false | undefined {
  if (value === undefined) return undefined;
  if (value === false) return false;
  if (value === true) return { rate: DEFAULT_ADVISOR_RATE, maxKeys: DEFAULT_ADVISOR_MAX_KEYS, seed: 0 };
  if (typeof value === 'number') return { rate: rateOf(where, value), maxKeys: DEFAULT_ADVISOR_MAX_KEYS, seed: 0 };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError(messages.BAD_ADVISOR(where, value));
  }
  const options = value as Record<string, unknown>;
  const unknown = Object.keys(options).find((key) => !ADVISOR_KEYS.includes(key));
  if (unknown !== undefined) throw new TypeError(messages.UNKNOWN_ADVISOR_OPTION(where, unknown));
  const { rate, maxKeys, seed } = options as AdvisorOptions;
  if (maxKeys !== undefined && !(Number.isInteger(maxKeys) && maxKeys >= 16 && maxKeys <= 1_000_000)) {
    throw new TypeError(messages.BAD_ADVISOR_MAX_KEYS(where, maxKeys));
  }
  if (seed !== undefined && !Number.isInteger(seed)) throw new TypeError(messages.BAD_ADVISOR_SEED(where, seed));
  return {
    rate: rate === undefined ? DEFAULT_ADVISOR_RATE : rateOf(where, rate),
    maxKeys: maxKeys ?? DEFAULT_ADVISOR_MAX_KEYS,
    seed: seed ?? 0,
  };
}

function rateOf(where: string, rate: unknown): number {
  if (typeof rate !== 'number' || !(rate > 0 && rate <= 1)) throw new TypeError(messages.BAD_ADVISOR_RATE(where, rate));
  return rate;
}
