/**
 * The system under exploration: a versioned data source whose reads and
 * writes are scheduler gates, a slow store whose operations are gates, and a
 * decorated service (cached getter, per-key and clear-all invalidators) built
 * over them.
 */
import { AsyncLRU, AsyncTTL, LRUInvalidator, TTLInvalidator } from '../../../lib/index.js';
import type { MethodCache, CacheStore, NamespaceOptions, StoreEntry, StoreSetOptions } from '../../../lib/index.js';
import type { FullStore } from '../../../lib/stores/contract.js';
import type { StoreKey } from '../../../lib/keys/keys.js';
import { registry } from '../../../lib/api/registry.js';
import { deferred, type FakeClock } from '../../helpers/deferred.js';
import type { Scheduler } from './scheduler.js';

/** What the cached method returns: the row's version as of the read's snapshot. */
export interface Value {
  readonly key: number;
  readonly version: number;
  /** Which read produced it (each read returns a new object). */
  readonly readId: number;
}

/** Bookkeeping of one read that returned. */
export interface ReadRecord {
  readonly key: number;
  readonly version: number;
  readonly snapshotAt: number;
  readonly returnedAt: number;
  readonly returnedClock: number;
}

/** The error a read throws while the database is down (fail-safe scenarios). */
export class DbDownError extends Error {
  constructor(readonly readId: number) {
    super(`db down (read#${readId})`);
  }
}

/** Reads of this key pass no gate: they wait for {@link VersionedDb.releaseHeld} (a load kept in flight). */
export const HELD_KEY = -1;

/**
 * A database of per-key version counters. A read takes its snapshot at one
 * gate and returns at another (so it can see old data and answer late); a
 * write commits every key it touches at one gate.
 */
export class VersionedDb {
  readonly #versions = new Map<number, number>();
  readonly reads = new Map<number, ReadRecord>();
  #readIds = 0;
  #writeIds = 0;
  /** While true, reads fail at their snapshot gate. */
  down = false;
  readonly #held = deferred<Value>();

  constructor(
    readonly sched: Scheduler,
    readonly clock: FakeClock,
  ) {}

  version(key: number): number {
    return this.#versions.get(key) ?? 0;
  }

  async read(key: number): Promise<Value> {
    if (key === HELD_KEY) return this.#held.promise;
    const readId = ++this.#readIds;
    await this.sched.point(`db.read#${readId}(k${key}).snapshot`);
    if (this.down) throw new DbDownError(readId);
    const version = this.version(key);
    const snapshotAt = this.sched.stamp();
    await this.sched.point(`db.read#${readId}(k${key}).return`);
    this.reads.set(readId, {
      key,
      version,
      snapshotAt,
      returnedAt: this.sched.stamp(),
      returnedClock: this.clock.now(),
    });
    return { key, version, readId };
  }

  /** Lets the reads of {@link HELD_KEY} return (version 0, outside the read records). */
  releaseHeld(): void {
    this.#held.resolve({ key: HELD_KEY, version: 0, readId: 0 });
  }

  /** Bumps every key's version at one commit gate; resolves the versions written. */
  async write(keys: readonly number[]): Promise<Map<number, number>> {
    const writeId = ++this.#writeIds;
    await this.sched.point(`db.write#${writeId}(k${keys.join(',')}).commit`);
    const written = new Map<number, number>();
    for (const key of keys) {
      const version = this.version(key) + 1;
      this.#versions.set(key, version);
      written.set(key, version);
    }
    return written;
  }
}

/**
 * A store without synchronous operations (so the engine takes its async path,
 * the one Redis and tiered stores use) whose every operation is a gate in one
 * FIFO queue: operations land in the order they were issued, like commands on
 * one Redis connection, but at times the scheduler picks. Entries live in a
 * memory namespace, inspected directly through {@link GatedStore.inner}.
 */
export class GatedStore implements CacheStore {
  readonly kind = 'gated';
  readonly sync = undefined;

  constructor(
    readonly inner: FullStore,
    readonly sched: () => Scheduler,
    /** `false` lets operations land in any order (a fault, for the checker's self-test). */
    readonly fifo = true,
  ) {}

  get name(): string {
    return this.inner.name;
  }

  async #op<T>(label: string, run: () => Promise<T>): Promise<T> {
    await this.sched().point(`store.${label}`, this.fifo ? 'store' : undefined);
    return run();
  }

  get(key: StoreKey): Promise<StoreEntry | undefined> {
    return this.#op(`get(${String(key)})`, () => this.inner.get(key));
  }
  getFailSafe(key: StoreKey): Promise<StoreEntry | undefined> {
    return this.#op(`getFailSafe(${String(key)})`, () => this.inner.getFailSafe(key));
  }
  set(key: StoreKey, value: unknown, options?: StoreSetOptions): Promise<void> {
    return this.#op(`set(${String(key)})`, () => this.inner.set(key, value, options));
  }
  delete(key: StoreKey): Promise<boolean> {
    return this.#op(`delete(${String(key)})`, () => this.inner.delete(key));
  }
  clear(): Promise<void> {
    return this.#op('clear', () => this.inner.clear());
  }
  has(key: StoreKey): Promise<boolean> {
    return this.#op(`has(${String(key)})`, () => this.inner.has(key));
  }
  getMany(keys: readonly StoreKey[]): Promise<(StoreEntry | undefined)[]> {
    return this.#op('getMany', () => this.inner.getMany(keys));
  }
  setMany(entries: Iterable<readonly [StoreKey, unknown]>, options?: StoreSetOptions): Promise<void> {
    return this.#op('setMany', () => this.inner.setMany(entries, options));
  }
  setIfNotExists(key: StoreKey, value: unknown, options?: StoreSetOptions): Promise<boolean> {
    return this.#op(`setIfNotExists(${String(key)})`, () => this.inner.setIfNotExists(key, value, options));
  }
  expireIn(key: StoreKey, ttl: number | undefined): Promise<boolean> {
    return this.#op(`expireIn(${String(key)})`, () => this.inner.expireIn(key, ttl));
  }
  namespace(name: string, options?: NamespaceOptions): CacheStore {
    return new GatedStore(this.inner.namespace(name, options), this.sched, this.fifo);
  }
  stats(): { size: number; evictions: number } {
    return this.inner.stats();
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

/** A mutation that committed `version` and then failed. */
export class PartialFailure extends Error {
  constructor(readonly version: number) {
    super(`committed v${version}, then failed`);
  }
}

export interface ServiceOptions {
  readonly kind: 'lru' | 'ttl';
  readonly store: CacheStore;
  /** TTL in ms (`kind: 'ttl'`). */
  readonly ttl?: number;
  /** Fail-safe window in ms (`kind: 'ttl'`). */
  readonly failSafe?: number;
  /** `staleWhileRevalidate` window in ms (`kind: 'ttl'`). */
  readonly staleWhileRevalidate?: number;
  /** `refreshAhead` fraction (`kind: 'ttl'`). */
  readonly refreshAhead?: number;
  /** Every key the clear-all mutation rewrites. */
  readonly keys: readonly number[];
}

/** A decorated service over whatever database {@link Service.useDb} points it at. */
export interface Service {
  get(key: number): Promise<Value>;
  /** `@LRUInvalidator` / `@TTLInvalidator` mutation: writes `key`, resolves the version written. */
  update(key: number): Promise<number>;
  /** Clear-all invalidator mutation: writes every key, resolves the versions written. */
  updateAll(): Promise<Map<number, number>>;
  /** Invalidator mutation that commits its write, then fails: rejects with a {@link PartialFailure}. */
  updateThenFail(key: number): Promise<never>;
  /** The decorated function, for invalidateCache / clearCache. */
  readonly method: (key: number) => Promise<Value>;
  /** The engine serving the method (created on first use). */
  engine(): MethodCache;
  useDb(db: VersionedDb): void;
}

/**
 * Defines a fresh decorated class (so each scenario has its own registry entry
 * and namespace) and returns an instance. Runs of one scenario reuse it, as a
 * long-lived Nest provider would be reused across requests.
 */
export function defineService(options: ServiceOptions): Service {
  let db: VersionedDb | undefined;
  const current = (): VersionedDb => {
    if (db === undefined) throw new Error('no database: call useDb first');
    return db;
  };
  const { keys, store } = options;
  let instance: Omit<Service, 'method' | 'engine' | 'useDb'>;
  let method: (key: number) => Promise<Value>;
  if (options.kind === 'lru') {
    class LruService {
      @AsyncLRU({ store, maxSize: 64 })
      get(key: number): Promise<Value> {
        return current().read(key);
      }

      @LRUInvalidator(() => LruService.prototype.get)
      async update(key: number): Promise<number> {
        return (await current().write([key])).get(key)!;
      }

      @LRUInvalidator(() => LruService.prototype.get, { clearAll: true })
      async updateAll(): Promise<Map<number, number>> {
        return current().write(keys);
      }

      @LRUInvalidator(() => LruService.prototype.get)
      async updateThenFail(key: number): Promise<never> {
        throw new PartialFailure((await current().write([key])).get(key)!);
      }
    }
    instance = new LruService();
    method = LruService.prototype.get;
  } else {
    const ttl = options.ttl ?? 1_000;
    const { failSafe, staleWhileRevalidate, refreshAhead } = options;
    const policies = {
      ...(failSafe === undefined ? {} : { failSafe }),
      ...(staleWhileRevalidate === undefined ? {} : { staleWhileRevalidate }),
      ...(refreshAhead === undefined ? {} : { refreshAhead }),
    };
    class TtlService {
      @AsyncTTL({ store, ttl, maxSize: 64, ...policies })
      get(key: number): Promise<Value> {
        return current().read(key);
      }

      @TTLInvalidator(() => TtlService.prototype.get)
      async update(key: number): Promise<number> {
        return (await current().write([key])).get(key)!;
      }

      @TTLInvalidator(() => TtlService.prototype.get, { clearAll: true })
      async updateAll(): Promise<Map<number, number>> {
        return current().write(keys);
      }

      @TTLInvalidator(() => TtlService.prototype.get)
      async updateThenFail(key: number): Promise<never> {
        throw new PartialFailure((await current().write([key])).get(key)!);
      }
    }
    instance = new TtlService();
    method = TtlService.prototype.get;
  }
  return {
    get: (key) => instance.get(key),
    update: (key) => instance.update(key),
    updateAll: () => instance.updateAll(),
    updateThenFail: (key) => instance.updateThenFail(key),
    method,
    engine: () => {
      const definition = registry.of(method);
      const engine = definition?.engines.peekDefault() ?? definition?.engines.enginesForInvalidation()[0];
      if (engine === undefined) throw new Error('no engine for the service');
      return engine;
    },
    useDb: (next) => {
      db = next;
    },
  };
}
