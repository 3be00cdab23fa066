/**
 * A private redis-server for the Redis group of the bench: a free loopback
 * port (never 6379), nothing on disk (`--save "" --appendonly no`, a temp
 * dir), stopped by the runner at the end. The child processes find it through
 * {@link REDIS_URL_ENV}.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The environment variable that hands the server's URL to the child processes. */
export const REDIS_URL_ENV = 'MEMOKIT_BENCH_REDIS_URL';

const HOST = '127.0.0.1';

export interface BenchRedis {
  readonly url: string;
  /** `redis-server --version`, for the report. */
  readonly version: string;
  /** Stops the server (SIGTERM, then SIGKILL) and removes its temp dir. */
  stop(): Promise<void>;
  /** Synchronous last resort for an exiting runner. */
  kill(): void;
}

/** The installed redis-server's version, or undefined when it is not on PATH. */
export function redisServerVersion(): string | undefined {
  const probe = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (probe.error !== undefined || probe.status !== 0) return undefined;
  return /v=(\S+)/.exec(probe.stdout)?.[1] ?? probe.stdout.trim();
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
    if (port !== 6379 && (await portIsFree(port))) return port;
  }
  throw new Error('bench: found no free loopback port for a private redis-server');
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: HOST, port });
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), 500);
    socket.setEncoding('utf8');
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data: string) => done(data.startsWith('+PONG')));
    socket.once('error', () => done(false));
  });
}

const exited = (child: ChildProcess): Promise<void> =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', () => resolve()));

/** Starts the server and waits until it answers PING (10 s at most). */
export async function startBenchRedis(version: string): Promise<BenchRedis> {
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'memokit-bench-redis-'));
    // Logs go to a file in the temp dir: a pipe nobody reads while the runner blocks in spawnSync could fill up.
    const child = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        HOST,
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        dir,
        '--logfile',
        join(dir, 'redis.log'),
        '--daemonize',
        'no',
        '--protected-mode',
        'yes',
      ],
      { stdio: 'ignore' },
    );
    child.on('error', () => {});
    const deadline = Date.now() + 10_000;
    let up = false;
    while (!up && Date.now() < deadline && child.exitCode === null) {
      up = await ping(port);
      if (!up) await new Promise((resolve) => setTimeout(resolve, 25));
    }
    if (up) {
      return {
        url: `redis://${HOST}:${port}`,
        version,
        async stop() {
          child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
          await exited(child);
          clearTimeout(timer);
          rmSync(dir, { recursive: true, force: true });
        },
        kill() {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
          rmSync(dir, { recursive: true, force: true });
        },
      };
    }
    child.kill('SIGKILL');
    await exited(child);
    rmSync(dir, { recursive: true, force: true });
    // Another process may have taken the port between the check and the bind: try another.
    if (attempt >= 4) throw new Error(`bench: redis-server on port ${port} did not answer PING within 10 s`);
  }
}
