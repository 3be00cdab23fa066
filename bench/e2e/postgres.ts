/**
 * A private PostgreSQL server for `npm run bench:e2e -- --postgres`: initdb
 * into a temp dir, pg_ctl start on a free loopback port (never a developer's
 * server), trust authentication for one role, stopped and removed at the end.
 * The catalog is seeded into one database, and each configuration gets a copy
 * (`createdb --template`). As root, the server runs as the `postgres` user
 * (or `nobody`), because PostgreSQL refuses to run as root.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import type { BenchDatabase } from './databases.js';
import { freePort } from './processes.js';

const ROLE = 'memokit';
const SEED_DB = 'memokit_seed';

/** The directory of initdb and pg_ctl: PATH first, then Debian's versioned directories (newest first). */
function binDir(): string | undefined {
  const which = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' });
  if (which.status === 0 && which.stdout.trim() !== '') return undefined; // on PATH
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) throw new Error('e2e --postgres: initdb is not on PATH (apt-get install postgresql)');
  const versions = readdirSync(base)
    .filter((v) => existsSync(join(base, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  if (versions.length === 0) throw new Error('e2e --postgres: no initdb found (apt-get install postgresql)');
  return join(base, versions[0]!, 'bin');
}

function userId(name: string): { uid: number; gid: number } | undefined {
  const result = spawnSync('id', ['-u', name], { encoding: 'utf8' });
  const group = spawnSync('id', ['-g', name], { encoding: 'utf8' });
  if (result.status !== 0 || group.status !== 0) return undefined;
  return { uid: Number(result.stdout.trim()), gid: Number(group.stdout.trim()) };
}

export interface BenchPostgres extends BenchDatabase {
  /** Synchronous last resort for an exiting runner. */
  kill(): void;
}

/** Starts the server and creates the (empty) seed database; the app creates and seeds its schema. */
export async function startPostgres(): Promise<BenchPostgres> {
  const bin = binDir();
  const tool = (name: string): string => (bin === undefined ? name : join(bin, name));
  const dir = mkdtempSync(join(tmpdir(), 'memokit-e2e-pg-'));
  const data = join(dir, 'data');
  let runAs: string | undefined;
  if (userInfo().uid === 0) {
    runAs = userId('postgres') !== undefined ? 'postgres' : 'nobody';
    const owner = userId(runAs)!;
    chownSync(dir, owner.uid, owner.gid);
    chmodSync(dir, 0o700);
  }
  /** A server command line, as the server's user when the runner is root. */
  const asServer = (args: readonly string[]): [string, string[]] => {
    const [command, ...rest] = runAs === undefined ? args : ['runuser', '-u', runAs, '--', ...args];
    return [command!, rest];
  };
  const server = (args: readonly string[]): void => {
    const result = spawnSync(...asServer(args), { encoding: 'utf8', cwd: dir, timeout: 120_000 });
    if (result.status !== 0) {
      throw new Error(`e2e --postgres: ${args.join(' ')} failed: ${result.error?.message ?? ''}${result.stderr}`);
    }
  };
  const port = await freePort();
  const host = '127.0.0.1';
  const client = (args: readonly string[]) => {
    const [command, ...rest] = args;
    const result = spawnSync(tool(command!), [...rest, '-h', host, '-p', String(port), '-U', ROLE], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    if (result.status !== 0) throw new Error(`e2e --postgres: ${args.join(' ')} failed: ${result.stderr}`);
  };
  server([tool('initdb'), '-D', data, '-U', ROLE, '--auth=trust', '-E', 'UTF8', '--no-sync']);
  // The socket directory is the temp dir, so the server touches nothing of the system's own PostgreSQL.
  const options = `-c listen_addresses=${host} -p ${port} -k ${dir}`;
  server([tool('pg_ctl'), '-D', data, '-o', options, '-l', join(dir, 'server.log'), '-w', '-t', '60', 'start']);
  const stop = (mode: 'fast' | 'immediate') =>
    spawnSync(...asServer([tool('pg_ctl'), '-D', data, '-m', mode, '-w', 'stop']), { timeout: 30_000 });
  let stopped = false;
  const close = (mode: 'fast' | 'immediate'): void => {
    if (stopped) return;
    stopped = true;
    stop(mode);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    client(['createdb', SEED_DB]);
  } catch (error) {
    close('immediate');
    throw error;
  }
  const url = (db: string): string => `postgres://${ROLE}@${host}:${port}/${db}`;
  return {
    name: 'PostgreSQL',
    seedEnv: { DATABASE_URL: url(SEED_DB) },
    description: `private PostgreSQL server on 127.0.0.1:${port}`,
    async fresh(id) {
      const name = `e2e_${id.replace(/[^a-z0-9]/gi, '_')}`;
      client(['createdb', '--template', SEED_DB, name]);
      return { DATABASE_URL: url(name) };
    },
    async close() {
      close('fast');
    },
    kill() {
      close('immediate');
    },
  };
}
