/**
 * Starting and stopping the sample app for the e2e bench: one process per
 * instance, on a free loopback port, with the environment of the contract
 * (CACHE_MODE, REDIS_URL, CACHE_TIER, SQLITE_FILE, DATABASE_URL, SEED_*).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { createServer } from 'node:net';

const HOST = '127.0.0.1';

/** Variables the runner sets itself: a developer's own values must not leak into a configuration. */
export const APP_ENV_KEYS = [
  'PORT',
  'CACHE_MODE',
  'CACHE_TIER',
  'REDIS_URL',
  'DATABASE_URL',
  'SQLITE_FILE',
  'SEED_PRODUCTS',
  'SEED_USERS',
  'DB_LATENCY_MS',
  'CATALOG_DATA_DIR',
] as const;

/** A free port on loopback (never 6379): bound once by the OS's choice, then released. */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, HOST, () => {
        const address = server.address();
        const chosen = typeof address === 'object' && address !== null ? address.port : 0;
        server.close(() => resolve(chosen));
      });
    });
    if (port !== 0 && port !== 6379) return port;
  }
}

export interface AppProcess {
  readonly url: string;
  readonly pid: number | undefined;
  /** SIGTERM, then SIGKILL after 10 s. */
  stop(): Promise<void>;
  /** Synchronous last resort for an exiting runner. */
  kill(): void;
}

export interface StartAppOptions {
  /** `dist/sample-app/main.js` */
  readonly main: string;
  readonly cwd: string;
  /** The configuration's variables (APP_ENV_KEYS); PORT is chosen here. */
  readonly env: Readonly<Record<string, string>>;
  /** The process's stdout and stderr go here. */
  readonly logFile: string;
  /** @default 120_000 (the first start seeds the database) */
  readonly readyTimeoutMs?: number;
}

const exited = (child: ChildProcess): Promise<void> =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', () => resolve()));

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function tail(file: string, lines = 30): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/**
 * Starts one app process and resolves once it printed `listening on http://127.0.0.1:<port>` and `GET /health`
 * answered 200.
 */
export async function startApp(options: StartAppOptions): Promise<AppProcess> {
  const { main, cwd, logFile, readyTimeoutMs = 120_000 } = options;
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of APP_ENV_KEYS) delete env[key];
  Object.assign(env, options.env, { PORT: String(port) });
  const log = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(process.execPath, [main], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.on('error', () => {});
  child.stderr.pipe(log, { end: false });
  const url = `http://${HOST}:${port}`;
  let buffered = '';
  const listening = new Promise<void>((resolve) => {
    const onData = (chunk: Buffer): void => {
      log.write(chunk);
      buffered = (buffered + chunk.toString('utf8')).slice(-4096);
      if (buffered.includes(`listening on ${url}`)) {
        resolve();
        child.stdout.off('data', onData);
        child.stdout.on('data', (more: Buffer) => log.write(more));
      }
    };
    child.stdout.on('data', onData);
  });
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited(child);
    clearTimeout(timer);
    await new Promise<void>((resolve) => log.end(() => resolve()));
  };
  const app: AppProcess = {
    url,
    pid: child.pid,
    stop,
    kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };

  const deadline = Date.now() + readyTimeoutMs;
  const died = exited(child).then(() => 'exited' as const);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), readyTimeoutMs)));
  const first = await Promise.race([listening.then(() => 'listening' as const), died, timeout]);
  clearTimeout(timer);
  if (first === 'listening') {
    while (Date.now() < deadline && child.exitCode === null) {
      if ((await status(`${url}/health`)) === 200) return app;
      await sleep(50);
    }
  }
  await stop();
  const why =
    child.exitCode !== null || child.signalCode !== null
      ? `exited (${child.exitCode ?? child.signalCode})`
      : `not ready within ${readyTimeoutMs / 1000} s`;
  throw new Error(
    `e2e: the sample app ${why} with ${JSON.stringify(options.env)}; the end of its log (${logFile}):\n${tail(logFile)}`,
  );
}

async function status(url: string): Promise<number | undefined> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return undefined;
  }
}

/** `GET` a JSON body (10 s at most); throws on a status other than 200. */
export async function getJson(url: string): Promise<unknown> {
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`e2e: GET ${url} answered ${response.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text) as unknown;
}

/** `POST` with no body; throws on a status other than 2xx. */
export async function post(url: string): Promise<void> {
  const response = await fetch(url, { method: 'POST', signal: AbortSignal.timeout(10_000) });
  const text = await response.text();
  if (response.status < 200 || response.status > 299) {
    throw new Error(`e2e: POST ${url} answered ${response.status}: ${text.slice(0, 300)}`);
  }
}
