import { createStore, MemoryStore, type CacheStore } from '../lib/index.js';
import { advisorSettingsOf, storeReady, type AdvisorSettings } from '../lib/internal.js';
import type { CacheModuleOptions, CacheTestOptions } from './cache-module.options.js';
import { DEFAULT_STORE_NAME, MODULE_OPTION_KEYS } from './cache.constants.js';
import { CacheModuleOptionsError } from './cache.errors.js';
import { logLevelOf, type CacheLogLevel } from './cache.logging.js';
import { messages } from './cache.messages.js';

const isStore = (value: unknown): value is CacheStore =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as CacheStore).namespace === 'function' &&
  typeof (value as CacheStore).get === 'function';

const isPlainObject = (value: unknown): value is Record<string, unknown> => {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
};

/**
 * The stores of one CacheModule: by name, which one is the default, and which
 * ones the module created (and so closes at shutdown).
 *
 * @internal
 */
export class ModuleStores {
  readonly #byName: Map<string, CacheStore>;
  readonly #owned: Map<CacheStore, string>;
  /** `CacheModule.forTest()`: a store for any name asked for, created on first use (and owned). */
  readonly #onDemand: ((name: string) => CacheStore) | undefined;
  /** The URL each store created from one was created from (for messages; its password is redacted there). */
  readonly #urls: ReadonlyMap<CacheStore, string>;
  readonly defaultName: string;
  /** The lowest level of the state lines (`logger` option); `false`: none. */
  readonly logLevel: CacheLogLevel | false;
  /** Whether the application's methods are reported to OpenTelemetry (`telemetry` option). */
  readonly telemetry: boolean;
  /** The sizing advisor of methods that state none (`advisor` option); `undefined`: off. */
  readonly advisor: AdvisorSettings | false | undefined;
  #closed: Promise<void> | undefined;

  constructor(
    byName: Map<string, CacheStore>,
    defaultName: string,
    owned: Map<CacheStore, string>,
    urls: ReadonlyMap<CacheStore, string> = new Map(),
    logLevel: CacheLogLevel | false = 'log',
    telemetry = true,
    onDemand?: (name: string) => CacheStore,
    advisor?: AdvisorSettings | false,
  ) {
    this.advisor = advisor;
    this.#byName = byName;
    this.#onDemand = onDemand;
    this.defaultName = defaultName;
    this.#owned = owned;
    this.#urls = urls;
    this.logLevel = logLevel;
    this.telemetry = telemetry;
  }

  /** Each distinct store, with the (first) name it is registered under. */
  distinct(): Map<CacheStore, string> {
    const out = new Map<CacheStore, string>();
    for (const [name, store] of this.#byName) if (!out.has(store)) out.set(store, name);
    return out;
  }

  /** Every store name, the default's included. */
  get names(): string[] {
    return [...this.#byName.keys()];
  }

  get default(): CacheStore {
    return this.#byName.get(this.defaultName) as CacheStore;
  }

  get(name: string): CacheStore | undefined {
    const found = this.#byName.get(name);
    if (found !== undefined || this.#onDemand === undefined) return found;
    const created = this.#onDemand(name);
    this.#byName.set(name, created);
    this.#owned.set(created, name);
    return created;
  }

  /** The name a store is registered under (the first one, if several), if any. */
  nameOf(store: CacheStore): string | undefined {
    for (const [name, candidate] of this.#byName) if (candidate === store) return name;
    return undefined;
  }

  /** Whether the module created `store` (and so closes it). */
  owns(store: CacheStore): boolean {
    return this.#owned.has(store);
  }

  /**
   * Waits, in parallel, until every store that exposes `ready()` (Redis,
   * tiered, and custom stores that implement it; instances passed in
   * included) serves calls, each bounded by its own connect timeout. A store
   * that is not ready in time is reported once to `onWarn` (naming it and,
   * for a store created from a URL, the URL without its password) and fails
   * open meanwhile. Never throws.
   */
  async ready(onWarn: (message: string) => void): Promise<void> {
    const stores = new Set(this.#byName.values());
    await Promise.all(
      [...stores].map(async (store) => {
        if (typeof store.ready !== 'function') return;
        const started = performance.now();
        if (await storeReady(store)) return;
        const url = this.#urls.get(store);
        onWarn(
          messages.STORE_NOT_READY(
            this.nameOf(store) ?? '(unnamed)',
            store.kind,
            url === undefined ? undefined : redactPassword(url),
            performance.now() - started,
          ),
        );
      }),
    );
  }

  /**
   * Closes the stores the module created; stores passed in as instances stay
   * open. Reports failures to `onError` and never throws. Idempotent.
   */
  close(onError: (message: string) => void): Promise<void> {
    this.#closed ??= closeAll(this.#owned, onError);
    return this.#closed;
  }
}

/** `url` with its password replaced by `***`, for messages and logs. */
export function redactPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password === '') return url;
    parsed.password = '***';
    return parsed.href;
  } catch {
    return '(an unparsable URL)';
  }
}

/**
 * The store a URL describes. A `redis://` or `rediss://` URL loads
 * `memokit/redis` (and ioredis) here, only when an app configures one.
 */
async function storeFromUrl(url: string): Promise<CacheStore> {
  if (/^rediss?:/i.test(url)) return (await import('../lib/redis.js')).createStore(url);
  return createStore(url);
}

async function closeAll(owned: ReadonlyMap<CacheStore, string>, onError: (message: string) => void): Promise<void> {
  await Promise.all(
    [...owned].map(async ([store, name]) => {
      try {
        await store.close();
      } catch (error) {
        onError(messages.CLOSE_FAILED(name, error));
      }
    }),
  );
}

/**
 * Validates the module's options and creates the stores they describe. On any
 * error, the stores created so far are closed before it is thrown, so a failed
 * bootstrap leaves no connection open.
 *
 * @internal
 */
export async function resolveStores(options: unknown): Promise<ModuleStores> {
  if (!isPlainObject(options)) throw new CacheModuleOptionsError(messages.BAD_MODULE_OPTIONS(options));
  const testing = (options as { [TEST_STORES]?: CacheTestOptions })[TEST_STORES];
  if (testing !== undefined) return testStores(testing);
  for (const key of Object.keys(options)) {
    if (!(MODULE_OPTION_KEYS as readonly string[]).includes(key)) {
      throw new CacheModuleOptionsError(messages.UNKNOWN_MODULE_OPTION(key, MODULE_OPTION_KEYS));
    }
  }
  const { stores = {}, defaultStore, logger, telemetry = true } = options as CacheModuleOptions;
  if (typeof telemetry !== 'boolean') throw new CacheModuleOptionsError(messages.BAD_TELEMETRY_OPTION(telemetry));
  let advisor: AdvisorSettings | false | undefined;
  try {
    advisor = advisorSettingsOf('CacheModule', (options as CacheModuleOptions).advisor);
  } catch (error) {
    throw new CacheModuleOptionsError((error as Error).message);
  }
  if (!isPlainObject(stores)) throw new CacheModuleOptionsError(messages.BAD_STORES_OPTION(stores));
  const logLevel = logLevelOf(logger);

  const byName = new Map<string, CacheStore>();
  const owned = new Map<CacheStore, string>();
  const urls = new Map<CacheStore, string>();
  const create = async (option: string, name: string, config: unknown): Promise<CacheStore> => {
    if (isStore(config)) return config;
    if (typeof config !== 'string' && !isPlainObject(config)) {
      throw new CacheModuleOptionsError(messages.BAD_STORE_CONFIG(option, config));
    }
    let store: CacheStore;
    try {
      store = typeof config === 'string' ? await storeFromUrl(config) : new MemoryStore(config);
    } catch (error) {
      throw new CacheModuleOptionsError(messages.STORE_NOT_CREATED(option, error), { cause: error });
    }
    owned.set(store, name);
    if (typeof config === 'string') urls.set(store, config);
    return store;
  };

  try {
    for (const [name, config] of Object.entries(stores)) {
      byName.set(name, await create(`stores.${name}`, name, config));
    }
    let defaultName = DEFAULT_STORE_NAME;
    if (typeof defaultStore === 'string' && byName.has(defaultStore)) {
      defaultName = defaultStore;
    } else if (defaultStore === undefined || defaultStore === DEFAULT_STORE_NAME) {
      if (!byName.has(DEFAULT_STORE_NAME))
        byName.set(DEFAULT_STORE_NAME, await create('defaultStore', DEFAULT_STORE_NAME, {}));
    } else {
      if (typeof defaultStore === 'string' && !defaultStore.includes('://')) {
        throw new CacheModuleOptionsError(messages.UNKNOWN_DEFAULT_STORE(defaultStore, [...byName.keys()]));
      }
      if (byName.has(DEFAULT_STORE_NAME))
        throw new CacheModuleOptionsError(messages.DEFAULT_STORE_CONFLICT(DEFAULT_STORE_NAME));
      byName.set(DEFAULT_STORE_NAME, await create('defaultStore', DEFAULT_STORE_NAME, defaultStore));
    }
    return new ModuleStores(byName, defaultName, owned, urls, logLevel, telemetry, undefined, advisor);
  } catch (error) {
    await closeAll(owned, () => undefined);
    throw error;
  }
}

/**
 * The key under which `CacheModule.forTest()` passes its options (a symbol:
 * no options object a user writes can carry it).
 *
 * @internal
 */
export const TEST_STORES: unique symbol = Symbol('memokit.testStores');

/**
 * The stores of `CacheModule.forTest()`: a memory store for every name a
 * decorator or `CacheService` asks for, created on first use (on the given
 * clock, wrapped by `wrap`), all closed at shutdown.
 *
 * @internal
 */
function testStores(options: CacheTestOptions): ModuleStores {
  const { clock, wrap } = options;
  const make = (name: string): CacheStore => {
    const store = new MemoryStore(clock === undefined ? {} : { clock });
    return wrap === undefined ? store : wrap(store, name);
  };
  const byName = new Map<string, CacheStore>();
  const owned = new Map<CacheStore, string>();
  const store = make(DEFAULT_STORE_NAME);
  byName.set(DEFAULT_STORE_NAME, store);
  owned.set(store, DEFAULT_STORE_NAME);
  return new ModuleStores(
    byName,
    DEFAULT_STORE_NAME,
    owned,
    new Map(),
    options.logger === false ? false : 'log',
    true,
    make,
  );
}
