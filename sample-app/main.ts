import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { countFromEnv, createSampleApp, millisecondsFromEnv, portFromEnv } from './app.js';
import { cacheModeFromEnv } from './cache-mode.js';
import { cacheStoreFromEnv, logStoreHealth, redactUrl, waitForStore } from './cache-store.js';
import { CatalogDatabase } from './catalog/catalog.database.js';
import { HealthState } from './dashboard/health.controller.js';
import { startPrometheus } from './metrics/prometheus.js';

// First, before the app binds its cached methods: memokit reports to the registered OpenTelemetry SDK.
const prometheus = startPrometheus();

const env = process.env;
const port = portFromEnv(env.PORT);
const cacheMode = cacheModeFromEnv(env.CACHE_MODE);
const redisUrl = env.REDIS_URL?.trim() || undefined;
// CACHE_MODE=nest-cache-manager keeps memokit (users routes) in memory: REDIS_URL is cache-manager's.
const store = cacheMode === 'memokit' ? cacheStoreFromEnv(env) : undefined;
const database = await CatalogDatabase.open({
  url: env.DATABASE_URL?.trim() || undefined,
  sqliteFile: env.SQLITE_FILE?.trim() || undefined,
  seedProducts: countFromEnv('SEED_PRODUCTS', env.SEED_PRODUCTS),
  seedUsers: countFromEnv('SEED_USERS', env.SEED_USERS),
  latencyMs: millisecondsFromEnv('DB_LATENCY_MS', env.DB_LATENCY_MS),
});

logStoreHealth(store, new Logger('CacheStore'));

// The app closes the database at shutdown (Nest's shutdown hooks run on SIGTERM).
const app = await createSampleApp({
  store,
  database,
  cacheMode,
  redisUrl,
  closeDatabase: true,
  metrics: prometheus.exporter,
});
app.enableShutdownHooks();
await app.listen(port, '127.0.0.1');
const url = await app.getUrl();

const storeLabel =
  cacheMode === 'none'
    ? 'none (CACHE_MODE=none: every read queries the database)'
    : cacheMode === 'nest-cache-manager'
      ? `@nestjs/cache-manager on the product routes, ${redisUrl === undefined ? 'in memory' : `Redis through Keyv (${redactUrl(redisUrl)})`}`
      : store === undefined
        ? 'memory (CacheModule default)'
        : `${store.kind} (${redactUrl(redisUrl ?? '')})`;
const banner = [
  `memokit sample app listening on ${url}`,
  `  dashboard:   ${url}/`,
  `  cache store: ${storeLabel}`,
  `  database:    ${database.engine} (${database.location})${database.latencyMs > 0 ? `, +${database.latencyMs} ms per query` : ''}`,
  `  try:         curl ${url}/products/1   then   curl ${url}/cache/stats`,
  `  metrics:     ${url}/metrics (Prometheus)`,
];
if (store !== undefined && database.engine === 'sqlite' && env.SQLITE_FILE === undefined) {
  banner.push(
    '  note:        this SQLite file is private to this process; set SQLITE_FILE (or DATABASE_URL) to share it',
  );
}
console.log(banner.join('\n'));
if (store !== undefined && !(await waitForStore(store))) {
  console.warn('  warning:     the cache store is not reachable yet; requests read the database until it is');
}
app.get(HealthState).ready = true;
