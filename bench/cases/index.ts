/**
 * Every measured case, in table order, and the groups (tables) they belong to.
 *
 * A case is a workload (`bench/workloads.ts`) applied to one library adapter
 * (`bench/libs/`). Adapters are imported lazily, in the child process that
 * measures them, so a child loads only its own library. To add a library: write
 * an adapter, add it to {@link LIBS} and to the groups' row lists below.
 */
import type { Build } from '../libs/contract.js';
import type { BenchCase, Group, Prepare, Target } from '../types.js';
import {
  hitConcurrent,
  hitConcurrentKeys,
  hitObject,
  hitSequential,
  KEY,
  keyDerivation,
  KEY_SHAPES,
  memory,
  missEvict,
  stampede,
  STRING_KEY,
  type Keyer,
} from '../workloads.js';

export const groups: readonly Group[] = [
  {
    id: 'hit',
    title: '1a. Hit path, one number argument, sequential',
    description:
      '`await svc.get(42)` in a sequential loop, the value already cached (primed by one miss). Floor: the ' +
      'hand-written `async get(id)` over a `Map` (look up, return). The OpenTelemetry row runs the same loop in a ' +
      'process where the SDK is registered (a meter provider with a reader, a tracer provider) and its ratio is to ' +
      'the plain memokit row of the same round: the cost of telemetry on hits; after measuring, the SDK must have ' +
      "collected exactly the row's hits and no span from them, and then a probe method's miss must make one load " +
      'span (tracing was live). The advisor rows turn on the sizing advisor and their ratio is to the plain memokit ' +
      'row of the same round: its cost on hits. `advisor: true` samples 1% of keys, and 42 is not one of them: the ' +
      'row measures what the calls of unsampled keys pay (a hash of the key and a comparison); `advisor: 1` samples ' +
      'every key, so each call also records its reuse distance, as the calls of sampled keys do. The string-key ' +
      'rows call `svc.get(uuid)` with a 36-character string: the plain row against the floor, the advisor row ' +
      "against the plain string row (a hit finds its key's hash memoized on the entry: a string key is hashed " +
      'character by character once per entry, not per call). After measuring, the ' +
      'advisor must have seen every call and sampled the key or not, as the row says. Higher is better.',
    metric: 'throughput',
    noiseMargin: 0.1,
  },
  {
    id: 'hit-concurrent',
    title: '1b. Hit path, one number argument, 1,000 concurrent calls',
    description:
      'Each iteration starts 1,000 calls of `svc.get(42)` and awaits them with `Promise.all`; figures are calls ' +
      'per second. Same floor. Libraries that share in-flight calls even for hits (p-memoize, cache-manager) ' +
      'look the key up once per 1,000 calls here. Higher is better.',
    metric: 'throughput',
    noiseMargin: 0.1,
  },
  {
    id: 'hit-object',
    title: '2. Hit path, one object argument',
    description:
      '`await svc.get({ q, page, tags: [..] })`, the object built afresh by every call as a request handler ' +
      'would. Floor: the hand-written `async get(query)` over a `Map` keyed by `JSON.stringify(query)`. ' +
      'memokit derives canonical keys (sorted object keys, type tags); the `JSON.stringify` keys of the floor and ' +
      'of most peers depend on property order. Higher is better.',
    metric: 'throughput',
    noiseMargin: 0.1,
    // Deeper call chains than the floor's: about a second passes before they run at their steady speed.
    warmupMs: 1_000,
    // The measurement starts right after a forced full GC, and the object-argument rows (garbage on every call) take
    // a few hundred ms to return to their steady speed: in a 200 ms window memokit's rows read 0.55-1.1x the floor
    // from one process to the next, over 1 s 0.9-1.1x.
    measureMs: 1_000,
  },
  {
    id: 'miss',
    title: '3. Miss path with eviction (10,000 entries)',
    description:
      'Every call has a new key and the cache is full (pre-filled to its bound of 10,000), so each call looks up, ' +
      'runs the loader (an `async` function returning a new `{ id }`), stores and evicts. Floor: a `Map` bounded ' +
      'by a ring buffer of keys (FIFO), the cheapest correct O(1) bounded cache; with all-distinct keys FIFO and ' +
      'LRU evict the same entry, so it does the same observable work as an LRU. Higher is better.',
    metric: 'throughput',
    noiseMargin: 0.1,
    // Deeper call chains than the floor's: about a second passes before they run at their steady speed.
    warmupMs: 1_000,
  },
  {
    id: 'stampede',
    title: '4. Stampede: 1,000 concurrent calls on a cold key, 20 ms loader',
    description:
      'Each trial starts 1,000 calls on a never-used key whose loader sleeps 20 ms, and awaits them all. The ' +
      'reference is the loader alone (one `await loader()`), timed in the same process between trials; the ratio ' +
      'is the median trial wall time over the median loader time. Lower is better; one loader call is the goal.',
    metric: 'stampede',
    noiseMargin: 0.05,
  },
  {
    id: 'redis',
    title: '5. Redis tier',
    description:
      'Hit paths through Redis, each against its own floor, on a private redis-server (loopback, no persistence) ' +
      'started by the runner. Rows that read Redis are timed on the wall clock (calls per second of wall time: ' +
      'the client waits on Redis, and CPU time would leave the waiting out); the in-process rows on CPU time as ' +
      'in 1a. Sequential: `await svc.get(42)` in a loop, against floor A, raw ioredis ' +
      '`JSON.parse(await redis.get(key))` of the same small JSON value. 100-way: each iteration awaits 100 ' +
      'concurrent calls on 100 distinct cached keys (distinct, so single-flight cannot fold them into one read), ' +
      'against floor B, the same raw `GET` + `JSON.parse` on a client with `enableAutoPipelining: true`. The ' +
      'RedisStore reads hits with one `MGET` of the namespace generation and the entries: sequentially one ' +
      'entry per `MGET`, in the 100-way rows the 100 reads of a tick in one `MGET`, where the floor sends 100 ' +
      'pipelined `GET`s. The `@AsyncTTL` row reads entries that expire, whose header also carries their write ' +
      'time (for `explain()`). Tiered: L1 hits of a ' +
      'TieredStore (memory + Redis) after warm-up, against the in-process floor of 1a, measured here alongside. ' +
      'Targets on the rows that read Redis are informational: they are reported but do not fail the run. Higher ' +
      'is better.',
    metric: 'throughput',
    noiseMargin: 0.1,
  },
  {
    id: 'memory',
    title: '6. Heap bytes per entry, 100,000 small objects cached',
    description:
      'One process per row caches 100,000 distinct keys, each a new `{ id, name }` object, through the library; ' +
      'heap in use (code space excluded) is read after `gc()` before and after, and the difference divided by ' +
      '100,000. It includes the cached objects themselves. Floor: a `Map` holding the same objects. Bounded ' +
      'caches are given a bound of exactly 100,000. Lower is better.',
    metric: 'memory',
    noiseMargin: 0.02,
    // Deterministic to within 1%: 3 rounds, and one for peers (the slow ones take seconds to fill).
    maxRounds: 3,
    maxPeerRounds: 1,
  },
  {
    id: 'keys',
    title: '7. Key derivation alone',
    description:
      'The key function alone, called in a loop on one argument list per column; ops/s and, in parentheses, the ' +
      'ratio to `JSON.stringify(args)`. memokit: `keyForArgs(args, 0, where)` (a lone number or string is its own ' +
      'key; anything else is a canonical, type-tagged encoding). @type-cacheable/core: its default key, ' +
      '`md5(serialize-javascript({ args, methodName }))`. cacheable `wrap`: its default key, ' +
      '`name::djb2(JSON.stringify(args))`, a 32-bit non-cryptographic hash. The other peers take the key from ' +
      'the caller (`String(id)`, `JSON.stringify`) or key by the first argument. Higher is better.',
    metric: 'throughput',
    noiseMargin: 0.1,
    warmupMs: 100,
    measureMs: 150,
    maxRounds: 3,
  },
];

/** A library as a row: its adapter and how it is configured. */
interface Lib {
  readonly name: string;
  readonly label: string;
  readonly role: BenchCase['role'];
  readonly build: () => Promise<Build>;
  /** Shown under the tables. */
  readonly config: string;
}

const lib = (l: Lib): Lib => l;

export const LIBS = {
  floor: lib({
    name: 'floor',
    label: 'floor (hand-written `Map`)',
    role: 'floor',
    build: async () => (await import('../libs/floor.js')).build,
    config: '`Map` + ring buffer of keys (FIFO bound); `async get()` looks up, else awaits the loader and stores',
  }),
  memokitLru: lib({
    name: 'memokit-lru',
    label: 'memokit `@AsyncLRU`',
    role: 'subject',
    build: async () => (await import('../libs/memokit.js')).buildLru,
    config: '`@AsyncLRU({ maxSize })` on the process-default MemoryStore; stats and single-flight always on',
  }),
  memokitTtl: lib({
    name: 'memokit-ttl',
    label: "memokit `@AsyncTTL('1h')`",
    role: 'subject',
    build: async () => (await import('../libs/memokit.js')).buildTtl,
    config: "`@AsyncTTL({ ttl: '1h', maxSize })`; stats and single-flight always on",
  }),
  lruCache: lib({
    name: 'lru-cache',
    label: 'lru-cache by hand',
    role: 'reference',
    build: async () => (await import('../libs/lru-cache.js')).build,
    config:
      '`new LRUCache({ max })`; `async get()` does `lru.get`, else awaits the loader and `lru.set` (no single-flight)',
  }),
  pMemoize: lib({
    name: 'p-memoize',
    label: 'p-memoize',
    role: 'reference',
    build: async () => (await import('../libs/p-memoize.js')).buildWith({ bounded: false, objectKeys: false }),
    config:
      '`pMemoize(loader)` (function form: its decorator is TC39-only); default `Map` cache, or ' +
      '`cache: new LRUCache({ max })` where a bound is needed; objects keyed by `cacheKey: JSON.stringify`',
  }),
  typescriptMemoize: lib({
    name: 'typescript-memoize',
    label: 'typescript-memoize `@Memoize`',
    role: 'reference',
    build: async () => (await import('../libs/typescript-memoize.js')).build,
    config:
      '`@Memoize()`: caches the promise per instance in an unbounded `Map` (no eviction, rejections cached too); ' +
      'objects keyed by `hashFunction: JSON.stringify`',
  }),
  cacheManager: lib({
    name: 'cache-manager',
    label: 'cache-manager `wrap`',
    role: 'reference',
    build: async () => (await import('../libs/cache-manager.js')).build,
    config:
      "`createCache({ stores: [createKeyv({ lruSize: max })], ttl: 1h })` (its readme's in-memory LRU, from " +
      'cacheable); `cache.wrap(String(id), () => loader(id))`',
  }),
  cacheable: lib({
    name: 'cacheable',
    label: 'cacheable `getOrSet`',
    role: 'reference',
    build: async () => (await import('../libs/cacheable.js')).build,
    config: '`new Cacheable({ primary: createKeyv({ lruSize: max }), ttl: 1h })`; `cache.getOrSet(String(id), fn)`',
  }),
  bentocache: lib({
    name: 'bentocache',
    label: 'bentocache `getOrSet`',
    role: 'reference',
    build: async () => (await import('../libs/bentocache.js')).build,
    config:
      "memory driver only (`memoryDriver({ maxItems: max })`, default `serialize: true`); `bento.getOrSet({ key, factory, ttl: '1h' })`",
  }),
  typeCacheable: lib({
    name: 'type-cacheable',
    label: '@type-cacheable/core `@Cacheable`',
    role: 'reference',
    build: async () => (await import('../libs/type-cacheable.js')).build,
    config:
      '`@Cacheable()` with its default md5 key, on an lru-cache client equivalent to @type-cacheable/lru-cache-adapter ' +
      '(not installed; the core has no in-memory client of its own); no TTL',
  }),
} as const;

/** Libraries whose object-argument or bounded variant is configured differently. */
const objectKeyed: Partial<Record<keyof typeof LIBS, () => Promise<Build>>> = {
  pMemoize: async () => (await import('../libs/p-memoize.js')).buildWith({ bounded: false, objectKeys: true }),
  typescriptMemoize: async () => (await import('../libs/typescript-memoize.js')).buildObjectKeys,
};
const bounded: Partial<Record<keyof typeof LIBS, () => Promise<Build>>> = {
  pMemoize: async () => (await import('../libs/p-memoize.js')).buildWith({ bounded: true, objectKeys: false }),
};

const ALL: readonly (keyof typeof LIBS)[] = [
  'floor',
  'memokitLru',
  'memokitTtl',
  'lruCache',
  'pMemoize',
  'typescriptMemoize',
  'cacheManager',
  'cacheable',
  'bentocache',
  'typeCacheable',
];

const isMemokit = (name: keyof typeof LIBS): boolean => LIBS[name].role === 'subject';

function rows(
  group: string,
  names: readonly (keyof typeof LIBS)[],
  workload: (build: () => Promise<Build>) => Prepare,
  options: {
    target?: Target;
    variant?: Partial<Record<keyof typeof LIBS, () => Promise<Build>>>;
    label?: Partial<Record<keyof typeof LIBS, string>>;
  } = {},
): BenchCase[] {
  return names.map((name) => {
    const l = LIBS[name];
    const build = options.variant?.[name] ?? l.build;
    return {
      id: `${group}/${l.name}`,
      group,
      label: options.label?.[name] ?? l.label,
      role: l.role,
      ...(isMemokit(name) && options.target !== undefined ? { target: options.target } : {}),
      quick: l.role !== 'reference',
      load: async () => workload(build),
    };
  });
}

/** `list` with `extra` inserted right after the case `afterId`. */
function withAfter(list: readonly BenchCase[], afterId: string, ...extra: BenchCase[]): BenchCase[] {
  const at = list.findIndex((c) => c.id === afterId);
  return [...list.slice(0, at + 1), ...extra, ...list.slice(at + 1)];
}

const floorMemory = async (): Promise<Build> => (await import('../libs/floor.js')).buildUnbounded;

/** Key derivations of the `keys` group. */
const KEYERS: readonly { name: string; label: string; role: BenchCase['role']; load: () => Promise<Keyer> }[] = [
  {
    name: 'json',
    label: 'floor: `JSON.stringify(args)`',
    role: 'floor',
    load: async () => (args) => JSON.stringify(args),
  },
  {
    name: 'memokit',
    label: 'memokit `keyForArgs`',
    role: 'subject',
    load: async () => {
      const { keyForArgs } = await import('memokit');
      return (args) => keyForArgs(args, 0, 'Bench.get');
    },
  },
  {
    name: 'type-cacheable',
    label: '@type-cacheable/core default key',
    role: 'reference',
    load: async () => {
      const { getFinalKey } = await import('@type-cacheable/core');
      return (args) => getFinalKey(undefined, undefined, 'get', args, undefined);
    },
  },
  {
    name: 'cacheable-wrap',
    label: 'cacheable `wrap` default key',
    role: 'reference',
    load: async () => {
      // The function Cacheable#wrap calls, from cacheable's own utility package (a dependency of cacheable).
      const { createWrapKey } = await import('@cacheable/utils');
      const get = async (): Promise<void> => undefined;
      return (args) => createWrapKey(get, args, {});
    },
  },
];

const redisLibs = async (): Promise<typeof import('../libs/redis.js')> => import('../libs/redis.js');

/** Group 5: each Redis row names the floor its ratio is relative to. */
const REDIS_CASES: readonly BenchCase[] = [
  {
    id: 'redis/floor-get',
    group: 'redis',
    label: 'floor A: ioredis `GET` + `JSON.parse`, sequential',
    role: 'floor',
    clock: 'wall',
    needsRedis: true,
    quick: true,
    load: async () => hitSequential(async () => (await redisLibs()).buildRaw({ autoPipelining: false })),
  },
  {
    id: 'redis/memokit-redis',
    group: 'redis',
    label: 'memokit `@AsyncLRU` on RedisStore, sequential (vs A)',
    role: 'subject',
    floor: 'redis/floor-get',
    clock: 'wall',
    needsRedis: true,
    quick: true,
    target: { min: 0.9, informational: true },
    load: async () => hitSequential(async () => (await redisLibs()).buildMemokitRedis({ autoPipelining: false })),
  },
  {
    id: 'redis/floor-get-pipelined',
    group: 'redis',
    label: 'floor B: ioredis `GET` + `JSON.parse`, auto-pipelining, 100-way',
    role: 'floor',
    clock: 'wall',
    needsRedis: true,
    quick: true,
    load: async () => hitConcurrentKeys(async () => (await redisLibs()).buildRaw({ autoPipelining: true })),
  },
  {
    id: 'redis/memokit-redis-pipelined',
    group: 'redis',
    label: 'memokit `@AsyncLRU` on RedisStore, auto-pipelining, 100-way (vs B)',
    role: 'subject',
    floor: 'redis/floor-get-pipelined',
    clock: 'wall',
    needsRedis: true,
    quick: true,
    target: { min: 0.9, informational: true },
    load: async () => hitConcurrentKeys(async () => (await redisLibs()).buildMemokitRedis({ autoPipelining: true })),
  },
  {
    id: 'redis/memokit-redis-ttl-pipelined',
    group: 'redis',
    label: "memokit `@AsyncTTL('1h')` on RedisStore, auto-pipelining, 100-way (vs B)",
    role: 'subject',
    floor: 'redis/floor-get-pipelined',
    clock: 'wall',
    needsRedis: true,
    quick: true,
    target: { min: 0.9, informational: true },
    load: async () =>
      hitConcurrentKeys(async () => (await redisLibs()).buildMemokitRedis({ autoPipelining: true, ttl: '1h' })),
  },
  {
    id: 'redis/floor-memory',
    group: 'redis',
    label: 'floor (hand-written `Map`, as in 1a)',
    role: 'floor',
    needsRedis: true,
    quick: true,
    load: async () => hitSequential(LIBS.floor.build),
  },
  {
    id: 'redis/memokit-memory',
    group: 'redis',
    label: 'memokit `@AsyncLRU` on the MemoryStore (as in 1a)',
    role: 'subject',
    floor: 'redis/floor-memory',
    needsRedis: true,
    quick: true,
    load: async () => hitSequential(LIBS.memokitLru.build),
  },
  {
    id: 'redis/memokit-tiered',
    group: 'redis',
    label: 'memokit `@AsyncLRU` on TieredStore, L1 hits (vs the `Map` floor)',
    role: 'subject',
    floor: 'redis/floor-memory',
    needsRedis: true,
    quick: true,
    target: { min: 0.9 },
    load: async () => hitSequential(async () => (await redisLibs()).buildMemokitTiered),
  },
];

/**
 * `prepare`, with `check` run once prepared (`calls` undefined) and again after the measurement, with the calls made.
 */
function withCheck(prepare: Prepare, check: (calls: number | undefined) => Promise<void>): Prepare {
  return async () => {
    const prepared = await prepare();
    if (prepared.metric !== 'throughput') return prepared;
    await check(undefined);
    let calls = 0;
    return {
      ...prepared,
      async run(iterations) {
        await prepared.run(iterations);
        calls += iterations * prepared.callsPerIteration;
      },
      async verify() {
        await prepared.verify?.();
        await check(calls);
      },
    };
  };
}

/**
 * Hit path of 1a with the OpenTelemetry SDK registered. Measured against the plain memokit row of the same round: its
 * ratio is the cost of telemetry. After measuring, the SDK must have collected the row's hits and no span from them,
 * and then a probe method's miss must make one load span (else it measured telemetry off).
 */
const HIT_WITH_SDK: BenchCase = {
  id: 'hit/memokit-lru-otel',
  group: 'hit',
  label: 'memokit `@AsyncLRU`, OpenTelemetry SDK registered (vs the row above)',
  role: 'subject',
  floor: 'hit/memokit-lru',
  quick: true,
  target: { min: 0.9 },
  load: async () => {
    const otel = await import('../libs/otel.js');
    const what = 'hit with the OpenTelemetry SDK';
    let spansBefore = 0;
    return withCheck(
      hitSequential(async () => otel.buildLruWithSdk),
      async (calls) => {
        if (calls === undefined) {
          // The first binding loads @opentelemetry/api in the background: wait until memokit reports to the SDK.
          for (let i = 0; i < 200 && (await otel.collected('Service.get')).hits === undefined; i++) {
            await new Promise((resolve) => setTimeout(resolve, 10));
          }
          const ready = await otel.collected('Service.get');
          if (ready.hits === undefined) throw new Error(`${what}: memokit does not report to the SDK`);
          spansBefore = ready.spans;
          return;
        }
        const { hits, spans } = await otel.collected('Service.get');
        if (hits !== calls) throw new Error(`${what}: the SDK collected ${hits} hits, the case made ${calls}`);
        if (spans !== spansBefore) throw new Error(`${what}: hits made ${spans - spansBefore} spans, expected none`);
        // Only now (a span's context would make Node track every promise from then on, the measured loop too):
        // a miss of another method must make exactly one load span, so "no span from hits" was not "no tracer".
        const probe = await otel.probeLoadSpans();
        if (probe !== 1) throw new Error(`${what}: a miss made ${probe} load spans, expected 1 (is tracing live?)`);
      },
    );
  },
};

const memokitLibs = async (): Promise<typeof import('../libs/memokit.js')> => import('../libs/memokit.js');

/**
 * Hit path of 1a with the sizing advisor on, measured against the memokit row without it (`baseline`) in the same
 * round: the advisor's cost on hits. After measuring, the advisor must have recorded every call, and sampled the key
 * (`sampled`) or not.
 */
function hitWithAdvisor(options: {
  readonly id: string;
  readonly label: string;
  readonly advisor: true | number;
  readonly key: number | string;
  readonly sampled: boolean;
  readonly baseline: string;
  readonly target?: Target;
  readonly quick: boolean;
}): BenchCase {
  const { advisor, key, sampled } = options;
  return {
    id: options.id,
    group: 'hit',
    label: options.label,
    role: 'subject',
    floor: options.baseline,
    quick: options.quick,
    ...(options.target === undefined ? {} : { target: options.target }),
    load: async () => {
      const memokit = await memokitLibs();
      const what = `hit with advisor: ${String(advisor)}, key ${JSON.stringify(key)}`;
      return withCheck(
        hitSequential(async () => memokit.buildLruWithAdvisor(advisor), key),
        async (calls) => {
          const advice = memokit.adviceOfBuilt();
          // The priming miss is a call too.
          const expected = calls === undefined ? 1 : calls + 1;
          if (advice.calls !== expected)
            throw new Error(`${what}: the advisor saw ${advice.calls} calls, not ${expected}`);
          if ((advice.sampledKeys === 1) !== sampled) {
            throw new Error(`${what}: ${advice.sampledKeys} keys sampled, expected ${sampled ? 1 : 0}`);
          }
        },
      );
    },
  };
}

/** 1a's advisor rows: its cost on a key it does not sample (most keys), on one it samples, and on string keys. */
const HIT_WITH_ADVISOR: readonly BenchCase[] = [
  hitWithAdvisor({
    id: 'hit/memokit-lru-advisor',
    label: 'memokit `@AsyncLRU`, `advisor: true`, key not sampled (vs `@AsyncLRU`)',
    advisor: true,
    key: KEY,
    sampled: false,
    baseline: 'hit/memokit-lru',
    target: { min: 0.95 },
    quick: true,
  }),
  hitWithAdvisor({
    id: 'hit/memokit-lru-advisor-sampled',
    label: 'memokit `@AsyncLRU`, `advisor: 1`, key sampled (vs `@AsyncLRU`)',
    advisor: 1,
    key: KEY,
    sampled: true,
    baseline: 'hit/memokit-lru',
    quick: false,
  }),
  {
    id: 'hit/memokit-lru-string',
    group: 'hit',
    label: 'memokit `@AsyncLRU`, string key (36 characters)',
    role: 'subject',
    quick: false,
    load: async () => hitSequential(LIBS.memokitLru.build, STRING_KEY),
  },
  hitWithAdvisor({
    id: 'hit/memokit-lru-string-advisor',
    label: 'memokit `@AsyncLRU`, string key, `advisor: true`, not sampled (vs the row above)',
    advisor: true,
    key: STRING_KEY,
    sampled: false,
    baseline: 'hit/memokit-lru-string',
    target: { min: 0.95, informational: true },
    quick: false,
  }),
];

export const cases: readonly BenchCase[] = [
  ...withAfter(
    rows('hit', ALL, hitSequential, { target: { min: 0.7 } }),
    'hit/memokit-lru',
    HIT_WITH_SDK,
    ...HIT_WITH_ADVISOR,
  ),
  ...rows('hit-concurrent', ALL, hitConcurrent, { target: { min: 0.7 } }),
  ...rows('hit-object', ALL, hitObject, { target: { min: 0.7 }, variant: objectKeyed }),
  ...rows('miss', ALL, missEvict, {
    target: { min: 0.5 },
    variant: bounded,
    label: { typescriptMemoize: 'typescript-memoize `@Memoize` (unbounded: never evicts)' },
  }),
  ...rows(
    'stampede',
    ALL.filter((name) => name !== 'floor'),
    stampede,
    { target: { loaderCalls: 1, max: 1.2 } },
  ),
  ...REDIS_CASES,
  ...withAfter(
    rows('memory', ALL, (build) => memory(build), {
      target: { max: 1.4 },
      variant: { floor: floorMemory },
      label: { floor: 'floor (a `Map` holding the same objects)' },
    }),
    'memory/memokit-ttl',
    {
      // What a hot cache holds: memokit keeps a settled promise per entry once it has been hit.
      id: 'memory/memokit-lru-touched',
      group: 'memory',
      label: 'memokit `@AsyncLRU`, then one hit per entry',
      role: 'subject',
      quick: true,
      load: async () => memory(LIBS.memokitLru.build, { touch: true }),
    },
  ),
  ...Object.keys(KEY_SHAPES).flatMap((shape) =>
    KEYERS.map((keyer): BenchCase => ({
      id: `keys/${keyer.name}/${shape.replace(/[^a-z]+/g, '-')}`,
      group: 'keys',
      label: keyer.label,
      column: shape,
      role: keyer.role,
      load: async () => keyDerivation(keyer.load, shape),
    })),
  ),
];

/** How each library is configured, for the report. */
export const configurations: readonly { label: string; config: string }[] = [
  ...ALL.map((name) => ({ label: LIBS[name].label, config: LIBS[name].config })),
  {
    label: 'Redis floors (5)',
    config:
      '`new Redis(url)` (ioredis defaults) for A; `new Redis(url, { enableAutoPipelining: true })` for B; ' +
      '`JSON.parse(await redis.get(key))`',
  },
  {
    label: 'memokit on RedisStore (5)',
    config:
      'sequential: `new RedisStore({ url, prefix })` (its own client, `RedisStore.clientOptions()`); 100-way: ' +
      '`new RedisStore({ client: new Redis(url, { ...RedisStore.clientOptions(), enableAutoPipelining: true }), prefix })`; ' +
      '`await store.ready()`, then `@AsyncLRU({ store, maxSize: 1000 })`',
  },
  {
    label: 'memokit on TieredStore (5)',
    config:
      '`new TieredStore({ redis: { url, prefix } })` (default L1 MemoryStore, `l1Ttl` 30 s, RedisBus), ' +
      '`await store.ready()`, then `@AsyncLRU({ store, maxSize: 1000 })`',
  },
];
