/**
 * Every user-facing message of the NestJS module, as functions of what they
 * name. Messages say what was wrong and what to change.
 *
 * @internal
 */

const list = (names: readonly string[]): string =>
  names.length === 0 ? '(none)' : names.map((n) => JSON.stringify(n)).join(', ');

const describe = (value: unknown): string => {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'function') return `function ${value.name || '(anonymous)'}`;
  if (typeof value === 'object') return `an object of class ${value.constructor?.name ?? 'null-prototype'}`;
  return `${typeof value} ${typeof value === 'string' ? JSON.stringify(value) : String(value)}`;
};

export const messages = {
  BAD_TELEMETRY_OPTION: (value: unknown) =>
    `CacheModule: option "telemetry" must be true or false (false: never report to OpenTelemetry); got ${describe(value)}.`,
  BAD_LOGGER_OPTION: (value: unknown, levels: readonly string[]) =>
    `CacheModule: option "logger" must be true, false or { level } with level one of ${list(levels)} ` +
    `(the lowest level of the lines memokit writes); got ${describe(value)}.`,
  STORE_UNAVAILABLE: (name: string, kind: string, reason: string | undefined) =>
    `store ${JSON.stringify(name)} (${kind}) is unavailable${reason === undefined ? '' : `: ${reason}`}. ` +
    `Cached methods on it run without it (reads miss, writes are skipped) until it answers again.`,
  STORE_AVAILABLE: (name: string, kind: string) =>
    `store ${JSON.stringify(name)} (${kind}) answers again: cached methods use it.`,
  STORE_RESET: (name: string, reason: string | undefined) =>
    `store ${JSON.stringify(name)} dropped its in-process copies` +
    `${reason === undefined ? '' : ` (${reason})`}: invalidations may have been missed. ` +
    `Entries are read from Redis again.`,
  VALUE_TOO_LARGE: (name: string, namespace: string | undefined, reason: string | undefined) =>
    `store ${JSON.stringify(name)}: a value of ${namespace === undefined || namespace === '' ? 'a method' : namespace} ` +
    `was not cached${reason === undefined ? '' : ` (${reason})`}. Later ones are counted in ` +
    `redisStats().tooLarge and not logged; raise maxValueSize or cache less.`,
  BAD_MODULE_OPTIONS: (value: unknown) =>
    `CacheModule: the options must be an object such as { stores: { main: 'memory://' } }; got ${describe(value)}.`,
  UNKNOWN_MODULE_OPTION: (option: string, known: readonly string[]) =>
    `CacheModule: unknown option "${option}". Known options: ${known.join(', ')}.` +
    (option === 'isGlobal' || option === 'extraProviders'
      ? ` "${option}" belongs to forRootAsync({ ${option}, useFactory }), not to the object the factory returns.`
      : ''),
  BAD_STORES_OPTION: (value: unknown) =>
    `CacheModule: option "stores" must be an object mapping store names to stores, e.g. ` +
    `{ main: 'memory://?max=10000', redis: 'redis://127.0.0.1:6379/0' }; got ${describe(value)}.`,
  BAD_STORE_CONFIG: (option: string, value: unknown) =>
    `CacheModule: ${option} must be a CacheStore instance, a store URL ('memory://?max=10000', 'null://') ` +
    `or MemoryStore options ({ max: 10000, ttl: '5m' }); got ${describe(value)}.`,
  STORE_NOT_CREATED: (option: string, cause: unknown) =>
    `CacheModule: ${option} could not be created: ${cause instanceof Error ? cause.message : String(cause)}`,
  UNKNOWN_DEFAULT_STORE: (name: string, known: readonly string[]) =>
    `CacheModule: option "defaultStore" names the store ${JSON.stringify(name)}, which is not in "stores". ` +
    `Known store names: ${list(known)}. Pass one of them, a store URL such as 'memory://', or a CacheStore instance.`,
  DEFAULT_STORE_CONFLICT: (name: string) =>
    `CacheModule: "stores" already has a store named ${JSON.stringify(name)}, and "defaultStore" gives another store. ` +
    `Pass defaultStore: ${JSON.stringify(name)} to use it, or rename it.`,
  UNKNOWN_STORE: (where: string, name: string, known: readonly string[]) =>
    `${where} names the store ${JSON.stringify(name)}, but CacheModule has no store of that name. ` +
    `Known store names: ${list(known)}. Add it to CacheModule.forRoot({ stores: { ${JSON.stringify(name)}: ... } }) ` +
    `or change the decorator's "store" option.`,
  GET_UNKNOWN_STORE: (name: string, known: readonly string[]) =>
    `CacheService.getStore(${JSON.stringify(name)}): no store of that name. Known store names: ${list(known)}.`,
  CONFIGURED_TWICE: (count: number) =>
    `CacheModule is configured ${count} times in this application (forRoot/forRootAsync), so cached methods ` +
    `cannot be bound to one set of stores. Configure it once, in the root module, with isGlobal: true ` +
    `(or import that one module where CacheService is needed), and name the stores it should have.`,
  NON_STATIC_PROVIDER: (className: string, methodName: string, scope: string) =>
    `Cannot bind cached method "${className}@${methodName}" to this application's stores because ${className} ` +
    `is a ${scope} provider. Its calls use the process default store (see configureMemokit()). ` +
    `Move the cached method to a singleton provider to cache it in this application's stores.`,
  CALLED_BEFORE_BINDING: (where: string) =>
    `${where} was used before CacheModule bound it to this application's stores (called from a constructor, ` +
    `or before the application was initialized). Those calls used the process default store, and their entries ` +
    `are not in this application's stores. Call cached methods from onModuleInit() or later.`,
  NOT_BOUND_IN_APP: (api: string, where: string) =>
    `${api}: ${where} is not bound in this application: no initialized provider or controller of this ` +
    `application has it. Check that its class is a provider of this application and that the application ` +
    `was initialized (app.init(), app.listen() or moduleRef.init()).`,
  ADVISOR_OFF: (where: string) =>
    `CacheService.advise: the sizing advisor is off for ${where} in this application; turn it on with ` +
    `advisor: true on its decorator, or for every method with CacheModule.forRoot({ advisor: true }).`,
  ASYNC_OPTIONS_SOURCE: (given: readonly string[]) =>
    `CacheModule.forRootAsync: pass exactly one of useFactory, useClass or useExisting; got ` +
    `${given.length === 0 ? 'none' : given.join(' and ')}.`,
  STORE_NOT_READY: (name: string, kind: string, url: string | undefined, waitedMs: number) => {
    const backend = kind === 'redis' || kind === 'tiered' ? 'Redis' : 'the store';
    return (
      `CacheModule: the store ${JSON.stringify(name)}${url === undefined ? '' : ` (${url})`} was not ready after ` +
      `${Math.round(waitedMs)} ms (its connect timeout) at bootstrap. The application starts anyway: cached ` +
      `methods using it call the method itself (reads miss, writes are skipped) until ${backend} answers; ` +
      `the store reconnects by itself. Check that ${backend} is reachable at that address.`
    );
  },
  CLOSE_FAILED: (name: string, cause: unknown) =>
    `CacheModule: closing the store ${JSON.stringify(name)} failed: ${cause instanceof Error ? cause.message : String(cause)}`,
} as const;
