/**
 * The measured workloads. Each turns a library adapter (`bench/libs/`) into a
 * {@link Prepare}: it builds the memoized service around a counting loader,
 * primes it, and returns the loop the child process times plus a check that
 * the loop really took the path it claims (every call a hit, every call a
 * miss...). The loops are the same for every library, so rows differ only by
 * the cache.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Build, Built, BuildSpec, SelfStats } from './libs/contract.js';
import type { Prepare, PreparedMemory, PreparedStampede, PreparedThroughput } from './types.js';

/** The argument of the number-argument hit cases. */
export const KEY = 42;

interface User {
  readonly id: number;
  readonly name: string;
}

/** The value the hit cases cache. */
const VALUE: User = Object.freeze({ id: KEY, name: 'Ada' });

/** The object argument of the object-argument hit case. */
export interface Query {
  readonly q: string;
  readonly page: number;
  readonly tags: readonly string[];
}

/** Bound of the hit cases (only one key is ever cached there). */
const HIT_MAX = 1_000;
/** Bound of the miss case. */
export const MISS_MAX = 10_000;
/** Concurrent calls per iteration of the concurrent hit case, and per stampede. */
export const CONCURRENCY = 1_000;
/** The stampede's loader takes this long. */
export const STAMPEDE_LOADER_MS = 20;

type LoadBuild = () => Promise<Build>;

const numberSpec = (loader: (id: number) => Promise<unknown>, max: number): BuildSpec<number> => ({
  loader,
  max,
  stringKey: (id) => String(id),
  mapKey: (id) => id,
});

const querySpec = (loader: (query: Query) => Promise<unknown>, max: number): BuildSpec<Query> => ({
  loader,
  max,
  stringKey: (query) => JSON.stringify(query),
  mapKey: (query) => JSON.stringify(query),
});

/** Libraries that serialize (bentocache, Keyv-based ones) return copies: compare by content. */
function expectUser(got: unknown, id: number, what: string): void {
  const user = got as Partial<User> | undefined;
  if (typeof user !== 'object' || user === null || user.id !== id) {
    throw new Error(`${what}: resolved to ${JSON.stringify(got)}, not the user ${id}`);
  }
}

function fail(what: string, detail: string): never {
  throw new Error(`${what}: ${detail}`);
}

/** Checks a library's own figures (memokit's stats) against what the workload did. */
function expectStats(built: Built<unknown>, what: string, expected: Partial<SelfStats>): void {
  const stats = built.stats?.();
  if (stats === undefined) return;
  for (const [name, value] of Object.entries(expected) as [keyof SelfStats, number][]) {
    if (stats[name] !== value)
      fail(what, `stats.${name} is ${stats[name]}, expected ${value} (${JSON.stringify(stats)})`);
  }
}

/**
 * Lets the stores' writes of the priming misses land. A remote store (Redis) answers the SET after the caller
 * got its value, and until then memokit serves the key from the in-flight load (counted as an in-flight join,
 * not a hit). A hit loop of settled promises runs only microtasks, so it would never let that reply in, and
 * would never read the store it claims to measure.
 */
const storeWrites = (): Promise<void> => sleep(20);

/** The argument of the string-argument hit rows: a UUID, as string ids often are. */
export const STRING_KEY = '3f2504e0-4f89-11d3-9a0c-0305e82c3301';

/**
 * Hit path, one argument: `await svc.get(42)` (or `svc.get(key)`, a string key) in a sequential loop, the value
 * already cached.
 */
export function hitSequential(load: LoadBuild, key: number | string = KEY): Prepare {
  return async (): Promise<PreparedThroughput> => {
    const what = `hit, sequential, key ${JSON.stringify(key)}`;
    let loads = 0;
    const spec: BuildSpec<number | string> = {
      loader: async () => {
        loads++;
        return VALUE;
      },
      max: HIT_MAX,
      stringKey: (arg) => String(arg),
      mapKey: (arg) => arg,
    };
    const built = await (await load())(spec);
    const { svc } = built;
    expectUser(await svc.get(key), KEY, what); // the one miss: fills the cache
    await storeWrites();
    let calls = 0;
    return {
      metric: 'throughput',
      callsPerIteration: 1,
      async run(iterations) {
        for (let i = 0; i < iterations; i++) await svc.get(key);
        calls += iterations;
      },
      verify() {
        if (loads !== 1) fail(what, `the loader ran ${loads} times, expected once`);
        expectStats(built as Built<unknown>, what, { misses: 1, hits: calls, inflightJoins: 0 });
      },
    };
  };
}

/** Hit path, 1,000 concurrent calls per iteration: `await Promise.all([...1000 x svc.get(42)])`. */
export function hitConcurrent(load: LoadBuild): Prepare {
  return async (): Promise<PreparedThroughput> => {
    const what = 'hit, concurrent';
    let loads = 0;
    const built = await (
      await load()
    )(
      numberSpec(async () => {
        loads++;
        return VALUE;
      }, HIT_MAX),
    );
    const { svc } = built;
    expectUser(await svc.get(KEY), KEY, what);
    const pending = new Array<Promise<unknown>>(CONCURRENCY);
    let calls = 0;
    return {
      metric: 'throughput',
      callsPerIteration: CONCURRENCY,
      async run(iterations) {
        for (let i = 0; i < iterations; i++) {
          for (let j = 0; j < CONCURRENCY; j++) pending[j] = svc.get(KEY);
          await Promise.all(pending);
        }
        calls += iterations * CONCURRENCY;
      },
      verify() {
        if (loads !== 1) fail(what, `the loader ran ${loads} times, expected once`);
        expectStats(built as Built<unknown>, what, { misses: 1, hits: calls, inflightJoins: 0 });
      },
    };
  };
}

/** Distinct keys per iteration of {@link hitConcurrentKeys}. */
export const REDIS_WIDTH = 100;

/**
 * Hit path, `width` concurrent calls on `width` distinct keys (all cached, primed by one miss each):
 * `await Promise.all([svc.get(0), .., svc.get(width - 1)])`. Distinct keys, so a cache that shares
 * in-flight calls cannot fold the calls into one read: every call is one read of the store.
 */
export function hitConcurrentKeys(load: LoadBuild, width = REDIS_WIDTH): Prepare {
  return async (): Promise<PreparedThroughput> => {
    const what = `hit, ${width} concurrent distinct keys`;
    let loads = 0;
    const built = await (
      await load()
    )(
      numberSpec(async (id) => {
        loads++;
        return { id, name: 'Ada' };
      }, HIT_MAX),
    );
    const { svc } = built;
    for (let id = 0; id < width; id++) expectUser(await svc.get(id), id, what);
    await storeWrites();
    const pending = new Array<Promise<unknown>>(width);
    let calls = 0;
    return {
      metric: 'throughput',
      callsPerIteration: width,
      async run(iterations) {
        for (let i = 0; i < iterations; i++) {
          for (let j = 0; j < width; j++) pending[j] = svc.get(j);
          await Promise.all(pending);
        }
        calls += iterations * width;
      },
      async verify() {
        if (loads !== width) fail(what, `the loader ran ${loads} times, expected ${width}`);
        expectStats(built as Built<unknown>, what, { misses: width, hits: calls, inflightJoins: 0 });
        const results = await Promise.all(Array.from({ length: width }, (_, id) => svc.get(id)));
        results.forEach((got, id) => expectUser(got, id, what));
      },
    };
  };
}

/**
 * Hit path, one object argument built afresh by each call (as a request
 * handler would): `await svc.get({ q, page, tags: [..] })`.
 */
export function hitObject(load: LoadBuild): Prepare {
  return async (): Promise<PreparedThroughput> => {
    const what = 'hit, object argument';
    let loads = 0;
    const built = await (
      await load()
    )(
      querySpec(async () => {
        loads++;
        return VALUE;
      }, HIT_MAX),
    );
    const { svc } = built;
    expectUser(await svc.get({ q: 'running shoes', page: 2, tags: ['red', 'sale'] }), KEY, what);
    let calls = 0;
    return {
      metric: 'throughput',
      callsPerIteration: 1,
      async run(iterations) {
        for (let i = 0; i < iterations; i++) await svc.get({ q: 'running shoes', page: 2, tags: ['red', 'sale'] });
        calls += iterations;
      },
      verify() {
        if (loads !== 1) fail(what, `the loader ran ${loads} times, expected once`);
        expectStats(built as Built<unknown>, what, { misses: 1, hits: calls, inflightJoins: 0 });
      },
    };
  };
}

/**
 * Miss path with eviction: every call has a new key, the cache is full
 * (pre-filled to its bound of 10,000), so each call looks up, loads, stores
 * and evicts one entry. The loader resolves at once with a new small object.
 */
export function missEvict(load: LoadBuild): Prepare {
  return async (): Promise<PreparedThroughput> => {
    const what = 'miss with eviction';
    let loads = 0;
    const built = await (
      await load()
    )(
      numberSpec(async (id) => {
        loads++;
        return { id };
      }, MISS_MAX),
    );
    const { svc } = built;
    let next = 0;
    for (; next < MISS_MAX; next++) await svc.get(next); // full: from now on every call evicts
    let calls = 0;
    return {
      metric: 'throughput',
      callsPerIteration: 1,
      async run(iterations) {
        for (let i = 0; i < iterations; i++) await svc.get(next++);
        calls += iterations;
      },
      async verify() {
        if (loads !== next) fail(what, `the loader ran ${loads} times for ${next} distinct keys`);
        const size = built.size?.();
        if (size !== undefined && size > MISS_MAX) fail(what, `holds ${size} entries, bound ${MISS_MAX}`);
        expectStats(built as Built<unknown>, what, { misses: next, hits: 0, evictions: calls, size: MISS_MAX });
        expectUser(await svc.get(next - 1), next - 1, what); // the newest entry is cached
        if (loads !== next) fail(what, 'the newest entry was not cached');
      },
    };
  };
}

/**
 * Stampede: 1,000 concurrent calls on a cold key whose loader takes 20 ms.
 * Single-flight means one loader run, and a wall time close to the loader's.
 */
export function stampede(load: LoadBuild): Prepare {
  return async (): Promise<PreparedStampede> => {
    let loads = 0;
    const slowLoad = async (id: number): Promise<User> => {
      await sleep(STAMPEDE_LOADER_MS);
      return { id, name: `user-${id}` };
    };
    const built = await (
      await load()
    )(
      numberSpec((id) => {
        loads++;
        return slowLoad(id);
      }, HIT_MAX),
    );
    const { svc } = built;
    const pending = new Array<Promise<unknown>>(CONCURRENCY);
    return {
      metric: 'stampede',
      async stampede(key, concurrency) {
        for (let j = 0; j < concurrency; j++) pending[j] = svc.get(key);
        const results = await Promise.all(pending);
        for (const got of results) expectUser(got, key, 'stampede');
      },
      async loaderAlone(key) {
        expectUser(await slowLoad(key), key, 'stampede loader');
      },
      loaderCalls: () => loads,
    };
  };
}

/**
 * Memory: `entries` distinct keys, each caching a new small object
 * (`{ id, name }`). With `touch`, every entry is then read once more (a hit),
 * which is what a cache that memoizes a settled promise per entry pays for.
 */
export function memory(load: LoadBuild, options: { touch?: boolean } = {}): Prepare {
  return async (): Promise<PreparedMemory> => {
    const what = 'memory';
    let loads = 0;
    let built: Built<number> | undefined;
    const loadBuild = await load();
    return {
      metric: 'memory',
      async fill(entries) {
        // Built inside the measured span: whatever the cache allocates up front counts too.
        built = await loadBuild(
          numberSpec(async (id) => {
            loads++;
            return { id, name: `user-${id}` };
          }, entries),
        );
        const { svc } = built;
        for (let id = 0; id < entries; id++) await svc.get(id);
        if (options.touch) for (let id = 0; id < entries; id++) await svc.get(id);
      },
      async verify(entries) {
        if (built === undefined) fail(what, 'fill() never ran');
        if (loads !== entries) fail(what, `the loader ran ${loads} times for ${entries} keys`);
        const size = built.size?.();
        if (size !== undefined && size !== entries) fail(what, `holds ${size} entries, expected ${entries}`);
        expectUser(await built.svc.get(0), 0, what);
        expectUser(await built.svc.get(entries - 1), entries - 1, what);
        if (loads !== entries) fail(what, 'entries were evicted while filling');
      },
    };
  };
}

/** Argument shapes of the key-derivation case. */
export const KEY_SHAPES: Readonly<Record<string, readonly unknown[]>> = {
  number: [42],
  string: ['user:42'],
  'two args': [42, 'en'],
  'small object': [{ q: 'running shoes', page: 2 }],
  'nested + array': [{ filter: { q: 'running shoes', tags: ['red', 'sale'] }, page: { n: 2, size: 20 } }],
};

/** A key derivation: call arguments in, key out. */
export type Keyer = (args: unknown[]) => unknown;

/** Key derivation alone: `keyer(args)` in a loop, for one argument shape. */
export function keyDerivation(load: () => Promise<Keyer>, shape: string): Prepare {
  return async (): Promise<PreparedThroughput> => {
    const keyer = await load();
    const args = [...(KEY_SHAPES[shape] ?? fail('keys', `unknown shape ${shape}`))];
    const first = keyer(args);
    if (first === undefined || first === null) fail('keys', `no key for ${shape}`);
    let checksum = 0;
    return {
      metric: 'throughput',
      callsPerIteration: 1,
      async run(iterations) {
        for (let i = 0; i < iterations; i++) {
          const key = keyer(args);
          checksum += typeof key === 'string' ? key.length : 1; // keeps the result alive
        }
      },
      verify() {
        if (checksum === 0) fail('keys', 'no key derived');
      },
    };
  };
}
