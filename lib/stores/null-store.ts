import type { StoreKey } from '../keys/keys.js';
import { messages } from '../util/messages.js';
import { defaultSerializer } from '../codec/envelope.js';
import { UnserializableValueError } from '../codec/errors.js';
import { DEFAULT_MAX_VALUE_SIZE, oversize, ValueTooLargeError } from '../codec/value-size.js';
import type { CacheStore, NamespaceOptions, StoreEntry, StoreSetOptions, StoreStats } from './contract.js';
import { NamespaceTree, type NamespaceNode } from './namespace-tree.js';

/** What every namespace of one null store shares. */
interface NullShared {
  readonly tree: NamespaceTree<NullNamespace>;
  readonly validate: (value: unknown, key: StoreKey) => void;
}

/** A namespace of a {@link NullStore}: misses every read, checks every write. */
class NullNamespace implements CacheStore {
  /** Always `'null'`. */
  readonly kind = 'null';
  readonly name: string;
  readonly #shared: NullShared;
  readonly #node: NamespaceNode;

  constructor(shared: NullShared, node: NamespaceNode) {
    this.#shared = shared;
    this.#node = node;
    this.name = node.name;
  }

  get(_key: StoreKey): Promise<StoreEntry | undefined> {
    return Promise.resolve(undefined);
  }

  getFailSafe(_key: StoreKey): Promise<StoreEntry | undefined> {
    return Promise.resolve(undefined);
  }

  set(key: StoreKey, value: unknown, _options?: StoreSetOptions): Promise<void> {
    try {
      this.#shared.validate(value, key);
      return Promise.resolve();
    } catch (error) {
      return Promise.reject(error);
    }
  }

  delete(_key: StoreKey): Promise<boolean> {
    return Promise.resolve(false);
  }

  clear(): Promise<void> {
    return Promise.resolve();
  }

  has(_key: StoreKey): Promise<boolean> {
    return Promise.resolve(false);
  }

  getMany(keys: readonly StoreKey[]): Promise<(StoreEntry | undefined)[]> {
    return Promise.resolve(keys.map(() => undefined));
  }

  async setMany(entries: Iterable<readonly [StoreKey, unknown]>, options?: StoreSetOptions): Promise<void> {
    for (const [key, value] of entries) await this.set(key, value, options);
  }

  async setIfNotExists(key: StoreKey, value: unknown, options?: StoreSetOptions): Promise<boolean> {
    await this.set(key, value, options);
    return true;
  }

  expireIn(_key: StoreKey, _ttl: number | undefined): Promise<boolean> {
    return Promise.resolve(false);
  }

  /**
   * A child namespace; the same name gives the same namespace. Its limits are
   * checked as a real store checks them (two users stating different ones is
   * an error here too), though nothing is stored.
   */
  namespace(name: string, options?: NamespaceOptions): NullNamespace {
    return this.#shared.tree.child(this.#node, name, options);
  }

  stats(): StoreStats {
    return { size: 0, evictions: 0 };
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * A store that caches nothing: every read misses, so decorated methods always
 * run. Use it to switch caching off without touching code (`null://`). It
 * still checks that written values could be stored: a write serializes the
 * value with the default envelope (as the Redis store does) and rejects with
 * the same `TypeError` for functions, symbols, circular structures or class
 * instances, so a value that would break a real store fails here too. A value
 * whose serialized form is larger than the Redis store's default
 * `maxValueSize` (1 MiB) rejects with a {@link ValueTooLargeError}, as a
 * default-configured Redis store would (which also counts its entry header, a
 * dozen bytes or so). To mirror another limit or serializer, pass `validate`.
 *
 * @example
 * ```ts
 * configureMemokit({ defaultStore: new NullStore() });
 * ```
 */
export class NullStore extends NullNamespace {
  /**
   * @param name - namespace name (`''` for the root)
   * @param validate - throws for a value that could not be stored under `key`
   * @default validate: values must be serializable by {@link defaultSerializer},
   *   in at most {@link DEFAULT_MAX_VALUE_SIZE} bytes
   * @example
   * ```ts
   * const limit = 4 * 1024 * 1024; // production runs with maxValueSize: '4mb'
   * new NullStore('', (value) => {
   *   if (Buffer.byteLength(defaultSerializer.serialize(value)) > limit) throw new RangeError('too large');
   * });
   * ```
   */
  constructor(name = '', validate?: (value: unknown, key: StoreKey) => void) {
    const tree = new NamespaceTree<NullNamespace>({
      where: (_parent, child) => `NullStore.namespace(${JSON.stringify(child)})`,
      create: ({ node }) => new NullNamespace(shared, node),
      root: { path: name === '' ? [] : [name] },
    });
    const shared: NullShared = { tree, validate: validate ?? assertStorable };
    super(shared, tree.root);
    tree.plantRoot(this);
  }
}

function assertStorable(value: unknown, key: StoreKey): void {
  let text: string;
  try {
    text = defaultSerializer.serialize(value);
  } catch (error) {
    const message = messages.UNSTORABLE_VALUE('NullStore', error);
    if (error instanceof UnserializableValueError) {
      throw new UnserializableValueError(message, error.path, error.what, { cause: error });
    }
    throw new TypeError(message, { cause: error });
  }
  const size = oversize(text, DEFAULT_MAX_VALUE_SIZE);
  if (size !== undefined) {
    const message = messages.NULL_VALUE_TOO_LARGE(JSON.stringify(key), size, DEFAULT_MAX_VALUE_SIZE);
    throw new ValueTooLargeError(message, key, size, DEFAULT_MAX_VALUE_SIZE);
  }
}
