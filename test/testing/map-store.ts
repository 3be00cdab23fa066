import type { CacheStore, StoreEntry } from 'memokit';

type Key = string | number;

interface WriteOptions {
  /** Time to live in ms; omitted: no expiry. */
  readonly ttl?: number | undefined;
}

interface Slot {
  readonly value: unknown;
  /** When the entry expires, on the store's clock (Infinity: never). */
  readonly expiresAt: number;
}

/** A store in one Map per namespace, with TTLs: the small store contract. */
export class MapStore implements CacheStore {
  readonly kind = 'map';
  readonly name: string;
  readonly #entries = new Map<Key, Slot>();
  readonly #children = new Map<string, MapStore>();
  readonly #now: () => number;

  /**
   * @param now - the clock in ms (tests pass one they move by hand)
   * @param name - this namespace's name ('' for the root)
   */
  constructor(now: () => number = Date.now, name = '') {
    this.#now = now;
    this.name = name;
  }

  async get(key: Key): Promise<StoreEntry | undefined> {
    const slot = this.#entries.get(key);
    if (slot === undefined) return undefined;
    if (slot.expiresAt <= this.#now()) {
      this.#entries.delete(key);
      return undefined;
    }
    return { value: slot.value };
  }

  async set(key: Key, value: unknown, options?: WriteOptions): Promise<void> {
    const ttl = options?.ttl;
    this.#entries.set(key, { value, expiresAt: ttl === undefined ? Infinity : this.#now() + ttl });
  }

  async delete(key: Key): Promise<boolean> {
    const live = (await this.get(key)) !== undefined;
    this.#entries.delete(key);
    return live;
  }

  /** Empties this namespace only: child namespaces keep their entries. */
  async clear(): Promise<void> {
    this.#entries.clear();
  }

  getMany(keys: readonly Key[]): Promise<(StoreEntry | undefined)[]> {
    return Promise.all(keys.map((key) => this.get(key)));
  }

  async setMany(entries: Iterable<readonly [Key, unknown]>, options?: WriteOptions): Promise<void> {
    for (const [key, value] of entries) await this.set(key, value, options);
  }

  /** The child namespace `name`: the same one every time, on the same clock. */
  namespace(name: string): MapStore {
    if (name === '') throw new TypeError('MapStore.namespace(): option "name" must not be empty');
    let child = this.#children.get(name);
    if (child === undefined) {
      child = new MapStore(this.#now, name);
      this.#children.set(name, child);
    }
    return child;
  }

  async close(): Promise<void> {
    this.#entries.clear();
    this.#children.clear();
  }
}
