/**
 * `npm run bench`: measures every case of `bench/cases/index.ts` and prints one
 * markdown table per group, each row with its ratio to the group's floor.
 *
 * Each round of each case runs in a fresh child process (`child.ts`); rounds
 * are interleaved across cases so drift on a shared machine hits every row
 * alike. A full run also rewrites docs/benchmarks.md. Exits non-zero when a
 * memokit row misses its target by more than its group's noise margin, also
 * after its group's floors and memokit rows are measured again as many rounds.
 *
 * Flags:
 *   --quick        floors and memokit rows of the target groups, 5 rounds (no peers);
 *                  does not write docs/benchmarks.md
 *   --only a,b     only these groups (does not write docs/benchmarks.md)
 *   --no-write     do not write docs/benchmarks.md
 *
 * After the groups, two benchmarks of their own, each with its own section of
 * docs/benchmarks.md and its own targets (both also selectable with --only):
 * `advisor`, the sizing advisor's estimates against real caches of every size
 * (bench/advisor), and `expiry`, expiry under load (bench/freshness).
 *
 * The Redis group starts a private redis-server on a free loopback port (no
 * persistence) and stops it at the end; without redis-server on PATH that
 * group alone is skipped, with a message.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ACCURACY_END, ACCURACY_START } from './advisor/accuracy-report.js';
import { runAdvisorBench } from './advisor/accuracy.js';
import { cases, configurations, groups } from './cases/index.js';
import { extractSection, spliceSection } from './e2e/section.js';
import { runExpiryBench } from './freshness/expiry.js';
import { EXPIRY_END, EXPIRY_START, spliceBetween } from './freshness/expiry-report.js';

/** `--only expiry`: the "Expiry under load" benchmark (not a group of cases). */
const EXPIRY_GROUP = 'expiry';
/** `--only advisor`: the "Sizing advisor accuracy" benchmark (not a group of cases). */
const ADVISOR_GROUP = 'advisor';
import {
  cpuShare,
  document,
  environment,
  floorBlocks,
  libraryVersions,
  summarise,
  tables,
  type Row,
  type Settings,
} from './report.js';
import { REDIS_URL_ENV, redisServerVersion, startBenchRedis, type BenchRedis } from './redis-server.js';
import type { BenchCase, ChildSettings, RoundResult, Sample } from './types.js';

/**
 * Floors and memokit rows get `rounds`; peer rows `peerRounds` (they carry no
 * target, and the slow ones dominate the run time). Warm-up: hit and miss loops
 * reach steady state after 250-350 ms (less for the floor).
 */
const FULL = { rounds: 5, peerRounds: 3, warmupMs: 300, measureMs: 200, trials: 5, entries: 100_000 };
const QUICK = { rounds: 5, peerRounds: 3, warmupMs: 300, measureMs: 200, trials: 3, entries: 100_000 };

const PEERS = [
  'lru-cache',
  'p-memoize',
  'typescript-memoize',
  'cache-manager',
  'cacheable',
  'bentocache',
  '@type-cacheable/core',
  'keyv',
  'ioredis',
];

const childScript = fileURLToPath(new URL('./child.js', import.meta.url));
// dist/bench/run.js → <repo>/
const repoRoot = new URL('../../', import.meta.url);
const docPath = fileURLToPath(new URL('docs/benchmarks.md', repoRoot));

interface Flags {
  readonly quick: boolean;
  readonly write: boolean;
  readonly only: readonly string[] | undefined;
}

function usage(message: string): never {
  console.error(`${message}\nusage: npm run bench [-- --quick] [-- --only group,group] [-- --no-write]`);
  process.exit(2);
}

function parseFlags(argv: readonly string[]): Flags {
  let quick = false;
  let noWrite = false;
  let only: string[] | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--quick') quick = true;
    else if (arg === '--no-write') noWrite = true;
    else if (arg === '--only') only = (argv[++i] ?? usage('--only needs a list of groups')).split(',');
    else usage(`unknown argument: ${arg}`);
  }
  const known = new Set([...groups.map((g) => g.id), ADVISOR_GROUP, EXPIRY_GROUP]);
  const unknown = only?.filter((g) => !known.has(g)) ?? [];
  if (unknown.length > 0) usage(`unknown group(s): ${unknown.join(', ')}; known: ${[...known].join(', ')}`);
  return { quick, only, write: !quick && !noWrite && only === undefined };
}

/** A one-line progress indicator, on terminals only (keeps logs and pipes clean). */
function progress(text: string): void {
  if (process.stderr.isTTY) process.stderr.write(`\r${text.padEnd(70)}\r`);
}

function runRound(benchCase: BenchCase, settings: ChildSettings): RoundResult {
  const child = spawnSync(process.execPath, ['--expose-gc', childScript, benchCase.id, JSON.stringify(settings)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 60_000,
  });
  const lastLine = child.stdout.trim().split('\n').at(-1) ?? '';
  if (child.status !== 0 || !lastLine.startsWith('{')) {
    const reason = child.error?.message ?? (child.signal ? `signal ${child.signal}` : `exit code ${child.status}`);
    throw new Error(`case ${benchCase.id} failed (${reason}):\n${child.stderr}${child.stdout}`);
  }
  return JSON.parse(lastLine) as RoundResult;
}

/** memokit's own version and the commit it was built from (read-only git query). */
function memokitVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('package.json', repoRoot), 'utf8')) as { version?: string };
  const head = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: fileURLToPath(repoRoot), encoding: 'utf8' });
  const commit = head.status === 0 ? ` (working tree at ${head.stdout.trim()})` : '';
  return `memokit ${pkg.version ?? '?'}${commit}`;
}

const rotate = <T>(items: readonly T[], by: number): T[] => items.map((_, i) => items[(i + by) % items.length]!);

function selectCases(flags: Flags): BenchCase[] {
  return cases.filter(
    (c) => (!flags.quick || c.quick === true) && (flags.only === undefined || flags.only.includes(c.group)),
  );
}

function report(rows: readonly Row[]): void {
  for (const row of rows.filter((r) => r.verdict === 'missed')) {
    console.error(`\nmissed (informational, does not fail the run): ${row.benchCase.id}: ${row.reason}`);
  }
  const failed = rows.filter((r) => r.verdict === 'FAIL');
  for (const row of rows.filter((r) => r.verdict === 'noise')) {
    console.error(`\nwithin noise: ${row.benchCase.id}: ${row.reason}`);
  }
  for (const row of failed) console.error(`\nFAIL ${row.benchCase.id}: ${row.reason}`);
  if (failed.length > 0) process.exitCode = 1;
}

/** Starts the private redis-server when a selected case needs one; without redis-server, drops those cases. */
async function redisFor(selected: BenchCase[]): Promise<{ cases: BenchCase[]; redis: BenchRedis | undefined }> {
  if (!selected.some((c) => c.needsRedis === true)) return { cases: selected, redis: undefined };
  const version = redisServerVersion();
  if (version === undefined) {
    console.error(
      'note: redis-server is not on PATH: skipping the Redis group (5). Install it (apt-get install redis-server) ' +
        'to measure it; the bench starts a private server on a free loopback port and never uses 6379.',
    );
    return { cases: selected.filter((c) => c.needsRedis !== true), redis: undefined };
  }
  const redis = await startBenchRedis(version);
  process.env[REDIS_URL_ENV] = redis.url; // inherited by every child process
  // A runner that dies mid-run must not leave its server behind.
  process.once('exit', () => redis.kill());
  return { cases: selected, redis };
}

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2));
  const base = flags.quick ? QUICK : FULL;
  const settings: Settings = { ...base, quick: flags.quick };
  const { cases: selected, redis } = await redisFor(selectCases(flags));
  try {
    if (selected.length > 0) measure(flags, settings, selected, redis);
  } finally {
    await redis?.stop();
  }
  if (flags.only === undefined || flags.only.includes(ADVISOR_GROUP)) advisorAccuracy(flags);
  if (flags.only === undefined || flags.only.includes(EXPIRY_GROUP)) expiryUnderLoad(flags);
}

/** The "Sizing advisor accuracy" benchmark (bench/advisor): its own section of the page, its own targets. */
function advisorAccuracy(flags: Flags): void {
  const { section, targets } = runAdvisorBench(flags.quick);
  if (flags.write) {
    writeFileSync(docPath, spliceBetween(readFileSync(docPath, 'utf8'), ACCURACY_START, ACCURACY_END, section));
    console.log(`\nwrote the "Sizing advisor accuracy" section of ${docPath}`);
  }
  if (targets.some((t) => !t.met)) process.exitCode = 1;
}

/** The "Expiry under load" benchmark (bench/freshness): its own section of the page, its own targets. */
function expiryUnderLoad(flags: Flags): void {
  const { section, targets } = runExpiryBench(flags.quick);
  if (flags.write) {
    writeFileSync(docPath, spliceBetween(readFileSync(docPath, 'utf8'), EXPIRY_START, EXPIRY_END, section));
    console.log(`\nwrote the "Expiry under load" section of ${docPath}`);
  }
  if (targets.some((t) => !t.met)) process.exitCode = 1;
}

function measure(flags: Flags, settings: Settings, selected: BenchCase[], redis: BenchRedis | undefined): void {
  const base = flags.quick ? QUICK : FULL;
  const samples = new Map<string, Sample[]>(selected.map((c) => [c.id, []]));
  const errors = new Map<string, string>();
  const started = performance.now();

  const runRounds = (cases: readonly BenchCase[], first: number, count: number): void => {
    for (let round = first; round < first + count; round++) {
      // A group's cases run back to back, and within a group each floor next to the rows measured against it, so
      // a row's ratio compares rounds measured moments apart. The order of the groups, of the blocks within each
      // and of the cases within each block rotates every round so none always runs first.
      const order = rotate(
        groups.map((g) => cases.filter((c) => c.group === g.id)).filter((group) => group.length > 0),
        round,
      ).flatMap((group) => rotate(floorBlocks(group), round).flatMap((block) => rotate(block, round)));
      for (const benchCase of order) {
        const group = groups.find((g) => g.id === benchCase.group)!;
        const peer = benchCase.role === 'reference';
        const limit = Math.min(
          group.maxRounds ?? Infinity,
          peer ? Math.min(base.peerRounds, group.maxPeerRounds ?? Infinity) : Infinity,
        );
        if (round >= limit) continue;
        progress(`round ${round + 1}/${first + count}: ${benchCase.id}`);
        const childSettings: ChildSettings = {
          warmupMs: group.warmupMs ?? base.warmupMs,
          measureMs: group.measureMs ?? base.measureMs,
          trials: base.trials,
          entries: base.entries,
        };
        try {
          samples.get(benchCase.id)!.push({ ...runRound(benchCase, childSettings), round });
        } catch (error) {
          // One broken case (a peer's new release, say) must not hide every other row.
          errors.set(benchCase.id, error instanceof Error ? error.message : String(error));
        }
      }
    }
  };
  runRounds(selected, 0, settings.rounds);
  let rows = summarise(groups, selected, samples);
  // A row beyond its margin may be a slow moment of a shared machine: its group's floors and memokit rows are
  // measured for as many rounds again, and the verdict comes from all of them. A real regression fails again.
  const recheck = new Set(rows.filter((r) => r.verdict === 'FAIL').map((r) => r.group.id));
  if (recheck.size > 0) {
    console.error(`
measuring again: ${[...recheck].join(', ')} (a row missed its target beyond the noise margin)`);
    runRounds(
      selected.filter((c) => recheck.has(c.group) && c.role !== 'reference'),
      settings.rounds,
      settings.rounds,
    );
    rows = summarise(groups, selected, samples);
  }
  progress('');

  const body = tables(groups, rows);
  const share = cpuShare(samples, selected);
  const server = redis === undefined ? '' : `, redis-server ${redis.version} (private, loopback, no persistence)`;
  const env = environment(settings, groups, `${memokitVersion()}, ${libraryVersions(repoRoot, PEERS)}${server}`, share);
  const configs = configurations.map(({ label, config }) => `- ${label}: ${config}`).join('\n');
  console.log(`${body}\n\n${env}\n- took ${((performance.now() - started) / 1000).toFixed(1)} s`);

  if (flags.write) {
    // The "End to end" section is written by `npm run bench:e2e`: carried over as it is.
    const old = existsSync(docPath) ? readFileSync(docPath, 'utf8') : '';
    const e2e = extractSection(old);
    const text = document(body, env, configs, new Date());
    writeFileSync(docPath, e2e === undefined ? text : spliceSection(text, e2e));
    console.log(`\nwrote ${docPath}`);
  }
  if (share !== undefined && share < 0.9) {
    console.error(
      `\nnote: the measured processes had the CPU only ${(share * 100).toFixed(0)}% of the wall time: the machine ` +
        'was busy, and ratios of the heavier paths can move by more than the noise margin between runs.',
    );
  }
  report(rows);
  for (const [id, message] of errors) console.error(`\nERROR ${id} (left out of the tables):\n${message}`);
  if (errors.size > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
