/**
 * The e2e bench's figures, its targets, and the "End to end" section of
 * docs/benchmarks.md (generated between markers; the rest of the file is left
 * as it is). Output is already Prettier-formatted.
 */
import os from 'node:os';
import { markdownTable } from '../report.js';
import { TARGET_IDS, type Configuration } from './configurations.js';
import { SECTION_END, SECTION_START } from './section.js';

export type Database = 'SQLite' | 'PostgreSQL';

/** One configuration's measured window (stale reads: warm-up and measured window). */
export interface Measurement {
  readonly config: Configuration;
  readonly database: Database;
  /** Responses in the measured window. */
  readonly requests: number;
  /** Of which `GET`s (by id and listings), and `PUT`s. */
  readonly reads: number;
  readonly writes: number;
  /** Length of the measured window (s). */
  readonly seconds: number;
  /** Client-side response times in the measured window (ms). */
  readonly latency: { readonly p50: number; readonly p99: number; readonly max: number };
  /** SQL statements the app instances ran in the measured window. */
  readonly queries: number;
  /** Statements one `PUT` runs, measured on the idle app before the warm-up. */
  readonly queriesPerWrite: number;
  /** Reads of the measured window answered from the cache (hits in the `/cache/stats` summaries). */
  readonly hits: number;
  /** Reads checked for staleness (warm-up and measured window), and the stale ones. */
  readonly checked: number;
  readonly stale: number;
  readonly staleListings: number;
  /** Non-2xx responses, malformed bodies, connection errors and timeouts. */
  readonly errors: number;
  /** What those errors were (statuses, connection errors, timeouts, an example), when there were any. */
  readonly errorDetail?: string;
}

export const requestsPerSecond = (m: Measurement): number => m.requests / m.seconds;
export const queriesPerRequest = (m: Measurement): number => (m.requests === 0 ? 0 : m.queries / m.requests);

/** Hits over reads: the share of `GET`s answered from the cache (each makes one cache lookup). */
export const hitRate = (m: Measurement): number => (m.reads === 0 ? 0 : Math.min(1, m.hits / m.reads));

/**
 * Statements run for reads, per read: every statement of the window less those of the writes. A read that is not
 * a hit runs the database, so "queries/read ≤ 1 − hit rate" says each such read runs one query.
 */
export const queriesPerRead = (m: Measurement): number =>
  m.reads === 0 ? 0 : Math.max(0, m.queries - m.queriesPerWrite * m.writes) / m.reads;

/** The value at quantile `q` (nearest rank) of ascending `sorted`; 0 for no values. */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1]!;
}

/** p50, p99 and max of response times. */
export function latencySummary(latencies: readonly number[]): Measurement['latency'] {
  const sorted = Float64Array.from(latencies).sort();
  return { p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99), max: quantile(sorted, 1) };
}

export interface TargetRow {
  readonly target: string;
  readonly configuration: string;
  readonly measured: string;
  readonly met: boolean;
  /** A miss that fails the run (a memokit configuration served a stale read). */
  readonly fatal: boolean;
}

const SPEEDUP = 5;
const QUERY_SLACK = 0.01;

const label = (m: Measurement): string => `${m.config.label}${m.database === 'SQLite' ? '' : ` (${m.database})`}`;

/** Every target the issue sets, for the configurations measured. */
export function evaluate(measurements: readonly Measurement[]): TargetRow[] {
  const rows: TargetRow[] = [];
  const find = (db: Database, id: string): Measurement | undefined =>
    measurements.find((m) => m.database === db && m.config.id === id);
  for (const db of ['SQLite', 'PostgreSQL'] as const) {
    const memokit = find(db, TARGET_IDS.memokitMemory);
    const none = find(db, TARGET_IDS.none);
    const nest = find(db, TARGET_IDS.nestMemory);
    if (memokit !== undefined && none !== undefined && db === 'SQLite') {
      const ratio = requestsPerSecond(memokit) / requestsPerSecond(none);
      rows.push({
        target: `requests/s ≥ ${SPEEDUP}× no cache`,
        configuration: label(memokit),
        measured: `${ratio.toFixed(2)}×`,
        met: ratio >= SPEEDUP,
        fatal: false,
      });
    }
    if (memokit !== undefined && nest !== undefined) {
      const ratio = requestsPerSecond(memokit) / requestsPerSecond(nest);
      rows.push({
        target: `requests/s ≥ ${nest.config.label}`,
        configuration: label(memokit),
        measured: `${ratio.toFixed(2)}×`,
        met: ratio >= 1,
        fatal: false,
      });
    }
  }
  for (const m of measurements.filter((x) => x.config.mode === 'memokit')) {
    rows.push({
      target: '0 stale reads',
      configuration: label(m),
      measured: `${m.stale.toLocaleString('en-US')} of ${m.checked.toLocaleString('en-US')}`,
      met: m.stale === 0,
      fatal: m.stale > 0,
    });
  }
  for (const m of measurements) {
    const limit = 1 - hitRate(m) + QUERY_SLACK;
    rows.push({
      target: `DB queries/read ≤ 1 − hit rate + ${QUERY_SLACK}`,
      configuration: label(m),
      measured: `${queriesPerRead(m).toFixed(3)} ≤ ${limit.toFixed(3)}`,
      met: queriesPerRead(m) <= limit,
      fatal: false,
    });
  }
  return rows;
}

const integer = (n: number): string => Math.round(n).toLocaleString('en-US');
const ms = (n: number): string => n.toFixed(n >= 100 ? 0 : n >= 10 ? 1 : 2);

function staleCell(m: Measurement): string {
  const n = m.staleListings;
  const listings = n === 0 ? '' : ` (${integer(n)} listing${n === 1 ? '' : 's'})`;
  return `${integer(m.stale)}${listings} of ${integer(m.checked)}`;
}

/** One results table per database. */
export function resultsTable(measurements: readonly Measurement[]): string {
  return markdownTable(
    [
      'Configuration',
      'requests/s',
      'p50 ms',
      'p99 ms',
      'max ms',
      'DB queries/request',
      'DB queries/read',
      'cache hit rate',
      'stale reads',
      'errors',
    ],
    ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
    measurements.map((m) => [
      m.config.label,
      integer(requestsPerSecond(m)),
      ms(m.latency.p50),
      ms(m.latency.p99),
      ms(m.latency.max),
      queriesPerRequest(m).toFixed(3),
      queriesPerRead(m).toFixed(3),
      m.config.mode === 'none' ? '–' : `${(hitRate(m) * 100).toFixed(1)}%`,
      staleCell(m),
      integer(m.errors),
    ]),
  );
}

export function targetsTable(rows: readonly TargetRow[]): string {
  return markdownTable(
    ['Target', 'Configuration', 'measured', ''],
    ['left', 'left', 'right', 'left'],
    rows.map((r) => [r.target, r.configuration, r.measured, r.met ? '✓' : '✗']),
  );
}

/** Node, OS, CPU, memory and load: the line that says what the figures were measured on. */
export function machineLine(): string {
  const cpus = os.cpus();
  const model = cpus[0]?.model.trim() || 'unknown CPU';
  return (
    `Node ${process.version}, ${os.platform()}/${os.arch()} ${os.release()}; ${model}, ${cpus.length} cores; ` +
    `${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM; load average at the end ${os.loadavg()[0]!.toFixed(1)}`
  );
}

export interface RunSettings {
  readonly quick: boolean;
  readonly warmupSeconds: number;
  readonly seconds: number;
  readonly connections: number;
  readonly products: number;
  readonly users: number;
  readonly seed: number;
}

export interface SectionInput {
  readonly measurements: readonly Measurement[];
  readonly targets: readonly TargetRow[];
  readonly settings: RunSettings;
  /** From {@link machineLine}. */
  readonly machine: string;
  /** memokit, the peers, the database and Redis versions. */
  readonly versions: string;
  readonly date: Date;
  /** Configurations left out, with why. */
  readonly skipped: readonly string[];
}

/** The "End to end" section, markers included. */
export function renderSection(input: SectionInput): string {
  const { measurements, targets, settings, machine, versions, date, skipped } = input;
  const { quick, warmupSeconds, seconds, connections, products, users, seed } = settings;
  const databases = [...new Set(measurements.map((m) => m.database))];
  const results = databases
    .map((db) => `### ${db}\n\n${resultsTable(measurements.filter((m) => m.database === db))}`)
    .join('\n\n');
  const verdict = targets.every((t) => t.met)
    ? 'Every target met.'
    : `${targets.filter((t) => !t.met).length} of ${targets.length} targets missed.`;
  const lines = [
    SECTION_START,
    '',
    '## End to end',
    '',
    '<!-- Generated by `npm run bench:e2e` (bench/e2e/): edit the generator, not this section. -->',
    '',
    'The sample app (`dist/sample-app/main.js`) in its own Node process per configuration, driven over loopback by ' +
      `autocannon with ${connections} connections: 90% \`GET /products/:id\`, 5% \`GET /products?category=…&page=…\`, ` +
      `5% \`PUT /products/:id\`. Product ids follow Zipf's law (s = 1.0) over the whole catalog of ` +
      `${integer(products)} products (${integer(users)} users); listing pages follow Zipf's law within a category. ` +
      `Each configuration starts from a copy of the same seeded database and an empty Redis, runs ${warmupSeconds} s ` +
      `of warm-up, then is measured for ${seconds} s${quick ? ' (`--quick`)' : ''}. The 3-instance rows run three ` +
      'app processes on one database and one Redis behind a round-robin proxy in the runner (each request to the next ' +
      'instance), so their latencies include the proxy.',
    '',
    'Requests/s and latencies are measured by the client (response times from writing the request to parsing the ' +
      'response). DB queries/request: SQL statements the app ran (`GET /db/stats`, transaction control not counted) ' +
      'over responses. DB queries/read: the same less the statements of the `PUT`s (each `PUT` runs a transaction ' +
      'of a fixed number of statements, counted on the idle app before the warm-up), over `GET`s. Cache hit rate: ' +
      'the hits the app counted (`GET /cache/stats`) over `GET`s. The target on queries is about reads: a `GET` that ' +
      'the cache does not answer runs one query.',
    '',
    'A stale read is a `GET` whose body carries a product ' +
      '`version` older than one a `PUT` of that product had acknowledged before the `GET` was sent (listings: any ' +
      'product on the page); reads are checked during warm-up and measurement. With @nestjs/cache-manager on memory ' +
      'each instance has its own cache and a `PUT` evicts only the entry of the instance that served it, so its ' +
      '3-instance row is expected to serve stale reads: that is the comparison.',
    '',
    'Absolute figures vary from machine to machine and run to run (the app, Redis and the client share the cores); ' +
      'the ratios and the counts are the result.',
    '',
    results,
    '',
    '### Targets',
    '',
    targetsTable(targets),
    '',
    verdict,
    '',
    `Measured ${date.toISOString().slice(0, 10)}:`,
    '',
    `- ${machine}`,
    `- ${versions}`,
    `- workload seed ${seed}; warm-up ${warmupSeconds} s, measured ${seconds} s per configuration`,
    ...skipped.map((s) => `- not measured: ${s}`),
    '',
    '```sh',
    'npm run bench:e2e                # every configuration, 30 s each; rewrites this section',
    'npm run bench:e2e -- --quick     # 5 s each after 2 s of warm-up; prints only',
    'npm run bench:e2e -- --postgres  # also on a private PostgreSQL server',
    '```',
    '',
    SECTION_END,
  ];
  return lines.join('\n');
}
