import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createSampleApp, portFromEnv } from './app.js';
import { cacheStoreFromEnv, logStoreHealth, redactUrl, waitForStore } from './cache-store.js';
import { CatalogDatabase } from './catalog/catalog.database.js';

const port = portFromEnv(process.env.PORT);
const store = cacheStoreFromEnv(process.env);
const dataDir = process.env.CATALOG_DATA_DIR?.trim() || undefined;
const database = new CatalogDatabase({ dataDir });

logStoreHealth(store, new Logger('CacheStore'));

const app = await createSampleApp({ store, database });
app.enableShutdownHooks();
await app.listen(port, '127.0.0.1');
const url = await app.getUrl();

const storeLabel =
  store === undefined ? 'memory (CacheModule default)' : `${store.kind} (${redactUrl(process.env.REDIS_URL ?? '')})`;
const banner = [
  `memokit sample app listening on ${url}`,
  `  dashboard:   ${url}/`,
  `  cache store: ${storeLabel}`,
  `  database:    ${dataDir ?? 'in memory'}, ${database.latencyMs} ms per query`,
  `  try:         curl ${url}/products/1   then   curl ${url}/cache/stats`,
];
if (store !== undefined && dataDir === undefined) {
  banner.push('  note:        the in-memory database is private to this process; set CATALOG_DATA_DIR to share it');
}
console.log(banner.join('\n'));
if (store !== undefined && !(await waitForStore(store))) {
  console.warn('  warning:     the cache store is not reachable yet; requests read the database until it is');
}
