/**
 * A private PostgreSQL server for the tests that need one (the sample app on
 * `DATABASE_URL`): `initdb` into a temp dir, `pg_ctl start` on a free loopback
 * port, trust authentication for one superuser, its socket in the temp dir.
 * It never touches the machine's own cluster (port 5432, /var/lib/postgresql).
 * Suites start it lazily in `beforeAll` and stop it in `afterAll`; a server
 * whose test process died is stopped by the next start (see sweepOrphans).
 *
 * PostgreSQL refuses to run as root: when the tests run as root, the temp dir
 * is given to the `postgres` OS user and the binaries run as that user
 * through `runuser`.
 */
import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

const HOST = '127.0.0.1';
const USER = 'memokit';
const TEMP_PREFIX = 'memokit-postgres-';
const OWNER_FILE = 'memokit-owner.json';

/** A PostgreSQL server this test process started. */
export interface PostgresServer {
  readonly port: number;
  /** `postgres://memokit@127.0.0.1:<port>/postgres` */
  readonly url: string;
  /** Creates an empty database and resolves with its URL. */
  createDatabase(name: string): Promise<string>;
  /** Stops the server (`pg_ctl stop -m fast`) and removes its temp dir. */
  stop(): Promise<void>;
}

/** The bin dir of the newest PostgreSQL under /usr/lib/postgresql (Debian's layout), or `PG_BIN`. */
export function postgresBinDir(): string {
  const fromEnv = process.env.PG_BIN;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  const newest = versions[0];
  if (newest === undefined) {
    throw new Error(
      'test/setup: PostgreSQL server binaries (initdb, pg_ctl) were not found under /usr/lib/postgresql/*/bin. ' +
        'Install them (apt-get install postgresql) or set PG_BIN to their directory.',
    );
  }
  return join(root, newest, 'bin');
}

const asRoot = (): boolean => process.getuid?.() === 0;

function run(file: string, args: readonly string[], cwd: string, timeoutMs = 60_000): Promise<string> {
  const [command, argv] = asRoot() ? ['runuser', ['-u', 'postgres', '--', file, ...args]] : [file, [...args]];
  return new Promise((resolve, reject) => {
    execFile(command, argv, { cwd, timeout: timeoutMs }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${file} ${args.join(' ')} failed: ${stderr || stdout}`, { cause: error }));
      else resolve(stdout);
    });
  });
}

function ids(): { uid: number; gid: number } {
  const passwd = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((line) => line.startsWith('postgres:'));
  const [, , uid, gid] = passwd?.split(':') ?? [];
  if (uid === undefined || gid === undefined) {
    throw new Error('test/setup: running as root, and there is no `postgres` OS user to run PostgreSQL as');
  }
  return { uid: Number(uid), gid: Number(gid) };
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, HOST, () => server.close(() => resolve(true)));
  });
}

async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 25_000);
    if (port !== 5432 && (await portIsFree(port))) return port;
  }
  throw new Error('test/setup: found no free loopback port for a private PostgreSQL');
}

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** Stops servers whose test process died without stopping them, found through their temp dir's owner file. */
export async function sweepOrphans(): Promise<void> {
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith(TEMP_PREFIX)) continue;
    const dir = join(tmpdir(), name);
    let owner: unknown;
    try {
      ({ owner } = JSON.parse(readFileSync(join(dir, OWNER_FILE), 'utf8')) as { owner?: unknown });
    } catch {
      continue; // starting, stopped, or not ours
    }
    if (typeof owner !== 'number' || isAlive(owner)) continue;
    await run(join(postgresBinDir(), 'pg_ctl'), ['stop', '-D', join(dir, 'data'), '-m', 'immediate'], dir).catch(
      () => {},
    );
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs `initdb` and `pg_ctl start` in a new temp dir on a free loopback port; resolves once it accepts connections. */
export async function startPostgresServer(): Promise<PostgresServer> {
  await sweepOrphans();
  const bin = postgresBinDir();
  const dir = mkdtempSync(join(tmpdir(), TEMP_PREFIX));
  const data = join(dir, 'data');
  if (asRoot()) {
    const { uid, gid } = ids();
    chownSync(dir, uid, gid);
  }
  let port = 0;
  try {
    await run(
      join(bin, 'initdb'),
      ['-D', data, '-U', USER, '-A', 'trust', '-E', 'UTF8', '--no-sync', '--no-instructions'],
      dir,
    );
    for (let attempt = 0; ; attempt++) {
      port = await freePort();
      const options = `-p ${port} -k ${dir} -c listen_addresses=${HOST} -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
      try {
        await run(
          join(bin, 'pg_ctl'),
          ['start', '-D', data, '-w', '-t', '30', '-l', join(dir, 'server.log'), '-o', options],
          dir,
        );
        break;
      } catch (error) {
        // Another process may have taken the port between the check and the bind: try another.
        if (attempt >= 4) throw error;
      }
    }
    writeFileSync(join(dir, OWNER_FILE), JSON.stringify({ owner: process.pid }));
  } catch (error) {
    const log = existsSync(join(dir, 'server.log')) ? readFileSync(join(dir, 'server.log'), 'utf8').slice(-2000) : '';
    await run(join(bin, 'pg_ctl'), ['stop', '-D', data, '-m', 'immediate'], dir).catch(() => {});
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`test/setup: could not start a private PostgreSQL${log ? `:\n${log}` : ''}`, { cause: error });
  }
  const urlOf = (database: string): string => `postgres://${USER}@${HOST}:${port}/${database}`;
  return {
    port,
    url: urlOf('postgres'),
    async createDatabase(name: string): Promise<string> {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new TypeError(`not a plain database name: ${name}`);
      const client = new pg.Client({ connectionString: urlOf('postgres') });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      return urlOf(name);
    },
    async stop(): Promise<void> {
      await run(join(bin, 'pg_ctl'), ['stop', '-D', data, '-m', 'fast', '-w'], dir).catch(() =>
        run(join(bin, 'pg_ctl'), ['stop', '-D', data, '-m', 'immediate'], dir).catch(() => {}),
      );
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
