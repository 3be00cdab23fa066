/**
 * `npm run bench:e2e`: the sample app under HTTP load, per cache
 * configuration: requests/s, latencies, database queries per request, cache
 * hit rate and stale reads, against the targets of issue 15. A full run
 * rewrites the "End to end" section of docs/benchmarks.md (between its
 * markers); the rest of that file belongs to `npm run bench`.
 *
 * Flags:
 *   --quick           5 s per configuration after 2 s of warm-up (default: 30 s after 5 s); prints only
 *   --postgres        also run every configuration on a private PostgreSQL server (initdb + pg_ctl, temp dir)
 *   --only a,b        only these configurations (ids in bench/e2e/configurations.ts); prints only
 *   --seconds N       measured seconds per configuration
 *   --warmup N        warm-up seconds per configuration
 *   --connections N   autocannon connections (default 10)
 *   --app FILE        the app's entry point (default dist/sample-app/main.js); it must follow bench/e2e's contract
 *   --write           write docs/benchmarks.md even with --quick or --only
 *   --no-write        do not write docs/benchmarks.md
 *
 * Exits non-zero when a memokit configuration served a stale read, when a
 * configuration had errors (non-2xx, malformed bodies, connection errors), or
 * when one could not run. The other targets are reported with ✓/✗.
 *
 * The app processes, the private redis-server (a free loopback port, never
 * 6379) and the database files live in a temp dir that is removed at the end.
 */
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';
import { libraryVersions } from '../report.js';
import { redisServerVersion, startBenchRedis, type BenchRedis } from '../redis-server.js';
import { CONFIGURATIONS, configurationEnv, needsRedis, type Configuration } from './configurations.js';
import { sqliteDatabase, type BenchDatabase } from './databases.js';
import { startPostgres } from './postgres.js';
import { getJson, post, startApp, type AppProcess } from './processes.js';
import { startRoundRobinProxy, type RoundRobinProxy } from './proxy.js';
import { evaluate, latencySummary, machineLine, renderSection, type Measurement, type RunSettings } from './report.js';
import { spliceSection } from './section.js';
import { StaleChecker } from './stale.js';
import { handlers, Tally, Workload } from './workload.js';

// dist/bench/e2e/run.js → <repo>/
const repoRoot = new URL('../../../', import.meta.url);
const root = fileURLToPath(repoRoot);
const defaultApp = fileURLToPath(new URL('dist/sample-app/main.js', repoRoot));
const docPath = fileURLToPath(new URL('docs/benchmarks.md', repoRoot));

const PRODUCTS = 10_000;
const USERS = 1_000;
const SEED = 15;
const FULL = { seconds: 30, warmupSeconds: 5 };
const QUICK = { seconds: 5, warmupSeconds: 2 };

const PEERS = [
  'autocannon',
  '@nestjs/core',
  '@nestjs/cache-manager',
  'cache-manager',
  'keyv',
  '@keyv/redis',
  'ioredis',
  'better-sqlite3',
  'pg',
];

interface Flags {
  readonly quick: boolean;
  readonly postgres: boolean;
  readonly only: readonly string[] | undefined;
  readonly seconds: number;
  readonly warmupSeconds: number;
  readonly connections: number;
  readonly write: boolean;
  readonly app: string;
}

function usage(message: string): never {
  console.error(
    `${message}\nusage: npm run bench:e2e [-- --quick] [--postgres] [--only id,id] [--seconds N] [--warmup N] ` +
      `[--connections N] [--app FILE] [--write | --no-write]\nconfigurations: ${CONFIGURATIONS.map((c) => c.id).join(', ')}`,
  );
  process.exit(2);
}

function parseFlags(argv: readonly string[]): Flags {
  let quick = false;
  let postgres = false;
  let only: string[] | undefined;
  let seconds: number | undefined;
  let warmup: number | undefined;
  let connections = 10;
  let write: boolean | undefined;
  let app = defaultApp;
  const number = (i: number, name: string): number => {
    const value = Number(argv[i]);
    if (!Number.isFinite(value) || value <= 0) usage(`${name} needs a positive number`);
    return value;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--quick') quick = true;
    else if (arg === '--postgres') postgres = true;
    else if (arg === '--only') only = (argv[++i] ?? usage('--only needs a list of configurations')).split(',');
    else if (arg === '--seconds') seconds = number(++i, arg);
    else if (arg === '--warmup') warmup = number(++i, arg);
    else if (arg === '--connections') connections = Math.round(number(++i, arg));
    else if (arg === '--app') app = resolvePath(argv[++i] ?? usage('--app needs a file'));
    else if (arg === '--write') write = true;
    else if (arg === '--no-write') write = false;
    else usage(`unknown argument: ${arg}`);
  }
  const known = new Set(CONFIGURATIONS.map((c) => c.id));
  const unknown = only?.filter((id) => !known.has(id)) ?? [];
  if (unknown.length > 0) usage(`unknown configuration(s): ${unknown.join(', ')}`);
  const base = quick ? QUICK : FULL;
  return {
    quick,
    postgres,
    only,
    seconds: seconds ?? base.seconds,
    warmupSeconds: warmup ?? base.warmupSeconds,
    connections,
    write: write ?? (!quick && only === undefined && seconds === undefined && app === defaultApp),
    app,
  };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** One autocannon run against `url`. */
function drive(url: string, seconds: number, connections: number, h: ReturnType<typeof handlers>) {
  return new Promise<autocannon.Result>((resolve, reject) => {
    autocannon(
      {
        url,
        connections,
        duration: seconds,
        timeout: 10,
        requests: [{ setupRequest: h.setupRequest, onResponse: h.onResponse }],
      },
      (error: Error | null, result: autocannon.Result) => (error ? reject(error) : resolve(result)),
    );
  });
}

interface Counters {
  queries: number;
  hits: number;
  misses: number;
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;

/** `GET /db/stats` and the summary of `GET /cache/stats` of one instance. */
async function counters(url: string): Promise<Counters> {
  const db = (await getJson(`${url}/db/stats`)) as { queries?: unknown };
  const cache = (await getJson(`${url}/cache/stats`)) as { summary?: { hits?: unknown; misses?: unknown } };
  const { hits, misses } = cache.summary ?? {};
  if (!isCount(db.queries) || !isCount(hits) || !isCount(misses)) {
    throw new Error(
      `e2e: ${url}: expected /db/stats { queries } and /cache/stats { summary: { hits, misses } } ` +
        `(bench/e2e contract), got ${JSON.stringify(db)} and summary ${JSON.stringify(cache.summary)}`,
    );
  }
  return { queries: db.queries, hits, misses };
}

async function sum(urls: readonly string[]): Promise<Counters> {
  const all = await Promise.all(urls.map(counters));
  return all.reduce((a, b) => ({ queries: a.queries + b.queries, hits: a.hits + b.hits, misses: a.misses + b.misses }));
}

/**
 * The statements one `PUT` runs, counted on the idle app: three writes of product 1, with /db/stats reset before.
 * The writes are recorded in `checker` like any other.
 */
async function statementsPerWrite(url: string, checker: StaleChecker): Promise<number> {
  const writes = 3;
  await post(`${url}/db/stats/reset`);
  for (let i = 0; i < writes; i++) {
    const response = await fetch(`${url}/products/1`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ priceCents: 1_000 + i }),
      signal: AbortSignal.timeout(10_000),
    });
    const body = (await response.json()) as { id?: unknown; version?: unknown };
    if (response.status !== 200 || body.id !== 1 || !Number.isSafeInteger(body.version)) {
      throw new Error(`e2e: PUT ${url}/products/1 answered ${response.status} ${JSON.stringify(body)}`);
    }
    checker.recordWrite(1, body.version as number, performance.now());
  }
  const { queries } = await counters(url);
  return queries / writes;
}

interface Catalog {
  readonly categories: string[];
  readonly pages: number;
}

/** Categories and listing pages per category, read from a running app. */
async function catalogOf(url: string, products: number): Promise<Catalog> {
  const categories = await getJson(`${url}/categories`);
  if (!Array.isArray(categories) || categories.length === 0 || !categories.every((c) => typeof c === 'string')) {
    throw new Error(`e2e: GET /categories returned ${JSON.stringify(categories)}, expected category names`);
  }
  const first = await getJson(`${url}/products?category=${encodeURIComponent(categories[0]!)}&page=1`);
  if (!Array.isArray(first) || first.length === 0) throw new Error('e2e: the first listing page is empty');
  return { categories, pages: Math.max(1, Math.floor(products / categories.length / first.length)) };
}

interface Context {
  readonly flags: Flags;
  readonly dir: string;
  readonly redis: BenchRedis | undefined;
  readonly live: Set<AppProcess>;
}

/** Starts `n` instances side by side; if one fails, stops the others. */
async function startInstances(ctx: Context, env: Record<string, string>, n: number, tag: string) {
  const started = await Promise.allSettled(
    Array.from({ length: n }, (_, i) =>
      startApp({ main: ctx.flags.app, cwd: root, env, logFile: join(ctx.dir, `${tag}-${i}.log`) }).then((app) => {
        ctx.live.add(app);
        return app;
      }),
    ),
  );
  const apps = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failure = started.find((r) => r.status === 'rejected');
  if (failure !== undefined) {
    await stopInstances(ctx, apps);
    throw failure.reason;
  }
  return apps;
}

async function stopInstances(ctx: Context, apps: readonly AppProcess[]): Promise<void> {
  await Promise.all(apps.map((app) => app.stop().finally(() => ctx.live.delete(app))));
}

async function flushRedis(url: string): Promise<void> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await client.connect();
    await client.flushall();
  } finally {
    client.disconnect();
  }
}

const baseEnv = { SEED_PRODUCTS: String(PRODUCTS), SEED_USERS: String(USERS) };

/** Seeds `db` by one start of the app; returns the catalog's shape. */
async function seed(ctx: Context, db: BenchDatabase): Promise<Catalog> {
  process.stderr.write(`e2e: seeding ${db.name} (${PRODUCTS} products, ${USERS} users)\n`);
  const [app] = await startInstances(ctx, { ...baseEnv, ...db.seedEnv, CACHE_MODE: 'none' }, 1, `seed-${db.name}`);
  try {
    return await catalogOf(app!.url, PRODUCTS);
  } finally {
    await stopInstances(ctx, [app!]);
  }
}

async function measure(ctx: Context, db: BenchDatabase, catalog: Catalog, config: Configuration): Promise<Measurement> {
  const { flags, redis } = ctx;
  if (redis !== undefined) await flushRedis(redis.url);
  const env = { ...baseEnv, ...(await db.fresh(config.id)), ...configurationEnv(config, redis?.url) };
  const apps = await startInstances(ctx, env, config.instances, `${db.name}-${config.id}`);
  let proxy: RoundRobinProxy | undefined;
  try {
    const urls = apps.map((a) => a.url);
    proxy = urls.length > 1 ? await startRoundRobinProxy(urls) : undefined;
    const target = proxy?.url ?? urls[0]!;
    const workload = new Workload({ products: PRODUCTS, ...catalog, seed: SEED });
    const checker = new StaleChecker();
    const queriesPerWrite = await statementsPerWrite(urls[0]!, checker);

    const warm = new Tally();
    const warmRun = await drive(target, flags.warmupSeconds, flags.connections, handlers(workload, checker, warm));
    await sleep(250); // requests the client gave up at the end of the warm-up finish in the app
    await Promise.all(urls.map((u) => post(`${u}/db/stats/reset`)));
    const before = await sum(urls);

    const tally = new Tally();
    const run = await drive(target, flags.seconds, flags.connections, handlers(workload, checker, tally));
    const after = await sum(urls);

    // Client-side count: a request the proxy could not forward reached the client as a 502 and is counted there.
    const errors = warm.errors + tally.errors + warmRun.errors + run.errors;
    let errorDetail: string | undefined;
    if (errors > 0) {
      const statuses = [...warm.statuses, ...tally.statuses].map(([s, n]) => `${n}× ${s}`).join(', ');
      const malformed = tally.firstMalformed ?? warm.firstMalformed;
      errorDetail =
        `statuses: ${statuses || 'none'}; connection errors ${warmRun.errors + run.errors}, ` +
        `timeouts ${warmRun.timeouts + run.timeouts}; malformed bodies ${warm.malformed + tally.malformed}` +
        `${malformed ? `, e.g. ${malformed}` : ''}` +
        `${proxy?.firstFailure ? `; proxy: ${proxy.failures} failed, first ${proxy.firstFailure}` : ''}`;
      console.error(`\ne2e: ${config.id} on ${db.name}: ${errors} errors (${errorDetail})`);
    }
    for (const example of checker.examples) {
      console.error(
        `e2e: ${config.id} on ${db.name}: stale ${example.kind} read of product ${example.id}: version ` +
          `${example.got}, version ${example.expected} acknowledged ${example.ackedMsBefore.toFixed(1)} ms before it was sent`,
      );
    }
    return {
      config,
      database: db.name,
      requests: run.requests.total,
      reads: tally.responses.get + tally.responses.list,
      writes: tally.responses.put,
      queriesPerWrite,
      seconds: run.duration,
      latency: latencySummary(tally.latencies),
      queries: after.queries,
      hits: after.hits - before.hits,
      checked: checker.productReads + checker.listingReads,
      stale: checker.stale,
      staleListings: checker.staleListings,
      errors,
      errorDetail,
    };
  } finally {
    await proxy?.close();
    await stopInstances(ctx, apps);
  }
}

/** memokit's version and the commit it was built from (read-only git query). */
function memokitVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('package.json', repoRoot), 'utf8')) as { version?: string };
  const head = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' });
  return `memokit ${pkg.version ?? '?'}${head.status === 0 ? ` (working tree at ${head.stdout.trim()})` : ''}`;
}

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2));
  const started = performance.now();
  const dir = mkdtempSync(join(tmpdir(), 'memokit-e2e-'));
  const live = new Set<AppProcess>();
  const cleanups: (() => void)[] = [];
  // A runner that dies mid-run must leave no process and no temp dir behind.
  process.once('exit', () => {
    for (const app of live) app.kill();
    for (const cleanup of cleanups) cleanup();
    rmSync(dir, { recursive: true, force: true });
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

  let selected = CONFIGURATIONS.filter((c) => flags.only === undefined || flags.only.includes(c.id));
  const skipped: string[] = [];
  let redis: BenchRedis | undefined;
  let redisNote = '';
  if (selected.some(needsRedis)) {
    const version = redisServerVersion();
    if (version === undefined) {
      const left = selected.filter(needsRedis).map((c) => c.id);
      skipped.push(`${left.join(', ')} (redis-server is not on PATH)`);
      console.error(`note: redis-server is not on PATH: skipping ${left.join(', ')}`);
      selected = selected.filter((c) => !needsRedis(c));
    } else {
      redis = await startBenchRedis(version);
      cleanups.push(() => redis?.kill());
      redisNote = `, redis-server ${version} (private, loopback, no persistence)`;
    }
  }
  const ctx: Context = { flags, dir, redis, live };

  const databases: BenchDatabase[] = [sqliteDatabase(dir)];
  if (flags.postgres) {
    const pg = await startPostgres();
    cleanups.push(() => pg.kill());
    databases.push(pg);
  }

  const measurements: Measurement[] = [];
  let failed = 0;
  try {
    for (const db of databases) {
      const catalog = await seed(ctx, db);
      for (const config of selected) {
        process.stderr.write(`e2e: ${db.name}: ${config.label} (${flags.warmupSeconds} + ${flags.seconds} s)\n`);
        try {
          measurements.push(await measure(ctx, db, catalog, config));
        } catch (error) {
          failed++;
          console.error(`\ne2e: ${config.id} on ${db.name} failed: ${error instanceof Error ? error.message : error}`);
        }
      }
    }
  } finally {
    for (const db of databases) await db.close();
    await redis?.stop();
  }

  const targets = evaluate(measurements);
  const settings: RunSettings = {
    quick: flags.quick,
    warmupSeconds: flags.warmupSeconds,
    seconds: flags.seconds,
    connections: flags.connections,
    products: PRODUCTS,
    users: USERS,
    seed: SEED,
  };
  const section = renderSection({
    measurements,
    targets,
    settings,
    machine: machineLine(),
    versions: `${memokitVersion()}, ${libraryVersions(repoRoot, PEERS)}${redisNote}`,
    date: new Date(),
    skipped,
  });
  console.log(`${section}\n\ntook ${((performance.now() - started) / 1000).toFixed(0)} s`);
  if (flags.write) {
    writeFileSync(docPath, spliceSection(readFileSync(docPath, 'utf8'), section));
    console.log(`\nwrote the "End to end" section of ${docPath}`);
  }

  for (const row of targets.filter((t) => !t.met)) {
    console.error(`${row.fatal ? 'FAIL' : 'missed'}: ${row.configuration}: ${row.target} (measured ${row.measured})`);
  }
  const erroneous = measurements.filter((m) => m.errors > 0);
  for (const m of erroneous) {
    console.error(`FAIL: ${m.config.label} on ${m.database}: ${m.errors} errors (${m.errorDetail ?? 'no detail'})`);
  }
  if (targets.some((t) => t.fatal) || erroneous.length > 0 || failed > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exitCode = 1;
});
