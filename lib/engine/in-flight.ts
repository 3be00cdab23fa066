import type { StoreKey } from '../keys/keys.js';
import type { LoadMessage } from '../util/diagnostics.js';

/**
 * One load in flight for one key. Callers that join it share `promise`.
 *
 * @internal
 *
 * @example
 * ```ts
 * const load = loads.begin(key);
 * load.promise = run(load);
 * ```
 */
export class Load {
  /** Settles with the load's value (or its error); set right after the load starts. */
  promise!: Promise<unknown>;
  /** Set when an invalidation overtook this load: its value must not be stored. */
  stale = false;
  /**
   * A background reload's stand-in: callers arriving while it runs get this
   * (the expired or current value) instead of waiting for the reload.
   */
  meanwhile: Promise<unknown> | undefined = undefined;
  /** Whether {@link Load.meanwhile} is an expired value (stale-while-revalidate) rather than a current one. */
  meanwhileStale = false;
  /**
   * Set once the load passed `timeout.hard` for its first callers: a caller
   * joining later gets its own bounded wait from this, not their error.
   */
  rejoin: (() => Promise<unknown>) | undefined = undefined;
  /**
   * The message of `memokit:load:start`, while a subscriber listens to the
   * load channels: `load:end` / `load:error` publish the same object with
   * the outcome added, so a subscriber can pair them (a span per load).
   */
  message: LoadMessage | undefined = undefined;
  /** @param epoch the {@link InFlight.epoch} when the load started. */
  constructor(readonly epoch: number) {}
}

/**
 * Never removed from the Map of {@link InFlight}, so the Map never empties: V8
 * would otherwise shrink and regrow its table on every miss. Not a load: no
 * key equals it, and {@link InFlight.count} leaves it out.
 */
const SENTINEL_KEY = Symbol('memokit.inflight') as unknown as StoreKey;
const SENTINEL_LOAD = new Load(-1);

/** Key equality of the registry: a Map's SameValueZero (`NaN` equals `NaN`; keys are never `-0`). */
const sameKey = (a: StoreKey | undefined, b: StoreKey): boolean => a === b || (a !== a && b !== b);

/**
 * The loads in flight of one binding, by key, and what decides whether a
 * finishing load may store its value: invalidations that overtook it (the
 * load is marked stale, or `clear()` bumped the epoch) and mutation windows
 * open on its key or on the whole binding.
 *
 * Most methods have at most one load in flight at a time, and for them a Map
 * insert and delete per miss cost more than the rest of the miss path
 * together (docs/benchmarks.md): a load goes in the solo slot when that slot
 * is free as it starts, the others in the Map.
 *
 * @internal
 *
 * @example
 * ```ts
 * const loads = new InFlight();
 * const load = loads.begin('k');
 * loads.running('k') === load; // true
 * loads.release('k', load);
 * ```
 */
export class InFlight {
  readonly #loads = new Map<StoreKey, Load>([[SENTINEL_KEY, SENTINEL_LOAD]]);
  #soloKey: StoreKey | undefined = undefined;
  #soloLoad: Load | undefined = undefined;
  /** Bumped by {@link InFlight.abandonAll}: loads started before it must not store. */
  #epoch = 0;
  /** Keys with a mutation running (count per key): loads finishing meanwhile must not store. */
  readonly #mutating = new Map<StoreKey, number>();
  /** Clear-all mutations running: no load may store meanwhile. */
  #clearing = 0;

  /** Number of loads in flight. */
  get count(): number {
    return this.#loads.size - 1 + (this.#soloLoad === undefined ? 0 : 1); // the sentinel
  }

  /** The load in flight for `key`, if any. */
  running(key: StoreKey): Load | undefined {
    if (this.#soloLoad !== undefined && sameKey(this.#soloKey, key)) return this.#soloLoad;
    return this.#loads.size === 1 ? undefined : this.#loads.get(key);
  }

  /** Starts a load for `key`: registered as the one in flight (replacing any), its promise still to set. */
  begin(key: StoreKey): Load {
    const load = new Load(this.#epoch);
    if (this.#soloLoad === undefined) {
      // A load it replaces (refresh) may be in the Map: it must not be found once this one is released.
      if (this.#loads.size > 1) this.#loads.delete(key);
      this.#soloKey = key;
      this.#soloLoad = load;
    } else if (sameKey(this.#soloKey, key)) {
      this.#soloLoad = load;
    } else {
      this.#loads.set(key, load);
    }
    return load;
  }

  /** Unregisters `load`, if it is still the load in flight for `key`. */
  release(key: StoreKey, load: Load): void {
    if (this.#soloLoad === load) {
      this.#soloKey = undefined;
      this.#soloLoad = undefined;
    } else if (this.#loads.size > 1 && this.#loads.get(key) === load) {
      this.#loads.delete(key);
    }
  }

  /** The load for `key` keeps serving its callers but will not store; the next caller starts a new one. */
  abandon(key: StoreKey): void {
    const running = this.running(key);
    if (running !== undefined) {
      running.stale = true;
      this.release(key, running);
    }
  }

  /** Every load in flight keeps serving its callers but will not store; later callers start new ones. */
  abandonAll(): void {
    this.#epoch++;
    this.#soloKey = undefined;
    this.#soloLoad = undefined;
    this.#loads.clear();
    this.#loads.set(SENTINEL_KEY, SENTINEL_LOAD);
  }

  /** Whether `load` may store its value for `key` now. */
  mayStore(load: Load, key: StoreKey): boolean {
    return (
      !load.stale &&
      load.epoch === this.#epoch &&
      this.#clearing === 0 &&
      (this.#mutating.size === 0 || !this.#mutating.has(key))
    );
  }

  /** Opens a mutation window on `key`: until the matching {@link InFlight.endMutation}, no load of it stores. */
  beginMutation(key: StoreKey): void {
    this.#mutating.set(key, (this.#mutating.get(key) ?? 0) + 1);
  }

  /** Closes one mutation window on `key`. */
  endMutation(key: StoreKey): void {
    const open = (this.#mutating.get(key) ?? 1) - 1;
    if (open <= 0) this.#mutating.delete(key);
    else this.#mutating.set(key, open);
  }

  /** Opens a clear-all window: until the matching {@link InFlight.endClearAll}, no load stores. */
  beginClearAll(): void {
    this.#clearing++;
  }

  /** Closes one clear-all window. */
  endClearAll(): void {
    if (this.#clearing > 0) this.#clearing--;
  }
}
