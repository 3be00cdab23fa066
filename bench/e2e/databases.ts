/**
 * The databases the e2e bench runs the app on. Each configuration starts from
 * the same state: the catalog is seeded once (by a first start of the app),
 * and every configuration gets a copy of it.
 */
import { copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Database } from './report.js';

export interface BenchDatabase {
  readonly name: Database;
  /** The app's database variables for the seeding start. */
  readonly seedEnv: Readonly<Record<string, string>>;
  /** A fresh copy of the seeded database for one configuration: the app's database variables. */
  fresh(id: string): Promise<Record<string, string>>;
  /** For the report, e.g. `SQLite file (WAL)`. */
  readonly description: string;
  close(): Promise<void>;
}

/**
 * SQLite files in `dir`: `seed.db` seeded by the first start, then copied to `<id>.db` per configuration. The app
 * stops cleanly after seeding, so its WAL is checkpointed; a WAL file left over is copied along.
 */
export function sqliteDatabase(dir: string): BenchDatabase {
  const seed = join(dir, 'seed.db');
  return {
    name: 'SQLite',
    seedEnv: { SQLITE_FILE: seed },
    description: 'SQLite file in a temp dir, one copy of the seeded catalog per configuration',
    async fresh(id) {
      if (!existsSync(seed)) throw new Error(`e2e: the seeded SQLite file ${seed} is missing (did the app write it?)`);
      const file = join(dir, `${id}.db`);
      copyFileSync(seed, file);
      if (existsSync(`${seed}-wal`)) copyFileSync(`${seed}-wal`, `${file}-wal`);
      return { SQLITE_FILE: file };
    },
    async close() {},
  };
}
