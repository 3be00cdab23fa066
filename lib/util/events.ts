import type { StoreKey } from './store-key.js';

/**
 * Payload of `hit`, `miss`, `set`, `evict` and `refresh` events (`refresh`: a
 * background reload started by `staleWhileRevalidate` or `refreshAhead`).
 *
 * @example
 * ```ts
 * cacheEvents.on('miss', (e: KeyEvent) => console.log(`${e.source} missed ${String(e.key)}`));
 * ```
 */
export interface KeyEvent {
  /** What emitted it: a cached method's id (`UserService.getUser`) or a `Cache`'s name. */
  readonly source: string;
  /** The key inside the source's namespace. */
  readonly key: StoreKey;
}

/**
 * Payload of `invalidate` events: one key, some tags, or everything.
 *
 * @example
 * ```ts
 * cacheEvents.on('invalidate', (e) => e.all && console.log(`${e.source} cleared`));
 * ```
 */
export interface InvalidateEvent {
  readonly source: string;
  /** The invalidated key, when one key was. */
  readonly key?: StoreKey | undefined;
  /** The invalidated tags, when tags were. */
  readonly tags?: readonly string[] | undefined;
  /** `true` when every entry of the source was cleared. */
  readonly all: boolean;
  /**
   * Another process made it (heard over a tiered store's bus; diagnostics
   * channel only): that process's id. Absent: made in this process.
   *
   * @default undefined
   */
  readonly from?: string | undefined;
  /** With `from`: the W3C `traceparent` of the span it was made in, where tracing was on. @default undefined */
  readonly traceparent?: string | undefined;
}

/**
 * Payload of `error` events: a failure the cache absorbed (the caller still got
 * its value) or a load that rejected.
 *
 * @example
 * ```ts
 * cacheEvents.on('error', (e) => logger.warn(`${e.source} ${e.operation} failed`, e.error));
 * ```
 */
export interface CacheErrorEvent {
  readonly source: string;
  /**
   * What failed: a store operation, the method's own load, a user callback,
   * or (`bus`) a message a tiered store dropped from its invalidation bus.
   */
  readonly operation: 'get' | 'set' | 'delete' | 'clear' | 'load' | 'shouldCache' | 'bus';
  readonly key?: StoreKey | undefined;
  readonly error: unknown;
}

/**
 * Every event and its payload.
 *
 * @example
 * ```ts
 * type HitPayload = CacheEventMap['hit']; // KeyEvent
 * ```
 */
export interface CacheEventMap {
  hit: KeyEvent;
  miss: KeyEvent;
  set: KeyEvent;
  evict: KeyEvent;
  refresh: KeyEvent;
  invalidate: InvalidateEvent;
  error: CacheErrorEvent;
}

/** Name of a cache event. */
export type CacheEventName = keyof CacheEventMap;

type Listener<E extends CacheEventName> = (event: CacheEventMap[E]) => void;

/**
 * A typed listener registry. Emitting costs one boolean check while nobody
 * listens, so the hit path stays allocation-free. A listener that throws is
 * reported with `process.emitWarning` and never breaks the cached call.
 *
 * @example
 * ```ts
 * const off = cacheEvents.on('hit', ({ source }) => metrics.increment(`cache.hit.${source}`));
 * off(); // stop listening
 * ```
 */
export class CacheEvents {
  #listeners = new Map<CacheEventName, Set<Listener<CacheEventName>>>();
  /** Whether any listener is registered (checked before building a payload). */
  active = false;

  /**
   * Adds a listener; returns a function that removes it.
   *
   * @example
   * ```ts
   * const off = events.on('error', (e) => console.error(e.error));
   * ```
   */
  on<E extends CacheEventName>(event: E, listener: Listener<E>): () => void {
    let set = this.#listeners.get(event);
    if (set === undefined) this.#listeners.set(event, (set = new Set()));
    set.add(listener as Listener<CacheEventName>);
    this.active = true;
    return () => this.off(event, listener);
  }

  /** Removes a listener added with {@link CacheEvents.on}. */
  off<E extends CacheEventName>(event: E, listener: Listener<E>): void {
    const set = this.#listeners.get(event);
    if (set?.delete(listener as Listener<CacheEventName>) && set.size === 0) this.#listeners.delete(event);
    this.active = this.#listeners.size > 0;
  }

  /** Calls the listeners of `event`. @internal */
  emit<E extends CacheEventName>(event: E, payload: CacheEventMap[E]): void {
    const set = this.#listeners.get(event);
    if (set === undefined) return;
    for (const listener of set) {
      try {
        listener(payload);
      } catch (error) {
        process.emitWarning(`memokit: a "${event}" listener threw: ${String(error)}`, {
          code: 'MEMOKIT_LISTENER_ERROR',
        });
      }
    }
  }
}

/**
 * Events of every decorated method in this process (`source` is the method's
 * id). Each `Cache` has its own `events` too.
 *
 * @example
 * ```ts
 * cacheEvents.on('miss', ({ source, key }) => console.log('miss', source, key));
 * ```
 */
export const cacheEvents = new CacheEvents();
