import 'reflect-metadata';
import type { INestApplication, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import type { CacheStore } from 'memokit';
import { AppModule } from './app.module.js';
import type { CacheMode } from './cache-mode.js';
import type { CatalogDatabase } from './catalog/catalog.database.js';

/** Options of {@link createSampleApp}. */
export interface SampleAppOptions {
  /** The database (see `CatalogDatabase.open`); the caller closes it after the app. */
  database: CatalogDatabase;
  /** The cache store (see `cacheStoreFromEnv`); omitted: CacheModule's in-memory default. Closed with the app. */
  store?: CacheStore | undefined;
  /** How the app caches (`CACHE_MODE`). @default 'memokit' */
  cacheMode?: CacheMode | undefined;
  /** With `cacheMode: 'nest-cache-manager'`: the Redis of cache-manager's Keyv store; omitted: in memory. */
  redisUrl?: string | undefined;
  /** Close the database when the app closes. @default false */
  closeDatabase?: boolean | undefined;
  /** Serve `GET /metrics` from this Prometheus reader (see `startPrometheus`); omitted: no `/metrics`. */
  metrics?: PrometheusExporter | undefined;
  /** Nest log levels, or `false` for none. @default ['error', 'warn'] */
  logger?: LogLevel[] | false;
}

/** Creates (without listening) the sample catalog app. */
export function createSampleApp(options: SampleAppOptions): Promise<INestApplication> {
  const { store, database, cacheMode, redisUrl, closeDatabase, metrics, logger = ['error', 'warn'] } = options;
  return NestFactory.create(AppModule.forRoot({ database, store, cacheMode, redisUrl, closeDatabase, metrics }), {
    logger,
  });
}

/** The port to listen on from `PORT`: default 3000, `0` for any free port. */
export function portFromEnv(value: string | undefined): number {
  if (value === undefined || value.trim() === '') return 3000;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new TypeError(`PORT must be an integer from 0 to 65535, got ${JSON.stringify(value)}`);
  }
  return port;
}

/** A positive integer from the environment (`SEED_PRODUCTS`, `SEED_USERS`), or `undefined` when unset. */
export function countFromEnv(name: string, value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1)
    throw new TypeError(`${name} must be a positive integer, got ${JSON.stringify(value)}`);
  return n;
}

/** A nonnegative number of milliseconds from the environment (`DB_LATENCY_MS`), or `undefined` when unset. */
export function millisecondsFromEnv(name: string, value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0)
    throw new TypeError(`${name} must be a nonnegative number, got ${JSON.stringify(value)}`);
  return n;
}
