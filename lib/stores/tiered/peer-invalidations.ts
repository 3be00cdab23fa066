import type { StoreKey } from '../../keys/keys.js';
import type { CacheStore } from '../contract.js';
import type { BusMessage } from './bus-message.js';
import { fromWire } from './wire-key.js';

/** Most namespace levels in a message's `ns` a receiver follows. */
const MAX_DEPTH = 32;
/**
 * Most namespaces this process has not opened that it opens in Redis to apply a peer's
 * invalidation (each stays registered in the Redis store): bounds what messages can make it keep.
 */
const MAX_FOREIGN_NAMESPACES = 256;

const noop = (): void => undefined;

/** What is being applied in one namespace: per key, and for the whole namespace. */
interface Pending {
  readonly keys: Map<StoreKey, Promise<void>>;
  all: Promise<void> | undefined;
}

/** The L2 namespace a message's `ns` (a JSON array of names) designates; `undefined` if malformed. */
function namespaceOf(root: CacheStore, ns: unknown): CacheStore | undefined {
  if (typeof ns !== 'string' || ns.length > 16_384) return undefined;
  let path: unknown;
  try {
    path = JSON.parse(ns);
  } catch {
    return undefined;
  }
  if (!Array.isArray(path) || path.length > MAX_DEPTH) return undefined;
  if (!path.every((name) => typeof name === 'string' && name !== '')) return undefined;
  let namespace: CacheStore = root;
  for (const name of path as string[]) namespace = namespace.namespace(name);
  return namespace;
}

/**
 * Invalidations a peer could not apply in Redis (`applied: false`) that this
 * process applies there itself. Until Redis acknowledged one, reads of what
 * it covers (a key, a namespace, or for tags everything) wait for it, so the
 * entry the peer meant to remove is not read back. If it fails, this
 * store's link is down: its reads are skipped, and it replays the
 * invalidation before it reads Redis again.
 *
 * @example
 * ```ts
 * const peers = new PeerInvalidations(redisStore, (ns) => tree.has(ns));
 * peers.apply(message);
 * await peers.waitFor('["users"]', 'user:1');
 * ```
 */
export class PeerInvalidations {
  /** Invalidations being applied, in all: 0 keeps the read path free of any lookup. */
  count = 0;
  readonly #root: CacheStore & { invalidateTags(tags: readonly string[]): Promise<void> };
  readonly #opened: (ns: string) => boolean;
  /** Per namespace id. */
  readonly #pending = new Map<string, Pending>();
  #tags: Promise<void> | undefined = undefined;
  /** Namespaces opened in Redis only to apply peers' invalidations (bounded). */
  readonly #foreign = new Set<string>();

  /**
   * @param root - the L2 store the invalidations are applied in
   * @param opened - whether this process opened the namespace with this id
   */
  constructor(
    root: CacheStore & { invalidateTags(tags: readonly string[]): Promise<void> },
    opened: (ns: string) => boolean,
  ) {
    this.#root = root;
    this.#opened = opened;
  }

  /**
   * What reads of `key` in namespace `id` (`key` undefined: of anything
   * there) wait for, if a peer's invalidation is being applied.
   */
  waitFor(id: string, key: StoreKey | undefined): Promise<void> | undefined {
    if (this.count === 0) return undefined;
    const waits: Promise<void>[] = [];
    if (this.#tags !== undefined) waits.push(this.#tags);
    const pending = this.#pending.get(id);
    if (pending !== undefined) {
      if (pending.all !== undefined) waits.push(pending.all);
      if (key === undefined) waits.push(...pending.keys.values());
      else {
        const one = pending.keys.get(key);
        if (one !== undefined) waits.push(one);
      }
    }
    return waits.length === 0 ? undefined : Promise.all(waits).then(noop);
  }

  /** Applies `message` (a checked bus message with `applied: false`) in L2; malformed ones are ignored. */
  apply(message: BusMessage): void {
    const foreign = message.op !== 'tags' && message.ns !== undefined && !this.#opened(message.ns);
    if (foreign && !this.#foreign.has(message.ns as string) && this.#foreign.size >= MAX_FOREIGN_NAMESPACES) return;
    let work: Promise<unknown>;
    let pending: Pending | undefined;
    let key: StoreKey | undefined;
    if (message.op === 'tags') {
      const tags = message.tags;
      if (!Array.isArray(tags) || !tags.every((tag) => typeof tag === 'string')) return;
      work = this.#root.invalidateTags(tags);
    } else {
      const namespace = namespaceOf(this.#root, message.ns);
      if (namespace === undefined || message.ns === undefined) return;
      if (foreign) this.#foreign.add(message.ns);
      if (message.op === 'delete') {
        if (message.key === undefined) return;
        key = fromWire(message.key);
        work = namespace.delete(key);
      } else work = namespace.clear();
      pending = this.#pending.get(message.ns);
      if (pending === undefined) {
        pending = { keys: new Map(), all: undefined };
        this.#pending.set(message.ns, pending);
      }
    }
    const settled: Promise<void> = work.then(noop, noop);
    const after = (previous: Promise<void> | undefined): Promise<void> =>
      previous === undefined ? settled : Promise.all([previous, settled]).then(noop);
    let mine: Promise<void>;
    if (pending === undefined) mine = this.#tags = after(this.#tags);
    else if (key === undefined) mine = pending.all = after(pending.all);
    else {
      mine = after(pending.keys.get(key));
      pending.keys.set(key, mine);
    }
    this.count++;
    const entry = pending;
    const ns = message.ns;
    void mine.then(() => {
      this.count--;
      if (entry === undefined) {
        if (this.#tags === mine) this.#tags = undefined;
        return;
      }
      if (key === undefined) {
        if (entry.all === mine) entry.all = undefined;
      } else if (entry.keys.get(key) === mine) entry.keys.delete(key);
      if (entry.all === undefined && entry.keys.size === 0 && ns !== undefined && this.#pending.get(ns) === entry) {
        this.#pending.delete(ns);
      }
    });
  }
}
