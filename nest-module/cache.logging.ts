import { Logger } from '@nestjs/common';
import type { CacheStore, StoreStateChange } from '../lib/index.js';
import { CacheModuleOptionsError } from './cache.errors.js';
import { messages } from './cache.messages.js';

/**
 * The levels of the module's state lines, lowest first.
 *
 * @example
 * ```ts
 * const level: CacheLogLevel = 'warn';
 * ```
 */
export type CacheLogLevel = 'debug' | 'log' | 'warn' | 'error';

/**
 * What {@link CacheModuleOptions.logger} takes besides `true` and `false`.
 *
 * @example
 * ```ts
 * CacheModule.forRoot({ logger: { level: 'warn' } });
 * ```
 */
export interface CacheLoggerOptions {
  /**
   * The lowest level written: `'warn'` keeps the lines about a store going
   * down and drops the `log` line of its recovery.
   *
   * @default 'log'
   */
  level?: CacheLogLevel;
}

const LEVELS: readonly CacheLogLevel[] = ['debug', 'log', 'warn', 'error'];

/** Logger context of the state lines. */
export const STATE_LOGGER_CONTEXT = 'memokit';

/**
 * The lowest level of state lines the `logger` option asks for; `false`: none.
 * A value it cannot read is a {@link CacheModuleOptionsError} naming the option.
 *
 * @internal
 */
export function logLevelOf(option: unknown): CacheLogLevel | false {
  if (option === undefined || option === true) return 'log';
  if (option === false) return false;
  if (typeof option === 'object' && option !== null && !Array.isArray(option)) {
    const keys = Object.keys(option);
    const { level } = option as { level?: unknown };
    if (keys.every((key) => key === 'level') && (level === undefined || LEVELS.includes(level as CacheLogLevel))) {
      return (level as CacheLogLevel | undefined) ?? 'log';
    }
  }
  throw new CacheModuleOptionsError(messages.BAD_LOGGER_OPTION(option, LEVELS));
}

/** The level and text of the line for one state change of store `name`. */
function lineOf(name: string, store: CacheStore, change: StoreStateChange): [CacheLogLevel, string] {
  switch (change.state) {
    case 'unavailable':
      return ['warn', messages.STORE_UNAVAILABLE(name, store.kind, change.reason)];
    case 'available':
      return ['log', messages.STORE_AVAILABLE(name, store.kind)];
    case 'reset':
      // Subscribing resets L1 at every start: that is not news.
      return [change.reason === 'subscribed' ? 'debug' : 'warn', messages.STORE_RESET(name, change.reason)];
    case 'oversized':
      return ['warn', messages.VALUE_TOO_LARGE(name, change.namespace, change.reason)];
  }
}

/**
 * Writes one line through Nest's `Logger` (context `memokit`) for each state
 * change of `stores` (a store down, back, a tiered store's reset, the first
 * oversized value of a namespace), never one per call; lines below `level`
 * are dropped. Returns a function that stops it.
 *
 * @internal
 */
export function logStoreStates(
  stores: ReadonlyMap<CacheStore, string>,
  level: CacheLogLevel,
  logger: Logger = new Logger(STATE_LOGGER_CONTEXT),
): () => void {
  const lowest = LEVELS.indexOf(level);
  const stops: (() => void)[] = [];
  for (const [store, name] of stores) {
    const stop = store.onStateChange?.((change) => {
      const [lineLevel, text] = lineOf(name, store, change);
      if (LEVELS.indexOf(lineLevel) >= lowest) logger[lineLevel](text);
    });
    if (stop !== undefined) stops.push(stop);
  }
  return () => {
    for (const stop of stops.splice(0)) stop();
  };
}
