import 'reflect-metadata';
import type { INestApplication, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { CacheStore } from 'memokit';
import { AppModule } from './app.module.js';
import { CatalogDatabase } from './catalog/catalog.database.js';

/** Options of {@link createSampleApp}. */
export interface SampleAppOptions {
  /** The cache store (see `cacheStoreFromEnv`); omitted: CacheModule's in-memory default. Closed with the app. */
  store?: CacheStore | undefined;
  /** The database; omitted: a new in-memory one with 25 ms per query. */
  database?: CatalogDatabase;
  /** Nest log levels, or `false` for none. @default ['error', 'warn'] */
  logger?: LogLevel[] | false;
}

/** Creates (without listening) the sample catalog app. */
export function createSampleApp(options: SampleAppOptions = {}): Promise<INestApplication> {
  const { store, database = new CatalogDatabase(), logger = ['error', 'warn'] } = options;
  return NestFactory.create(AppModule.forRoot({ database, store }), { logger });
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
