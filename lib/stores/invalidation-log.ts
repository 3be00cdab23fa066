import type { StoreKey } from '../keys/keys.js';
import { activeTraceparent, traceIdOf } from '../util/trace-context.js';
import { hostname } from 'node:os';

/**
 * The last invalidation that touched an entry's key or its namespace, as
 * {@link CacheStore.inspect} reports it.
 *
 * @example
 * ```ts
 * const last: InvalidationRecord = { kind: 'key', at: Date.now(), from: 'api-1#4242', traceId: undefined };
 * ```
 */
export interface InvalidationRecord {
  /** `key`: the key was deleted; `namespace`: its namespace (the method's entries) was cleared. */
  readonly kind: 'key' | 'namespace';
  /** When, in milliseconds since the epoch (the recording process's clock, or Redis's). */
  readonly at: number;
  /**
   * Which process: `host#pid` for this one, a peer's bus id (`host#pid#…`)
   * for a tiered peer's; `undefined` when the store does not know (a delete
   * Redis logged, by any process).
   */
  readonly from: string | undefined;
  /** The trace of the span active when it was made, where tracing was on. @default undefined */
  readonly traceId?: string | undefined;
}

/** This process, as invalidation records name it: `host#pid` (the host name cut to 64 characters). */
export const PROCESS_LABEL = `${hostname().slice(0, 64)}#${process.pid}`;

/** Keys whose last invalidation a namespace remembers (the oldest is forgotten first). */
export const LOGGED_KEYS = 1024;

/**
 * The newest of two records (`undefined` when neither).
 *
 * @example
 * ```ts
 * const last = newest(local, logged);
 * ```
 */
export const newest = (
  a: InvalidationRecord | undefined,
  b: InvalidationRecord | undefined,
): InvalidationRecord | undefined => (a === undefined || (b !== undefined && b.at > a.at) ? b : a);

/**
 * A delete a shared store logged is taken for one this process already knows
 * of (made here, or heard from a peer over the bus) when it is at most this
 * much newer: the round trip between recording it here and Redis logging it,
 * or between Redis logging it and a peer hearing of it.
 */
export const SAME_DELETE_SLACK_MS = 100;

/**
 * The last invalidation to report, from what this process knows and a
 * delete a shared store logged (by any process, `from` unknown): the logged
 * one only when it is a later delete (more than {@link SAME_DELETE_SLACK_MS}
 * newer), so a delete known here keeps its process and trace.
 *
 * @example
 * ```ts
 * const last = knownOrLogged(local, logged);
 * ```
 */
export const knownOrLogged = (
  known: InvalidationRecord | undefined,
  logged: InvalidationRecord | undefined,
): InvalidationRecord | undefined =>
  logged !== undefined && (known === undefined || logged.at > known.at + SAME_DELETE_SLACK_MS) ? logged : known;

/**
 * What one namespace remembers of the invalidations it made or heard: the
 * last one of each of its last {@link LOGGED_KEYS} keys, and its last clear.
 * Bounded; costs a map write per invalidation, nothing on reads and writes.
 *
 * @example
 * ```ts
 * const log = new InvalidationLog();
 * log.deleted(42);
 * log.lastFor(42)?.kind; // 'key'
 * ```
 */
export class InvalidationLog {
  readonly #keys = new Map<StoreKey, InvalidationRecord>();
  #cleared: InvalidationRecord | undefined;

  /** Records a delete of `key` made here (or, with `from`/`traceparent`, heard from a peer). */
  deleted(key: StoreKey, from = PROCESS_LABEL, traceparent = activeTraceparent()): void {
    this.#keys.delete(key); // re-inserted last: the map's order is the order of the deletes
    this.#keys.set(key, { kind: 'key', at: Date.now(), from, traceId: traceIdOf(traceparent) });
    if (this.#keys.size > LOGGED_KEYS) {
      const oldest = this.#keys.keys().next();
      if (oldest.done !== true) this.#keys.delete(oldest.value);
    }
  }

  /** Records a clear of the namespace made here (or heard from a peer). */
  cleared(from = PROCESS_LABEL, traceparent = activeTraceparent()): void {
    this.#keys.clear();
    this.#cleared = { kind: 'namespace', at: Date.now(), from, traceId: traceIdOf(traceparent) };
  }

  /** The last invalidation of `key` or of the namespace; `undefined`: none remembered. */
  lastFor(key: StoreKey): InvalidationRecord | undefined {
    return newest(this.#cleared, this.#keys.get(key));
  }
}
