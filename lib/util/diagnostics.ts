import { channel } from 'node:diagnostics_channel';
import type { CacheErrorEvent, InvalidateEvent, KeyEvent } from './events.js';
import type { StoreKey } from './store-key.js';

/**
 * Message of `memokit:load:start`: a load of `key` began (a caller's miss, or
 * a background reload when `refresh` is true).
 *
 * @example
 * ```ts
 * diagnostics_channel.subscribe('memokit:load:start', (m) => console.log((m as LoadStartMessage).source));
 * ```
 */
export interface LoadStartMessage {
  /** A cached method's id (`UserService.getUser`) or a `Cache`'s name, as in events. */
  readonly source: string;
  readonly key: StoreKey;
  /** The store the entry is loaded for: its name in a NestJS module, else its kind (`memory`, `redis`, `tiered`...). */
  readonly store: string;
  /** A background reload (`staleWhileRevalidate`, `refreshAhead`) rather than a caller's miss. */
  readonly refresh: boolean;
}

/**
 * Message of `memokit:load:end`: the load resolved. It is the object
 * `memokit:load:start` published for this load, with `durationMs` added (a
 * subscriber may key a `WeakMap` by it to pair the two).
 *
 * @example
 * ```ts
 * diagnostics_channel.subscribe('memokit:load:end', (m) => histogram.record((m as LoadEndMessage).durationMs));
 * ```
 */
export interface LoadEndMessage extends LoadStartMessage {
  /** Milliseconds from the load's start to its value. */
  readonly durationMs: number;
}

/**
 * Message of `memokit:load:error`: the load rejected (callers get the error,
 * or a fail-safe value). The `load:start` object, with `durationMs` and
 * `error` added.
 *
 * @example
 * ```ts
 * diagnostics_channel.subscribe('memokit:load:error', (m) => report((m as LoadErrorMessage).error));
 * ```
 */
export interface LoadErrorMessage extends LoadEndMessage {
  readonly error: unknown;
}

/**
 * The one object a load publishes on `load:start`, then, with its outcome
 * filled in, on `load:end` or `load:error` (so subscribers can pair them).
 *
 * @internal
 */
export interface LoadMessage {
  readonly source: string;
  readonly key: StoreKey;
  readonly store: string;
  readonly refresh: boolean;
  durationMs?: number;
  error?: unknown;
}

/**
 * Message of `memokit:store:state`: a store stopped or started serving calls
 * (`available` false: Redis did not answer, calls skip it; true: it answers
 * again), or (`reset`) a tiered store dropped its in-memory tier because
 * invalidations may have been missed (a gap in the bus's messages, a lost
 * connection).
 *
 * @example
 * ```ts
 * diagnostics_channel.subscribe('memokit:store:state', (m) => {
 *   const { store, state } = m as StoreStateMessage;
 *   console.log(`${store} is ${state}`);
 * });
 * ```
 */
export interface StoreStateMessage {
  /** The store's name (its `name`, e.g. `redis` or the name given in `CacheModule.forRoot`). */
  readonly store: string;
  readonly state: 'available' | 'unavailable' | 'reset';
  /** Why, for `unavailable` and `reset`. */
  readonly reason?: string | undefined;
}

/**
 * memokit's `node:diagnostics_channel` channels, the hook APM agents use.
 * Publishing costs one check of `hasSubscribers` while nobody subscribes.
 * The messages are the payloads of the matching cache events where
 * there is one (`hit`, `miss`: {@link KeyEvent}; `invalidate`:
 * {@link InvalidateEvent}; `store:error`: {@link CacheErrorEvent}).
 *
 * | channel              | message                 |
 * | -------------------- | ----------------------- |
 * | `memokit:hit`        | {@link KeyEvent}        |
 * | `memokit:miss`       | {@link KeyEvent}        |
 * | `memokit:load:start` | {@link LoadStartMessage} |
 * | `memokit:load:end`   | {@link LoadEndMessage}  |
 * | `memokit:load:error` | {@link LoadErrorMessage} |
 * | `memokit:invalidate` | {@link InvalidateEvent} |
 * | `memokit:store:error`| {@link CacheErrorEvent} |
 * | `memokit:store:state`| {@link StoreStateMessage} |
 *
 * @example
 * ```ts
 * import diagnostics_channel from 'node:diagnostics_channel';
 * diagnostics_channel.subscribe('memokit:miss', (message) => {
 *   const { source, key } = message as KeyEvent;
 *   console.log(`miss ${source} ${String(key)}`);
 * });
 * ```
 */
export const channels = {
  hit: channel('memokit:hit'),
  miss: channel('memokit:miss'),
  loadStart: channel('memokit:load:start'),
  loadEnd: channel('memokit:load:end'),
  loadError: channel('memokit:load:error'),
  invalidate: channel('memokit:invalidate'),
  storeError: channel('memokit:store:error'),
  storeState: channel('memokit:store:state'),
} as const;

/**
 * The message of each channel, for subscribers to type what they receive.
 *
 * @example
 * ```ts
 * diagnostics_channel.subscribe('memokit:invalidate', (m) => {
 *   const { source, key, all } = m as ChannelMessages['memokit:invalidate'];
 * });
 * ```
 */
export interface ChannelMessages {
  'memokit:hit': KeyEvent;
  'memokit:miss': KeyEvent;
  'memokit:load:start': LoadStartMessage;
  'memokit:load:end': LoadEndMessage;
  'memokit:load:error': LoadErrorMessage;
  'memokit:invalidate': InvalidateEvent;
  'memokit:store:error': CacheErrorEvent;
  'memokit:store:state': StoreStateMessage;
}

/** The names of {@link channels}, as a subscriber passes them. */
export const CHANNEL_NAMES: readonly (keyof ChannelMessages)[] = [
  'memokit:hit',
  'memokit:miss',
  'memokit:load:start',
  'memokit:load:end',
  'memokit:load:error',
  'memokit:invalidate',
  'memokit:store:error',
  'memokit:store:state',
];
