/**
 * Private redis-server processes for tests: one per test run (this module's
 * default export is jest's globalSetup), one per suite that kills or pauses
 * Redis, and a 3-master cluster. Servers listen on free loopback ports, never
 * on 6379, keep nothing on disk (`--save "" --appendonly no`, a temp dir) and
 * are stopped by their owner.
 *
 * Jest loads a globalSetup module outside its module registry, where relative
 * `.js` imports of TypeScript files do not resolve: keep this file
 * self-contained (node built-ins and packages only).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

const HOST = '127.0.0.1';
const START_TIMEOUT_MS = 10_000;

/** A redis-server this test process started. */
export interface RedisServer {
  readonly host: string;
  readonly port: number;
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  /** Stops the server (SIGTERM, then SIGKILL) and removes its temp dir. */
  stop(): Promise<void>;
  /** Freezes the process (SIGSTOP): connections stay open but nothing answers. */
  pause(): void;
  /** Unfreezes a paused server (SIGCONT). */
  resume(): void;
  /** Starts the server again on the same port after {@link RedisServer.stop}. */
  restart(): Promise<void>;
}

/** A local Redis Cluster of masters without replicas. */
export interface RedisClusterHandle {
  readonly nodes: readonly { host: string; port: number }[];
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Port to listen on; a free one when omitted. */
  readonly port?: number;
  /** Extra redis-server arguments, e.g. ['--cluster-enabled', 'yes']. */
  readonly args?: readonly string[];
  /** Also require port + 10000 (the cluster bus) to be free when choosing a port. */
  readonly clusterBus?: boolean;
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, HOST, () => server.close(() => resolve(true)));
  });
}

async function freePort(clusterBus: boolean): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 25_000);
    if (port === 6379) continue;
    if ((await portIsFree(port)) && (!clusterBus || (await portIsFree(port + 10_000)))) return port;
  }
  throw new Error('test/setup: found no free loopback port for a private redis-server');
}

/** Sends one inline command over a raw socket; resolves with the first reply line, or rejects. */
export function rawCommand(port: number, command: string, timeoutMs = 1000, host = HOST): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host, port });
    let data = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer to ${command} on ${host}:${port} within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.setEncoding('utf8');
    socket.once('connect', () => socket.write(`${command}\r\n`));
    socket.on('data', (chunk: string) => {
      data += chunk;
      if (data.includes('\r\n')) {
        clearTimeout(timer);
        socket.destroy();
        resolve(data);
      }
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(error);
    });
  });
}

/** Resolves once the server at `port` answers PING with PONG; rejects after `timeoutMs`. */
export async function waitForPing(port: number, timeoutMs = START_TIMEOUT_MS, host = HOST): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      if ((await rawCommand(port, 'PING', 500, host)).startsWith('+PONG')) return;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`redis-server on ${host}:${port} did not answer PING within ${timeoutMs} ms`, { cause: last });
}

function spawnServer(
  port: number,
  dir: string,
  args: readonly string[],
): { child: ChildProcess; output: () => string } {
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
      '--daemonize',
      'no',
      '--protected-mode',
      'yes',
      ...args,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  });
  return { child, output: () => output };
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

async function launch(port: number, dir: string, args: readonly string[]): Promise<ChildProcess> {
  const { child, output } = spawnServer(port, dir, args);
  const failure = new Promise<never>((_, reject) => {
    child.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'ENOENT'
          ? new Error(
              'test/setup: redis-server is not on PATH. Install it (apt-get install redis-server, as .ci/run does) ' +
                'or set REDIS_URL=redis://host:port to a server the tests may use.',
            )
          : error,
      ),
    );
    child.once('exit', (code, signal) =>
      reject(new Error(`redis-server on port ${port} exited early (${code ?? signal}):\n${output()}`)),
    );
  });
  try {
    await Promise.race([waitForPing(port), failure]);
  } catch (error) {
    child.kill('SIGKILL');
    await exited(child);
    throw error;
  }
  failure.catch(() => {});
  // Lets a later run stop this server if this process dies without stopping it (see sweepOrphans).
  writeFileSync(join(dir, OWNER_FILE), JSON.stringify({ owner: process.pid, server: child.pid }));
  return child;
}

const OWNER_FILE = 'memokit-owner.json';
const TEMP_PREFIX = 'memokit-redis-';

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * Stops private servers whose owning test process died without stopping them
 * (a crashed or killed jest run), found through the owner file in their temp
 * dir. Servers of live test processes are left alone.
 */
export function sweepOrphans(): void {
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith(TEMP_PREFIX)) continue;
    const dir = join(tmpdir(), name);
    let record: { owner?: unknown; server?: unknown };
    try {
      record = JSON.parse(readFileSync(join(dir, OWNER_FILE), 'utf8')) as typeof record;
    } catch {
      continue; // starting, stopped, or not ours
    }
    const { owner, server } = record;
    if (typeof owner !== 'number' || typeof server !== 'number' || isAlive(owner)) continue;
    try {
      const command = readFileSync(`/proc/${server}/cmdline`, 'utf8');
      if (command.startsWith('redis-server')) process.kill(server, 'SIGKILL');
    } catch {
      // already gone
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Starts a private redis-server on a free loopback port and waits until it
 * answers PING.
 */
export async function startRedisServer(options: StartOptions = {}): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), TEMP_PREFIX));
  const args = options.args ?? [];
  let port = options.port ?? 0;
  let child: ChildProcess | undefined;
  for (let attempt = 0; child === undefined; attempt++) {
    if (options.port === undefined) port = await freePort(options.clusterBus ?? false);
    try {
      child = await launch(port, dir, args);
    } catch (error) {
      // Another process may have taken the port between the check and the bind: try another.
      if (options.port !== undefined || attempt >= 4 || !String(error).includes('exited early')) {
        rmSync(dir, { recursive: true, force: true });
        throw error;
      }
    }
  }
  let current: ChildProcess | undefined = child;
  const stopCurrent = async (): Promise<void> => {
    const proc = current;
    current = undefined;
    if (proc === undefined) return;
    proc.kill('SIGCONT');
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), 3000);
    await exited(proc);
    clearTimeout(timer);
  };
  return {
    host: HOST,
    port,
    url: `redis://${HOST}:${port}`,
    async stop() {
      await stopCurrent();
      rmSync(dir, { recursive: true, force: true });
    },
    pause() {
      current?.kill('SIGSTOP');
    },
    resume() {
      current?.kill('SIGCONT');
    },
    async restart() {
      await stopCurrent();
      mkdirSync(dir, { recursive: true });
      current = await launch(port, dir, args);
    },
  };
}

function run(file: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: START_TIMEOUT_MS }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${file} ${args.join(' ')} failed: ${stderr || stdout}`, { cause: error }));
      else resolve(stdout);
    });
  });
}

/**
 * Starts `masters` redis-servers with `--cluster-enabled yes` and joins them
 * with `redis-cli --cluster create ... --cluster-replicas 0`, then waits until
 * every node reports `cluster_state:ok`.
 */
export async function startRedisCluster(masters = 3): Promise<RedisClusterHandle> {
  const servers: RedisServer[] = [];
  try {
    for (let i = 0; i < masters; i++) {
      servers.push(
        await startRedisServer({
          clusterBus: true,
          args: [
            '--cluster-enabled',
            'yes',
            '--cluster-config-file',
            `nodes-${i}.conf`,
            '--cluster-node-timeout',
            '2000',
          ],
        }),
      );
    }
    await run('redis-cli', [
      '--cluster',
      'create',
      ...servers.map((s) => `${s.host}:${s.port}`),
      '--cluster-replicas',
      '0',
      '--cluster-yes',
    ]);
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (const server of servers) {
      for (;;) {
        const info = await run('redis-cli', ['-h', server.host, '-p', String(server.port), 'cluster', 'info']);
        if (info.includes('cluster_state:ok')) break;
        if (Date.now() > deadline) throw new Error(`cluster node ${server.port} is not ok:\n${info}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  } catch (error) {
    await Promise.all(servers.map((s) => s.stop()));
    throw error;
  }
  return {
    nodes: servers.map((s) => ({ host: s.host, port: s.port })),
    async stop() {
      await Promise.all(servers.map((s) => s.stop()));
    },
  };
}

/**
 * Jest global setup: gives every test run one Redis, exposed to the tests as
 * `process.env.MEMOKIT_TEST_REDIS_URL` (workers inherit the environment).
 *
 * - `REDIS_URL` set: that server is used (it must answer PING).
 * - otherwise: a private redis-server on a free loopback port (never 6379),
 *   stopped by the global teardown (test/setup/global-teardown.ts).
 *
 * If neither works the run fails here, with the reason: Redis suites are never
 * skipped silently.
 */
export const REDIS_URL_ENV = 'MEMOKIT_TEST_REDIS_URL';

declare global {
  var __MEMOKIT_TEST_REDIS__: RedisServer | undefined;
}

async function checkExternal(url: string): Promise<void> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 3000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    const pong = await client.ping();
    if (pong !== 'PONG') throw new Error(`PING answered ${String(pong)}`);
  } catch (error) {
    throw new Error(
      `test/setup: REDIS_URL=${url} is set but that server does not answer PING. ` +
        'Fix the URL, or unset REDIS_URL to let the tests start a private redis-server.',
      { cause: error },
    );
  } finally {
    client.disconnect();
  }
}

export default async function globalSetup(): Promise<void> {
  const external = process.env.REDIS_URL;
  if (external !== undefined && external !== '') {
    await checkExternal(external);
    process.env[REDIS_URL_ENV] = external;
    return;
  }
  sweepOrphans();
  const server = await startRedisServer();
  globalThis.__MEMOKIT_TEST_REDIS__ = server;
  process.env[REDIS_URL_ENV] = server.url;
}
