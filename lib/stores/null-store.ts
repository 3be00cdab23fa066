import type { StoreKey } from '../keys/keys.js';
import { messages } from '../util/messages.js';
import {
  DEFAULT_MAX_VALUE_SIZE,
  defaultSerializer,
  oversize,
  UnserializableValueError,
  ValueTooLargeError,
} from '../codec/serialization.js';
import type { CacheStore, NamespaceOptions, StoreEntry, StoreSetOptions, StoreStats } from './contract.js';

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
export class NullStore implements CacheStore {
  /** Always `'null'`. */
  readonly kind = 'null';
  readonly #validate: (value: unknown, key: StoreKey) => void;

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
  constructor(
    readonly name = '',
    validate?: (value: unknown, key: StoreKey) => void,
  ) {
    this.#validate = validate ?? assertStorable;
  }

  get(_key: StoreKey): Promise<StoreEntry | undefined> {
    return Promise.resolve(undefined);
  }

  getStale(_key: StoreKey): Promise<StoreEntry | undefined> {
    return Promise.resolve(undefined);
  }

  set(key: StoreKey, value: unknown, _options?: StoreSetOptions): Promise<void> {
    try {
      this.#validate(value, key);
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

  namespace(name: string, _options?: NamespaceOptions): CacheStore {
    if (typeof name !== 'string' || name === '')
      throw new TypeError(messages.BAD_STRING_OPTION('NullStore.namespace()', 'name', name));
    return new NullStore(this.name === '' ? name : `${this.name}/${name}`, this.#validate);
  }

  stats(): StoreStats {
    return { size: 0, evictions: 0 };
  }

  close(): Promise<void> {
    return Promise.resolve();
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
