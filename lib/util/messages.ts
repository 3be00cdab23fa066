/**
 * Every user-facing message of the core in one place, as functions of what
 * they name, grouped by the layer that uses them. Messages say what was wrong
 * and what to change; tests match their text, so change it on purpose only.
 * The NestJS module keeps its own in `nest-module/cache.messages.ts`.
 *
 * @internal
 */

const show = (value: unknown): string => {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  if (typeof value === 'function') return `function ${value.name || '(anonymous)'}`;
  if (typeof value === 'symbol') return value.toString();
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
};

export const messages = {
  BAD_ADVISOR: (where: string, value: unknown) =>
    `${where}: option "advisor" is ${show(value)}; write true (sample 1% of keys), a sampling rate such as 0.05, ` +
    `{ rate, maxKeys, seed }, or false.`,
  UNKNOWN_ADVISOR_OPTION: (where: string, key: string) =>
    `${where}: option "advisor" has an unknown field ${show(key)}; it takes rate, maxKeys and seed.`,
  BAD_ADVISOR_RATE: (where: string, rate: unknown) =>
    `${where}: option "advisor" has rate ${show(rate)}; a sampling rate is a number above 0 and at most 1 ` +
    `(0.01 samples 1% of keys).`,
  BAD_ADVISOR_MAX_KEYS: (where: string, maxKeys: unknown) =>
    `${where}: option "advisor" has maxKeys ${show(maxKeys)}; it must be an integer from 16 to 1000000 ` +
    `(default 8192).`,
  BAD_ADVISOR_SEED: (where: string, seed: unknown) =>
    `${where}: option "advisor" has seed ${show(seed)}; it must be an integer.`,
  SCOPE_ADVISOR_CONFLICT: (where: string, other: string, scope: string) =>
    `${where}: its "advisor" option disagrees with ${other}'s, and both share the scope ${show(scope)}: ` +
    `the methods of a scope share one LRU, so one sampler records all their calls. Give them the same ` +
    `advisor option, or state it on one of them only (the others join it).`,
  ADVISOR_OFF: (where: string) =>
    `${where}: the sizing advisor is off; turn it on with advisor: true (on the method's decorator, ` +
    `on CacheModule.forRoot() for every method, or on new Cache()).`,
  VARY_THREW: (where: string, cause: unknown) =>
    `${where}: option "vary" threw (${cause instanceof Error ? cause.message : show(cause)}), so this call has no ` +
    `context for its key; it was not run. Call it inside a request context (e.g. nestjs-cls's ClsService.run(), ` +
    `or your AsyncLocalStorage's run()), or make vary return the parts when there is none.`,
  VARY_NO_PARTS: (where: string, parts: unknown) =>
    `${where}: option "vary" returned ${show(parts)}; it must return a non-empty array of strings, numbers or ` +
    `booleans (e.g. [tenantId]). Without them this call would share an entry with every context; it was not run. ` +
    `Call it inside a request context, or fix vary.`,
  // Options (util/options, duration, byte-size): every validator names where, the option and what it must be.
  BAD_OPTIONS_OBJECT: (where: string, value: unknown) =>
    `${where}: options must be an object or omitted; got ${show(value)}.`,
  UNKNOWN_OPTION: (where: string, option: string, known: readonly string[]) =>
    `${where}: unknown option "${option}". Known options: ${known.join(', ')}.`,
  BAD_DURATION: (where: string, option: string, value: unknown) =>
    `${where}: option "${option}" must be a positive duration in milliseconds (a number such as 250) ` +
    `or a string with a unit ('250ms', '30s', '5m', '1h', '1d'); got ${show(value)}.`,
  BAD_BYTE_SIZE: (where: string, option: string, value: unknown) =>
    `${where}: option "${option}" must be a positive whole number of bytes (a number such as 1048576) ` +
    `or a string with a unit ('512kb', '1mb'; kb = 1024 bytes, mb = 1024 kb); got ${show(value)}.`,
  BAD_POSITIVE_INT: (where: string, option: string, value: unknown) =>
    `${where}: option "${option}" must be a positive integer; got ${show(value)}.`,
  BAD_NONNEGATIVE_INT: (where: string, option: string, value: unknown) =>
    `${where}: option "${option}" must be a non-negative integer; got ${show(value)}.`,
  // Freshness policies (api/freshness-settings).
  FRESHNESS_NEEDS_TTL: (where: string, option: string) =>
    `${where}: option "${option}" needs entries that expire, and @AsyncLRU entries never do. ` +
    `Use @AsyncTTL({ ttl, ${option} }), or remove "${option}".`,
  FRESHNESS_NEEDS_CACHE_TTL: (where: string, option: string) =>
    `${where}: option "${option}" needs entries that expire, and this cache has no ttl. ` +
    `Add ttl (e.g. { ttl: '1m', ${option} }), or remove "${option}".`,
  BAD_FRACTION: (where: string, option: string, value: unknown, example: string) =>
    `${where}: option "${option}" must be a number strictly between 0 and 1 (a fraction of the TTL, e.g. ${example}); ` +
    `got ${show(value)}.`,
  BAD_JITTER: (where: string, value: unknown) =>
    `${where}: option "jitter" must be a number from 0 up to (not including) 1 (e.g. 0.1 spreads each TTL by ±10%); ` +
    `got ${show(value)}.`,
  JITTER_OVER_REFRESH_AHEAD: (where: string, jitter: number, refreshAhead: number) =>
    `${where}: option "jitter" (${jitter}) must be smaller than "refreshAhead" (${refreshAhead}): an entry whose ` +
    `TTL jitter shortens by more than that would be due for a refresh as soon as it is written. Lower jitter.`,
  REFRESH_AHEAD_WITH_LOADER_TTL: (where: string) =>
    `${where}: the loader set ctx.ttl, and this call has refreshAhead (a fraction of the call's ttl, from the ` +
    `cache, its scope or the call's options): an entry with a TTL of its own would be due for a refresh too ` +
    `early or too late. The value was returned and not cached; remove refreshAhead, or do not set ctx.ttl.`,
  SOFT_AFTER_HARD: (where: string, soft: number, hard: number) =>
    `${where}: option "timeout": soft (${soft} ms) must not be longer than hard (${hard} ms). ` +
    `Past soft a call may get an expired value; past hard it gets one or a LoadTimeoutError.`,
  SOFT_TIMEOUT_WITHOUT_STALE: (where: string) =>
    `${where}: option "timeout.soft" only answers a call with an expired value, and this method keeps none. ` +
    `Add failSafe or staleWhileRevalidate, or use timeout.hard.`,
  EMPTY_TIMEOUT: (where: string) =>
    `${where}: option "timeout" must set soft, hard or both, e.g. { soft: '200ms', hard: '2s' }.`,
  REFRESH_AHEAD_WITH_TTL_FUNCTION: (where: string) =>
    `${where}: option "refreshAhead" needs a fixed ttl (a fraction of it), and "ttl" is a function. ` +
    `Give ttl as a duration, or remove refreshAhead.`,
  BAD_TTL_RESULT: (where: string, value: unknown) =>
    `${where}: option "ttl" (a function) must return a positive duration or undefined (the default TTL); ` +
    `got ${show(value)}. The value was returned to the caller and not cached.`,
  BAD_LOADER_TTL: (where: string, value: unknown) =>
    `${where}: the loader set ctx.ttl to ${show(value)}, which is not a positive duration (e.g. 30000 or '30s'). ` +
    `The value was returned to the caller and not cached.`,
  LOAD_TIMEOUT: (where: string, ms: number) =>
    `${where}: the load took longer than timeout.hard (${ms} ms) and no expired value was allowed to stand in. ` +
    `It goes on and is cached when it completes; raise timeout.hard, or allow an expired value with failSafe.`,
  BAD_NONNEGATIVE_NUMBER: (where: string, option: string, value: unknown) =>
    `${where}: option "${option}" must be a finite number >= 0; got ${show(value)}.`,
  BAD_BOOLEAN_OPTION: (where: string, option: string, value: unknown) =>
    `${where}: option "${option}" must be a boolean; got ${show(value)}.`,
  BAD_STRING_OPTION: (where: string, option: string, value: unknown) =>
    `${where}: option "${option}" must be a non-empty string; got ${show(value)}.`,
  BAD_FUNCTION_OPTION: (where: string, option: string, value: unknown) =>
    `${where}: option "${option}" must be a function; got ${show(value)}.`,
  BAD_VERSION: (where: string, value: unknown) =>
    `${where}: option "version" must be a non-empty string or a finite number; got ${show(value)}.`,

  // Keys: arguments and keyFn results that cannot be part of a cache key.
  UNENCODABLE_ARG: (where: string, index: number, path: string, what: string) =>
    `${where}: argument ${index}${path ? ` at ${path}` : ''} is a ${what}, which cannot be part of a cache key. ` +
    `Pass a keyFn option that derives the key from the other arguments, or skip it with skipArgs.`,
  UNENCODABLE_KEY_FN_RESULT: (where: string, path: string, what: string) =>
    `${where}: keyFn returned a value containing a ${what}${path ? ` at ${path}` : ''}, which cannot be part of a cache key. ` +
    `Return strings, numbers, booleans, bigints, dates, or arrays/objects/maps/sets of them.`,
  OPAQUE_ARG: (where: string, index: number, path: string, className: string) =>
    `${where}: argument ${index}${path ? ` at ${path}` : ''} is an instance of ${className} with no own enumerable properties ` +
    `(its state is in #private fields or its prototype), so every ${className} would get the same cache key. ` +
    `Pass a keyFn option that builds the key from its identifying values, ` +
    `or give ${className} a toJSON() method returning them.`,
  OPAQUE_KEY_FN_RESULT: (where: string, path: string, className: string) =>
    `${where}: keyFn returned an instance of ${className} with no own enumerable properties${path ? ` at ${path}` : ''}, ` +
    `so every ${className} would get the same cache key. Return its identifying state (strings, numbers...) instead, ` +
    `or give ${className} a toJSON() method returning it.`,
  CIRCULAR_ARG: (where: string, index: number, path: string) =>
    `${where}: argument ${index} is a circular structure (it refers back to itself at ${path || 'its root'}), ` +
    `which cannot be part of a cache key. Pass a keyFn option that derives the key from its identifying fields.`,
  CIRCULAR_KEY_FN_RESULT: (where: string, path: string) =>
    `${where}: keyFn returned a circular structure (at ${path || 'its root'}). Return a tuple of key parts or a string.`,

  // Codec: serializers, the envelope, compression.
  UNSERIALIZABLE_VALUE: (what: string, path: string, detail: string | undefined) =>
    `cannot serialize ${what} at ${path}${detail === undefined ? '' : ` (${detail})`}`,
  CIRCULAR_VALUE_DETAIL: (target: string) => `it refers back to ${target}; cache a tree without cycles`,
  UNSERIALIZABLE_PROMISE_DETAIL: () => `await it before returning, so the resolved value is cached`,
  UNSERIALIZABLE_CLASS_DETAIL: (name: string) =>
    `it would come back as a plain object without its methods; return plain data such as { ...value }, ` +
    `or register the class: new EnvelopeSerializer({ classes: [${name}] })`,
  CORRUPT_ENTRY: (why: string) => `the stored entry cannot be decoded (${why}); it is read as a miss and deleted.`,
  BAD_CLASSES_OPTION: (where: string, value: unknown) =>
    `${where}: option "classes" must be an array of classes (e.g. [User, Order]); got ${show(value)}.`,
  DUPLICATE_SERIALIZABLE_CLASS: (where: string, name: string) =>
    `${where}: option "classes" lists two different classes named ${JSON.stringify(name)} (or an anonymous class). ` +
    `The class name is what is stored, so it must be unique: rename one of them.`,
  BAD_SERIALIZER: (where: string, value: unknown) =>
    `${where}: option "serializer" must be an object with serialize(value) and deserialize(text) functions and a ` +
    `"format" name of letters, digits, ".", "+", "_" or "-" (at most 40 characters); got ${show(value)}.`,
  BAD_COMPRESSION: (where: string, value: unknown) =>
    `${where}: option "algorithm" must be 'gzip' or 'brotli'; got ${show(value)}.`,
  DECOMPRESSED_TOO_LARGE: (where: string, limit: number) =>
    `${where}: a stored value decompresses to more than ${limit} bytes (option "maxDecompressedSize"), so it is ` +
    `treated as corrupt. Raise "maxDecompressedSize" if your values really are that large.`,

  // Stores: values, namespaces, tags, snapshots.
  UNSTORABLE_VALUE: (store: string, cause: unknown) =>
    `${store}: the value cannot be stored (${cause instanceof Error ? cause.message : String(cause)}). ` +
    `Cache plain data (objects, arrays, strings, numbers, dates, maps, sets), or skip such results with shouldCache.`,
  VALUE_TOO_LARGE: (store: string, key: string, size: number, limit: number) =>
    `${store}: the value for key ${key} was not stored: it takes ${size} bytes, over the limit of ${limit} bytes ` +
    `(option "maxValueSize"). Raise "maxValueSize" if such values should be cached, or skip them with shouldCache.`,
  NULL_VALUE_TOO_LARGE: (key: string, size: number, limit: number) =>
    `NullStore: the value for key ${key} takes ${size} bytes once serialized, over the Redis store's default ` +
    `limit of ${limit} bytes (its option "maxValueSize"), so a Redis store would not cache it. If your Redis store ` +
    `raises "maxValueSize", pass new NullStore() a validate function that mirrors it; or skip such values with shouldCache.`,
  NAMESPACE_LIMIT_CONFLICT: (
    namespace: string,
    option: string,
    firstUser: string,
    first: unknown,
    secondUser: string,
    second: unknown,
  ) =>
    `${secondUser} asks for ${option} ${show(second)} on the shared namespace "${namespace}", but ${firstUser} ` +
    `already set ${option} ${show(first)} there. A namespace has one ${option}: give both the same "${option}" option, ` +
    `or state it on one of them only.`,
  BAD_TAGS: (where: string, value: unknown) =>
    `${where}: tags must be an array of non-empty strings (e.g. ['user:42']); got ${show(value)}.`,
  TAGS_UNSUPPORTED: (where: string, kind: string) =>
    `${where} has tags, but its ${kind} store cannot invalidate by tag. Use a store that supports tags (memory, Redis or tiered), or drop the tags option.`,
  SNAPSHOT_CORRUPT: (path: string, cause: unknown) =>
    `MemoryStore: the snapshot ${path} cannot be restored (${cause instanceof Error ? cause.message : String(cause)}); ` +
    `starting with an empty cache. Delete the file, or fix its permissions, to silence this warning.`,
  BAD_LEASE_HANDLE: (where: string, value: unknown) =>
    `${where}.releaseLease(): the lease must be the one this store's getOrLease() returned; got ${show(value)}.`,

  // Store URLs (createStore).
  BAD_STORE_URL: (url: string) =>
    `createStore: ${JSON.stringify(url)} is not a valid URL. Use e.g. 'memory://?max=10000', 'redis://127.0.0.1:6379/0?prefix=app' or 'null://'.`,
  UNKNOWN_STORE_SCHEME: (url: string, scheme: string, known: readonly string[]) =>
    `createStore(${JSON.stringify(url)}): unknown scheme "${scheme}://". Known schemes: ${known.map((k) => `${k}://`).join(', ')}.`,
  POLICY_IN_STORE_URL: (url: string, option: string) =>
    `createStore(${JSON.stringify(url)}): "${option}" is a freshness policy of the method or cache that reads ` +
    `the store, not an option of the store. Set it on @AsyncTTL, new Cache() or a scope ` +
    `(e.g. @AsyncTTL({ ttl: '1m', ${option}: … })), and remove it from the URL.`,
  UNKNOWN_URL_OPTION: (url: string, scheme: string, option: string, known: readonly string[]) =>
    `createStore(${JSON.stringify(url)}): unknown option "${option}" for ${scheme}://. ` +
    (known.length === 0 ? `${scheme}:// takes no options.` : `Known options: ${known.join(', ')}.`),
  BAD_REDIS_URL_DB: (url: string, path: string) =>
    `createStore(${JSON.stringify(url)}): the path ${JSON.stringify(path)} must be a database number such as /0, or empty.`,
  REDIS_URL_NEEDS_REDIS_ENTRY: (url: string) =>
    `createStore(${JSON.stringify(url)}): Redis stores come from 'memokit/redis' (importing 'memokit' loads no Redis code). ` +
    `Use import { createStore } from 'memokit/redis' (it knows every scheme), and install ioredis.`,
  CACHE_REDIS_URL: (where: string, url: string) =>
    `${where}: option "store" is a Redis URL (${JSON.stringify(url)}), and Redis stores come from 'memokit/redis' ` +
    `(importing 'memokit' loads no Redis code). Pass store: createStore(${JSON.stringify(url)}) with createStore ` +
    `imported from 'memokit/redis', and close that store when you are done: a Cache closes only the stores it made.`,
  STORE_LACKS_CAPABILITY: (where: string, kind: string, capability: string) =>
    `${where}: the ${JSON.stringify(kind)} store has no ${capability}() (an optional capability of CacheStore, ` +
    `which it cannot do without). Use a store that has it (the memory, Redis and tiered stores do), or add ${capability}() to the store.`,
  SWR_NEEDS_STALE_READS: (where: string, kind: string) =>
    `${where}: option "staleWhileRevalidate" needs a store that keeps expired entries (getFailSafe()), ` +
    `and the ${JSON.stringify(kind)} store has none. Remove staleWhileRevalidate, or use the memory, Redis or tiered store.`,
  FAIL_SAFE_NEEDS_STALE_READS: (where: string, kind: string) =>
    `${where}: option "failSafe" needs a store that keeps expired entries for fail-safe reads (getFailSafe()), ` +
    `and the ${JSON.stringify(kind)} store has none. Remove failSafe, or use the memory, Redis or tiered store.`,
  REDIS_URL_CONNECTION_OVERRIDE: (url: string, option: string) =>
    `createStore(${JSON.stringify(url)}): option "${option}" cannot be combined with a redis:// URL, which already ` +
    `says where to connect. Use new RedisStore({ ${option}, ... }) instead, or pass ioredis options as { redis: {...} }.`,

  // The Redis store: connection options, availability, commands.
  IOREDIS_MISSING: (where: string) =>
    `${where}: the RedisStore needs the "ioredis" package, which is not installed. Run \`npm install ioredis\`, ` +
    `or pass an existing client with { client }.`,
  REDIS_CONNECTION_OPTIONS: (where: string, given: readonly string[]) =>
    `${where}: pass exactly one of the options "client" (an ioredis Redis or Cluster instance), "url" ` +
    `('redis://host:6379/0') or "redis" (ioredis options)` +
    (given.length === 0 ? '; none was given.' : `; got ${given.join(' and ')}.`) +
    ` "url" and "redis" may be combined: the url gives the address, "redis" the other ioredis options.`,
  BAD_REDIS_CLIENT: (where: string, value: unknown) =>
    `${where}: option "client" must be an ioredis Redis or Cluster instance; got ${show(value)}.`,
  BAD_REDIS_PREFIX: (where: string, value: unknown) =>
    `${where}: option "prefix" must be a non-empty string without "{" or "}" (braces would change Redis Cluster ` +
    `hash slots); got ${show(value)}.`,
  REDIS_UNAVAILABLE: (store: string, op: string, state: string) =>
    `${store}: ${op} was skipped because Redis is not available (${state}). The store reconnects by ` +
    `itself; until then reads are misses and writes are rejected (nothing is queued).`,
  REDIS_STORE_CLOSED: (store: string, op: string) =>
    `${store}: ${op} was skipped because the store is closed. Create a new RedisStore to use Redis again.`,
  REDIS_CONNECTION_LOST: (store: string) =>
    `${store}: the connection to Redis was lost; ioredis reconnects by itself. Until then reads are misses and ` +
    `writes are rejected (nothing is queued).`,
  REDIS_TIMEOUT: (store: string, op: string, timeout: number) =>
    `${store}: ${op} got no answer from Redis within ${timeout} ms (option "timeout"). Redis is treated as ` +
    `unavailable until it answers a PING again; raise "timeout" if Redis is slow but healthy.`,
  REDIS_COMMAND_FAILED: (store: string, op: string, cause: unknown) =>
    `${store}: ${op} failed: ${cause instanceof Error ? cause.message : String(cause)}`,
  REDIS_CORRUPT_ENTRY: (store: string, cause: unknown) =>
    `${store}: ${cause instanceof Error ? cause.message : String(cause)}`,
  REDIS_BAD_LOAD_TOKEN: (where: string, value: unknown) =>
    `${where}: option "loadToken" must be the token this namespace's getForLoad() or loadToken() returned; ` +
    `got ${show(value)}. Tokens of another store or namespace cannot guard this write.`,
  REDIS_TAG_NOT_WELL_FORMED: (where: string, tag: string) =>
    `${where}: tag ${show(tag)} contains a lone surrogate, which Redis cannot store faithfully. Use well-formed strings as tags.`,

  // Hostile or broken data in Redis.
  REDIS_ENTRY_WRONG_TYPE: (type: string) =>
    `the key holds a Redis ${type}, not an entry this store wrote; it is read as a miss and deleted.`,
  REDIS_ENTRY_TOO_LARGE: (store: string, key: string, size: number, limit: number) =>
    `${store}: the stored entry for key ${key} takes ${size} bytes, over the limit of ${limit} bytes ` +
    `(option "maxValueSize"); it was not decoded, is read as a miss and was deleted. It was written by ` +
    `another program or a store with a larger "maxValueSize": give every store sharing the prefix the same limit.`,
  REDIS_KEY_REPAIRED: (store: string, what: string) => `${store}: ${what}`,
  REDIS_REPAIRED_GENERATION: () =>
    `the namespace's generation key held something this store never writes (another Redis type, or not a ` +
    `generation); it was replaced, so the namespace reads as empty, as after a clear().`,
  REDIS_REPAIRED_DELETE_LOG: () =>
    `the namespace's delete log was not a sorted set; it was recreated and the namespace started a new ` +
    `generation (it reads as empty, as after a clear(), and loads in flight store nothing).`,
  REDIS_REPAIRED_TAG_RECORD: () =>
    `the store's tag record was not a sorted set or was incomplete; it was recreated, so every tagged entry ` +
    `written before now reads as a miss.`,
  REDIS_REPAIRED_LEASE: () =>
    `a lease key held something this store never writes (another Redis type, or no expiry); this call's lease ` +
    `replaced it.`,

  // The tiered store and its invalidation bus.
  TIERED_NEEDS_BUS: (where: string) =>
    `${where}: with a RedisStore instance as "redis", pass "bus" too (e.g. new RedisBus({ url, channel })), ` +
    `or pass the Redis options instead of the store so the tiered store can open its pub/sub connections.`,
  TIERED_BUS_CLIENT: (where: string) =>
    `${where}: option "redis.client" must be an ioredis Redis or Cluster instance with duplicate(), so the ` +
    `invalidation bus can open its connections to the same servers; or pass "bus" yourself.`,
  BUS_CLIENT_COMBINED: (where: string, other: string) =>
    `${where}: option "client" cannot be combined with "${other}": the bus duplicates the client's connection ` +
    `(same servers, same options). Pass either "client", or "url"/"redis".`,
  BAD_BUS_CLIENT: (where: string, value: unknown) =>
    `${where}: option "client" must be an ioredis Redis or Cluster instance (the bus opens its connections ` +
    `with client.duplicate()); got ${show(value)}.`,
  BUS_MESSAGE_INVALID: (channel: string, why: string) =>
    `RedisBus(${JSON.stringify(channel)}): dropped a message on the channel: ${why}. Only memokit processes ` +
    `should publish on it.`,
  BUS_LISTENER_FAILED: (cause: unknown) =>
    `TieredStore: applying a bus message failed: ${cause instanceof Error ? cause.message : String(cause)}`,

  // Engine: calls of a cached method.
  NOT_A_PROMISE: (where: string, value: unknown) =>
    `${where} is cached by memokit and must return a promise, but it returned ${show(value)}. ` +
    `Make the method async or return a Promise.`,

  // API: decorators and their options.
  NOT_A_METHOD: (decorator: string, where: string, kind: string) =>
    `@${decorator} can only decorate a method that returns a promise, but ${where} is a ${kind}. ` +
    `Move the decorator to an async method.`,
  DUPLICATE_DEFINITION: (where: string) =>
    `${where} is decorated twice with @AsyncLRU/@AsyncTTL. Keep one cache decorator per method.`,
  SKIP_ARGS_WITH_KEY_FN: (where: string) =>
    `${where}: options "skipArgs" and "keyFn" exclude each other: keyFn receives every argument and replaces the key derivation. ` +
    `Drop skipArgs and ignore those arguments inside keyFn.`,
  BAD_LEASE: (where: string, value: unknown) =>
    `${where}: option "lease" must be true, false, or { ttl?, wait? } with durations ('10s', 5000); ` +
    `got ${show(value)}.`,
  BAD_SCOPE: (where: string, value: unknown) =>
    `${where}: option "scope" must be a scope name or a Cache scope (cache.scope('users')); got ${show(value)}.`,
  SCOPE_WITH_STORE: (where: string) =>
    `${where}: a Cache scope brings its own store, so "store" cannot be given with it. Drop "store", or pass the scope's name instead.`,
  NOT_A_STORE: (where: string, value: unknown) =>
    `${where}: option "store" must be a CacheStore instance or a store name; got ${show(value)}.`,
  STORE_NAME_OUTSIDE_NEST: (where: string, name: string) =>
    `${where} names the store "${name}", but no CacheModule has bound this instance to its stores. ` +
    `Named stores are resolved by CacheModule.forRoot({ stores }); outside NestJS pass a CacheStore instance instead.`,

  // API: invalidators.
  INVALIDATOR_SKIP_ARGS: (where: string) =>
    `${where}: invalidators take no "skipArgs" option (it silently produced wrong keys when the cached method also skipped arguments). ` +
    `Map the mutation's arguments to the cached method's arguments with keyFn, e.g. { keyFn: ([, id]) => [id] }.`,
  CLEAR_ALL_WITH_KEY_FN: (where: string) =>
    `${where}: options "clearAll: true" and "keyFn" exclude each other: clearAll evicts every entry, keyFn selects one. Pass one of them.`,
  INVALIDATOR_BAD_TARGET: (where: string, value: unknown) =>
    `${where}: the target must be a method decorated with @AsyncLRU or @AsyncTTL, or a function returning one ` +
    `(e.g. () => UserService.prototype.getUser); got ${show(value)}.`,
  INVALIDATOR_KIND_MISMATCH: (where: string, target: string, targetDecorator: string, invalidator: string) =>
    `${where} targets ${target}, which is cached with @${targetDecorator}. Use @${invalidator} for it.`,
  INVALIDATOR_NEEDS_KEY_FN: (where: string, target: string) =>
    `${where}: ${target} starts with a parameter that has a default value or is a rest parameter, so how many of the ` +
    `mutation's arguments are its arguments cannot be known. Pass keyFn, e.g. { keyFn: ([id]) => [id] }.`,
  INVALIDATOR_KEY_FN_RESULT: (where: string, value: unknown) =>
    `${where}: keyFn must return the cached method's arguments as an array (e.g. [id]); got ${show(value)}.`,

  // API: cache control, per-call options, process defaults, Cache, batching.
  NOT_DECORATED: (api: string, value: unknown) =>
    `${api}: ${show(value)} is not a method decorated with @AsyncLRU or @AsyncTTL. ` +
    `Pass the decorated method itself, e.g. ${api}(service.getUser, 42).`,
  EXPLAIN_UNBOUND: (where: string) =>
    `explainCache(${where}): the method is not bound to a store in this process yet: its store is a ` +
    'CacheModule store name. Use CacheService.explain(method, ...args) in the application that binds it.',
  NOT_CONSUMED: (options: unknown) =>
    `withCacheOptions(${show(options)}, fn): fn made no synchronous call to a cached method, so the options were not applied. ` +
    `Call the decorated method directly inside fn, e.g. withCacheOptions({ useCache: false }, () => svc.getUser(42)).`,
  BAD_CALL_OPTIONS: (value: unknown) =>
    `withCacheOptions: options must be an object with "useCache" and/or "refresh" booleans; got ${show(value)}.`,
  CONFLICTING_CALL_OPTIONS: () =>
    `withCacheOptions: { useCache: false, refresh: true } contradict each other: useCache: false skips the cache entirely, ` +
    `refresh: true reloads and stores. Pass one of them.`,
  DEFAULTS_ALREADY_SET: () =>
    `configureMemokit() was already called. The process defaults can be configured once, before the first cached call.`,
  DEFAULTS_IN_USE: (where: string) =>
    `configureMemokit() was called after ${where} already used the default store. ` +
    `Call configureMemokit() at startup, before any cached method runs.`,
  BAD_CACHE_KEY: (cache: string, key: unknown) =>
    `Cache(${cache}): keys must be strings or numbers; got ${show(key)}. Build a string key, e.g. \`user:\${id}\`.`,
  BATCH_MISSING_KEY: (key: unknown) =>
    `Batch loader: loadMany returned a Map without key ${show(key)}. Return a value for every key, or an Error for the keys that failed.`,
  BATCH_BAD_RESULT: (expected: number, result: unknown) =>
    `Batch loader: loadMany must return an array of ${expected} values (in key order, an Error for a failed key) or a Map from key to value; ` +
    `got ${Array.isArray(result) ? `an array of ${result.length}` : show(result)}.`,
} as const;
