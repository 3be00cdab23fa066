/**
 * Work that could not be sent while a server was unavailable, kept to send
 * again, in order, once it answers. Bounded: past its limit the queue empties
 * and says it overflowed, and its owner sends one catch-all instead (clear
 * everything, drop every copy).
 */

/** A queued item's identity: a string the owner gives, or a number the queue draws. */
export type ReplayId = string | number;

/**
 * An ordered, bounded queue of items to send again.
 *
 * @example
 * ```ts
 * const queue = new ReplayQueue<Message>(1000);
 * queue.add(message);                   // kept in order
 * queue.add(clearOfUsers, 'clear:users'); // replaces an earlier item with the same id, and moves to the end
 * for (const [id, item] of queue.pending()) if (await send(item)) queue.remove(id, item);
 * ```
 */
export class ReplayQueue<T> {
  /** Most items kept; one more empties the queue and sets {@link ReplayQueue.overflowed}. */
  readonly max: number;
  readonly #items = new Map<ReplayId, T>();
  #overflowed = false;
  #drawn = 0;

  constructor(max: number) {
    this.max = max;
  }

  /** Items kept. */
  get size(): number {
    return this.#items.size;
  }

  /** Items were dropped because there were more than `max`: the owner must send its catch-all. */
  get overflowed(): boolean {
    return this.#overflowed;
  }

  /** Nothing to send: no item and no overflow. */
  get empty(): boolean {
    return this.#items.size === 0 && !this.#overflowed;
  }

  /**
   * Keeps `item` last. With an `id`, an earlier item with the same id is
   * dropped (the later one supersedes it); without, it is a new item.
   * Returns its id, or `undefined` when it made the queue overflow (nothing
   * is kept then).
   */
  add(item: T, id: ReplayId = this.#drawn++): ReplayId | undefined {
    this.#items.delete(id);
    this.#items.set(id, item);
    if (this.#items.size <= this.max) return id;
    this.#items.clear();
    this.#overflowed = true;
    return undefined;
  }

  /** Whether an item is kept under `id`. */
  has(id: ReplayId): boolean {
    return this.#items.has(id);
  }

  /** The items kept, oldest first, with their ids (a snapshot: later adds do not change it). */
  pending(): (readonly [ReplayId, T])[] {
    return [...this.#items];
  }

  /** The oldest item kept, with its id. */
  first(): readonly [ReplayId, T] | undefined {
    const next = this.#items.entries().next();
    return next.done === true ? undefined : next.value;
  }

  /** Drops the item kept under `id` if it is still `item` (not replaced since). */
  remove(id: ReplayId, item: T): void {
    if (this.#items.get(id) === item) this.#items.delete(id);
  }

  /** The catch-all was sent: the items dropped by the overflow are covered. */
  clearOverflow(): void {
    this.#overflowed = false;
  }
}
