import { spawn, type ChildProcess } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { startPostgresServer, type PostgresServer } from '../setup/postgres-server.js';

const repo = resolve(import.meta.dirname, '../..');

/** The sample app built as `npm start` runs it: the package (exports map + dist/) with dist/sample-app beside it. */
export interface SampleAppBuild {
  /** The package root (package.json, dist/, node_modules -> the repository's). */
  readonly root: string;
  /** dist/sample-app/main.js */
  readonly main: string;
  /** dist/sample-app/demo.js */
  readonly demo: string;
  remove(): Promise<void>;
}

/**
 * Transpiles lib/, nest-module/ and sample-app/ into a temporary package laid
 * out as published, so the app imports `memokit` and `memokit/nest` through
 * the package's exports map (self-reference), exactly like `npm start` does
 * from dist/. Type checking is left to `npm run typecheck`; this needs no
 * prior `npm run build`, so a fresh clone's `npm test` works.
 */
export async function buildSampleApp(): Promise<SampleAppBuild> {
  const root = await mkdtemp(join(tmpdir(), 'memokit-sample-app-'));
  for (const folder of ['lib', 'nest-module', 'sample-app']) {
    for (const entry of await readdir(join(repo, folder), { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || !entry.name.endsWith('.ts') || entry.name.endsWith('.d.ts')) continue;
      const source = join(entry.parentPath, entry.name);
      const { outputText } = ts.transpileModule(await readFile(source, 'utf8'), {
        fileName: source,
        compilerOptions: {
          target: ts.ScriptTarget.ES2022,
          module: ts.ModuleKind.ES2022,
          experimentalDecorators: true,
          emitDecoratorMetadata: true,
          useDefineForClassFields: true,
        },
      });
      const target = join(root, 'dist', relative(repo, source)).replace(/\.ts$/, '.js');
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, outputText);
    }
  }
  await copyFile(join(repo, 'package.json'), join(root, 'package.json'));
  await symlink(join(repo, 'node_modules'), join(root, 'node_modules'), 'dir');
  return {
    root,
    main: join(root, 'dist/sample-app/main.js'),
    demo: join(root, 'dist/sample-app/demo.js'),
    remove: () => rm(root, { recursive: true, force: true }),
  };
}

/** The environment a child gets: this process's, without the sample app's own variables unless given. */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of [
    'PORT',
    'REDIS_URL',
    'CACHE_MODE',
    'CACHE_TIER',
    'DATABASE_URL',
    'SQLITE_FILE',
    'SEED_PRODUCTS',
    'SEED_USERS',
    'DB_LATENCY_MS',
    'NODE_OPTIONS',
  ]) {
    delete env[name];
  }
  return { ...env, ...extra };
}

/** How a child process ended. */
export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** A sample app running in a child process, as `npm start` runs it. */
export interface RunningApp {
  readonly url: string;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  /**
   * Sends SIGTERM and resolves with how the process ended (SIGKILL after 10 s).
   * Nest's shutdown hooks re-raise the signal once the app is closed, so a
   * clean stop ends with `signal: 'SIGTERM'`.
   */
  stop(): Promise<Exit>;
}

const LISTENING = /listening on (http:\/\/127\.0\.0\.1:\d+)/;

/** Starts `main.js` on a free port (PORT=0) and resolves once it printed its URL. */
export function startSampleApp(build: SampleAppBuild, env: Record<string, string> = {}): Promise<RunningApp> {
  const child: ChildProcess = spawn(process.execPath, [build.main], {
    cwd: build.root,
    env: childEnv({ PORT: '0', ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<Exit>((resolveExit) =>
    child.once('exit', (code, signal) => resolveExit({ code, signal })),
  );
  const stop = async (): Promise<Exit> => {
    if (child.exitCode !== null || child.signalCode !== null) return { code: child.exitCode, signal: child.signalCode };
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    try {
      return await exited;
    } finally {
      clearTimeout(timer);
    }
  };
  return new Promise<RunningApp>((resolveStart, rejectStart) => {
    const timer = setTimeout(() => {
      void stop();
      rejectStart(new Error(`the sample app did not print its URL within 20 s; output:\n${output}`));
    }, 20_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = LISTENING.exec(output);
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        resolveStart({ url: match[1], output: () => output, stop });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      rejectStart(new Error(`the sample app exited (${signal ?? code}) before listening; output:\n${output}`));
    });
  });
}

/**
 * Starts `count` instances at once (they race for a new database file, as replicas do). If any fails to start,
 * the others are stopped before the error is rethrown, so no app process outlives the test.
 */
export async function startSampleApps(
  build: SampleAppBuild,
  env: Record<string, string>,
  count: number,
): Promise<RunningApp[]> {
  const results = await Promise.allSettled(Array.from({ length: count }, () => startSampleApp(build, env)));
  const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed === undefined) return results.map((result) => (result as PromiseFulfilledResult<RunningApp>).value);
  await Promise.all(results.map((result) => (result.status === 'fulfilled' ? result.value.stop() : undefined)));
  throw failed.reason;
}

/** Runs a script to completion; resolves with its exit code and output. */
export function runScript(
  file: string,
  cwd: string,
  env: Record<string, string> = {},
  timeoutMs = 60_000,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolveRun) => {
    const child = spawn(process.execPath, [file], { cwd, env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolveRun({ code, stdout, stderr });
    });
  });
}

/** What `GET /cache/stats` returns (the fields the tests read). */
export interface StatsBody {
  readonly store: { readonly name: string; readonly kind: string };
  readonly queries: number;
  readonly queriesByTable: Record<string, number>;
  readonly mode: string;
  readonly summary: { readonly hits: number; readonly misses: number };
  readonly database: { readonly engine: string; readonly latencyMs: number };
  readonly methods: {
    readonly id: string;
    readonly kind: string;
    readonly store: string | undefined;
    readonly maxSize: number;
    readonly ttl?: number;
    readonly sharedScope: { readonly name: string; readonly methods: number } | null;
    readonly stats: {
      readonly hits: number;
      readonly misses: number;
      readonly loads: number;
      readonly inflightJoins: number;
      readonly bypassed: number;
      readonly size: number;
      readonly hitRate: number;
    };
  }[];
}

/** One item of what `GET /cache/advice` returns (`AdviceResponse` in sample-app/dashboard/advice.controller.ts). */
export interface AdviceBody {
  readonly method: string;
  readonly store: string;
  readonly maxSize: number | null;
  readonly ttl: number | null;
  readonly calls: number;
  readonly callsPerSecond: number;
  readonly observedMs: number;
  readonly rate: number;
  readonly sampledKeys: number;
  readonly distinctKeys: number;
  readonly bytesPerEntry: number | null;
  readonly sizes: {
    readonly size: number;
    readonly multiple: number;
    readonly hitRate: number;
    readonly bytes: number | null;
  }[];
  readonly ttls: { readonly ttl: number; readonly multiple: number; readonly hitRate: number }[];
  readonly recommendation: {
    readonly maxSize: number;
    readonly hitRate: number;
    readonly bytes: number | null;
    readonly loadsPerSecondChange: number;
  } | null;
  readonly warnings: string[];
}

/** A small HTTP client for one running app. */
export function client(url: string) {
  const request = async <T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ) => {
    const response = await fetch(url + path, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    const json = response.headers.get('content-type')?.includes('json') === true && text !== '';
    return { status: response.status, headers: response.headers, text, body: (json ? JSON.parse(text) : text) as T };
  };
  return {
    request,
    get: <T = unknown>(path: string, headers?: Record<string, string>) => request<T>('GET', path, undefined, headers),
    stats: async (): Promise<StatsBody> => (await request<StatsBody>('GET', '/cache/stats')).body,
    advice: async (): Promise<AdviceBody[]> => (await request<AdviceBody[]>('GET', '/cache/advice')).body,
    method: async (id: string): Promise<StatsBody['methods'][number]> => {
      const found = (await request<StatsBody>('GET', '/cache/stats')).body.methods.find((m) => m.id === id);
      if (found === undefined) throw new Error(`no cached method ${id} in /cache/stats`);
      return found;
    },
  };
}

/** The cached methods of the sample app, in the order /cache/stats lists them. */
export const SAMPLE_METHODS = [
  'ProductsService.getProduct',
  'ProductsService.listProducts',
  'UsersService.getUser',
  'UsersService.getPreferences',
  'UsersService.getOrders',
] as const;

/** The methods and shared scopes `GET /cache/advice` reports on (the advisor is on for all of them). */
export const ADVISED = [
  'ProductsService.getProduct',
  'ProductsService.listProducts',
  'scope:users',
  'UsersService.getOrders',
] as const;

/**
 * Known traffic for the `users` scope (rate 1: every key sampled): `users`
 * users' `getUser` and `getPreferences` in turn, twice. The second pass
 * re-reads each key after the `2 × users − 1` others, so an LRU of fewer
 * than `2 × users` entries misses every call and a larger one hits half of
 * them. Returns the calls made.
 */
export async function usersScopeTraffic(http: ReturnType<typeof client>, users: number): Promise<number> {
  let calls = 0;
  for (let pass = 0; pass < 2; pass++) {
    for (let id = 1; id <= users; id++) {
      for (const path of [`/users/${id}`, `/users/${id}/preferences`]) {
        const { status } = await http.get(path);
        if (status !== 200) throw new Error(`GET ${path} answered ${status}`);
        calls++;
      }
    }
  }
  return calls;
}

/** The databases the sample app runs on; the e2e suites run once per engine. */
export const ENGINES = ['sqlite', 'postgres'] as const;
export type Engine = (typeof ENGINES)[number];

/** A small catalog, so each suite seeds in well under a second. */
export const TEST_SEED = { SEED_PRODUCTS: '2000', SEED_USERS: '200' } as const;

let postgres: Promise<PostgresServer> | undefined;
let databases = 0;

/**
 * The environment that puts the app on `engine`: SQLite (a private file per
 * process, the default) or a new database on this test file's private
 * PostgreSQL server, started on first use. Call {@link stopPostgres} in the
 * file's `afterAll`.
 */
export async function databaseEnv(engine: Engine): Promise<Record<string, string>> {
  if (engine === 'sqlite') return { ...TEST_SEED };
  postgres ??= startPostgresServer();
  const server = await postgres;
  return { ...TEST_SEED, DATABASE_URL: await server.createDatabase(`catalog_${process.pid}_${++databases}`) };
}

/** Stops this test file's PostgreSQL server, if it started one. */
export async function stopPostgres(): Promise<void> {
  const server = postgres;
  postgres = undefined;
  if (server !== undefined) await (await server).stop();
}
