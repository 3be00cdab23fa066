/** Summaries and markdown rendering of a bench run. Output is already Prettier-formatted. */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import type { BenchCase, Group, RoundResult, Sample, Target } from './types.js';

export interface Settings {
  readonly rounds: number;
  readonly peerRounds: number;
  readonly warmupMs: number;
  readonly measureMs: number;
  readonly trials: number;
  readonly entries: number;
  readonly quick: boolean;
}

/** How a case stands against its target. */
/** `missed`: an informational target was missed (reported, never fails the run). */
export type Verdict = 'ok' | 'noise' | 'FAIL' | 'missed';

/** One case's rounds, summarised. */
export interface Row {
  readonly benchCase: BenchCase;
  readonly group: Group;
  /** Median of the primary figure (calls/s, wall ms, bytes/entry) over rounds. */
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /**
   * Median over rounds of (figure / the floor's figure in the same round); stampede: median of wall / loader-alone.
   */
  readonly ratio: number | undefined;
  /** Stampede: the loader-alone median (ms) and the range of loader calls per trial. */
  readonly loaderMs?: number;
  readonly loaderCalls?: { readonly min: number; readonly max: number };
  readonly verdict: Verdict | undefined;
  /** Why the verdict is not `ok`, for the console. */
  readonly reason?: string;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function primary(result: RoundResult, benchCase?: BenchCase): number {
  switch (result.metric) {
    case 'throughput':
      return benchCase?.clock === 'wall' ? result.opsPerWallSec : result.opsPerSec;
    case 'stampede':
      return result.wallMs;
    case 'memory':
      return result.bytesPerEntry;
  }
}

function judge(target: Target | undefined, margin: number, row: Omit<Row, 'verdict'>): Pick<Row, 'verdict' | 'reason'> {
  if (target === undefined) return { verdict: undefined };
  const verdict = strictJudge(target, margin, row);
  if (target.informational !== true || verdict.verdict === 'ok') return verdict;
  return { verdict: 'missed', reason: `${verdict.reason ?? ''} (informational target)` };
}

function strictJudge(target: Target, margin: number, row: Omit<Row, 'verdict'>): Pick<Row, 'verdict' | 'reason'> {
  const { ratio, loaderCalls } = row;
  if (target.loaderCalls !== undefined && loaderCalls !== undefined) {
    if (loaderCalls.min !== target.loaderCalls || loaderCalls.max !== target.loaderCalls) {
      return {
        verdict: 'FAIL',
        reason: `loader ran ${loaderCalls.min}–${loaderCalls.max} times per stampede, expected ${target.loaderCalls}`,
      };
    }
  }
  if (ratio === undefined) return { verdict: 'ok' };
  if (target.min !== undefined && ratio < target.min) {
    const limit = target.min * (1 - margin);
    const reason = `ratio ${ratio.toFixed(3)} < target ${target.min} (noise margin ${margin * 100}%: fails below ${limit.toFixed(3)})`;
    return { verdict: ratio >= limit ? 'noise' : 'FAIL', reason };
  }
  if (target.max !== undefined && ratio > target.max) {
    const limit = target.max * (1 + margin);
    const reason = `ratio ${ratio.toFixed(3)} > target ${target.max} (noise margin ${margin * 100}%: fails above ${limit.toFixed(3)})`;
    return { verdict: ratio <= limit ? 'noise' : 'FAIL', reason };
  }
  return { verdict: 'ok' };
}

/**
 * The floor a case's ratio is relative to: its `floor`, itself for a floor, else its group's floor of the same
 * column; `undefined` in groups without one (stampede).
 */
export function floorOf(benchCases: readonly BenchCase[], c: BenchCase): BenchCase | undefined {
  return c.floor !== undefined
    ? benchCases.find((f) => f.id === c.floor)
    : c.role === 'floor'
      ? c
      : benchCases.find((f) => f.role === 'floor' && f.group === c.group && f.column === c.column);
}

/** A group's cases in blocks: each floor with the rows whose ratio is relative to it; rows without a floor alone. */
export function floorBlocks(group: readonly BenchCase[]): BenchCase[][] {
  const blocks = new Map<string, BenchCase[]>();
  for (const benchCase of group) {
    const id = floorOf(group, benchCase)?.id ?? benchCase.id;
    const block = blocks.get(id);
    if (block === undefined) blocks.set(id, [benchCase]);
    else block.push(benchCase);
  }
  return [...blocks.values()];
}

export function summarise(
  groups: readonly Group[],
  benchCases: readonly BenchCase[],
  samples: ReadonlyMap<string, readonly Sample[]>,
): Row[] {
  return benchCases.flatMap((benchCase) => {
    const results = samples.get(benchCase.id) ?? [];
    const group = groups.find((g) => g.id === benchCase.group);
    if (results.length === 0 || group === undefined) return [];
    const values = results.map((r) => primary(r, benchCase));
    const m = median(values);
    let ratio: number | undefined;
    let loaderMs: number | undefined;
    let loaderCalls: Row['loaderCalls'];
    if (group.metric === 'stampede') {
      const stampedes = results.filter((r) => r.metric === 'stampede');
      ratio = median(stampedes.map((r) => r.wallMs / r.loaderMs));
      loaderMs = median(stampedes.map((r) => r.loaderMs));
      const calls = stampedes.flatMap((r) => r.loaderCalls);
      loaderCalls = { min: Math.min(...calls), max: Math.max(...calls) };
    } else {
      // Each round's figure over the floor's figure of the same round (measured moments apart, so drift on a
      // shared machine cancels out), then the median of those ratios.
      const floor = floorOf(benchCases, benchCase);
      const floorByRound = new Map((floor === undefined ? [] : (samples.get(floor.id) ?? [])).map((r) => [r.round, r]));
      const ratios = results.flatMap((r) => {
        const f = floorByRound.get(r.round);
        return f === undefined ? [] : [primary(r, benchCase) / primary(f, floor)];
      });
      ratio = ratios.length === 0 ? undefined : median(ratios);
    }
    const row = {
      benchCase,
      group,
      median: m,
      min: Math.min(...values),
      max: Math.max(...values),
      ratio,
      ...(loaderMs === undefined ? {} : { loaderMs }),
      ...(loaderCalls === undefined ? {} : { loaderCalls }),
    };
    return [{ ...row, ...judge(benchCase.target, group.noiseMargin, row) }];
  });
}

/** `12.3M`, `987k`: three significant digits, enough for numbers that vary by a few percent. */
export function formatOps(ops: number): string {
  const [scaled, unit] = ops >= 1e6 ? [ops / 1e6, 'M'] : ops >= 1e3 ? [ops / 1e3, 'k'] : [ops, ''];
  const digits = scaled >= 100 ? 0 : scaled >= 10 ? 1 : 2;
  return `${scaled.toFixed(digits)}${unit}`;
}

type Align = 'left' | 'right';

/** A markdown table padded the way Prettier pads it, so generated files pass `prettier --check`. */
export function markdownTable(header: readonly string[], align: readonly Align[], body: readonly string[][]): string {
  // Prettier measures width in code points.
  const len = (s: string): number => [...s].length;
  const widths = header.map((h, i) => Math.max(3, len(h), ...body.map((r) => len(r[i] ?? ''))));
  const pad = (cell: string, i: number): string => {
    const fill = ' '.repeat(widths[i]! - len(cell));
    return align[i] === 'right' ? fill + cell : cell + fill;
  };
  const line = (cells: readonly string[]): string => `| ${cells.map(pad).join(' | ')} |`;
  const rule = `| ${widths.map((w, i) => (align[i] === 'right' ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w))).join(' | ')} |`;
  return [line(header), rule, ...body.map(line)].join('\n');
}

function targetCell(row: Row): string {
  const target = row.benchCase.target;
  if (target === undefined) return '';
  const parts: string[] = [];
  if (target.loaderCalls !== undefined) parts.push(`${target.loaderCalls} call`);
  if (target.min !== undefined) parts.push(`≥ ${target.min.toFixed(2)}`);
  if (target.max !== undefined) parts.push(`≤ ${target.max.toFixed(2)}`);
  const verdict =
    row.verdict === 'noise' ? 'within noise' : row.verdict === 'missed' ? 'missed (informational)' : row.verdict;
  return `${parts.join(', ')} ${verdict}`;
}

const fixed = (value: number | undefined, digits: number): string =>
  value === undefined ? '–' : value.toFixed(digits);

function throughputTable(rows: readonly Row[]): string {
  return markdownTable(
    ['Library', 'calls/s (median)', 'min–max', 'ratio to floor', 'target'],
    ['left', 'right', 'right', 'right', 'left'],
    rows.map((row) => [
      row.benchCase.label,
      formatOps(row.median),
      `${formatOps(row.min)}–${formatOps(row.max)}`,
      fixed(row.ratio, 2),
      targetCell(row),
    ]),
  );
}

function stampedeTable(rows: readonly Row[]): string {
  return markdownTable(
    ['Library', 'loader calls', 'wall ms (median)', 'min–max', 'loader alone ms', 'wall / loader', 'target'],
    ['left', 'right', 'right', 'right', 'right', 'right', 'left'],
    rows.map((row) => {
      const calls = row.loaderCalls;
      return [
        row.benchCase.label,
        calls === undefined ? '–' : calls.min === calls.max ? String(calls.min) : `${calls.min}–${calls.max}`,
        row.median.toFixed(1),
        `${row.min.toFixed(1)}–${row.max.toFixed(1)}`,
        fixed(row.loaderMs, 1),
        fixed(row.ratio, 2),
        targetCell(row),
      ];
    }),
  );
}

function memoryTable(rows: readonly Row[]): string {
  return markdownTable(
    ['Library', 'bytes/entry (median)', 'min–max', 'ratio to floor', 'target'],
    ['left', 'right', 'right', 'right', 'left'],
    rows.map((row) => [
      row.benchCase.label,
      row.median.toFixed(0),
      `${row.min.toFixed(0)}–${row.max.toFixed(0)}`,
      fixed(row.ratio, 2),
      targetCell(row),
    ]),
  );
}

/** Rows are libraries, columns are the cases' `column`s; cells are `ops/s (ratio)`. */
function matrixTable(rows: readonly Row[]): string {
  const columns = [...new Set(rows.map((r) => r.benchCase.column ?? ''))];
  const labels = [...new Set(rows.map((r) => r.benchCase.label))];
  return markdownTable(
    ['Key derivation', ...columns],
    ['left', ...columns.map((): Align => 'right')],
    labels.map((label) => [
      label,
      ...columns.map((column) => {
        const row = rows.find((r) => r.benchCase.label === label && (r.benchCase.column ?? '') === column);
        return row === undefined ? '–' : `${formatOps(row.median)} (${fixed(row.ratio, 2)})`;
      }),
    ]),
  );
}

export function groupTable(group: Group, rows: readonly Row[]): string {
  const own = rows.filter((r) => r.group === group);
  if (own.some((r) => r.benchCase.column !== undefined)) return matrixTable(own);
  switch (group.metric) {
    case 'throughput':
      return throughputTable(own);
    case 'stampede':
      return stampedeTable(own);
    case 'memory':
      return memoryTable(own);
  }
}

/** Every group that has rows: heading, description, table. */
export function tables(groups: readonly Group[], rows: readonly Row[]): string {
  return groups
    .filter((g) => rows.some((r) => r.group === g))
    .map((g) => `### ${g.title}\n\n${g.description}\n\n${groupTable(g, rows)}`)
    .join('\n\n');
}

/** Versions of memokit's peers, read from their installed package.json files. */
export function libraryVersions(repoRoot: URL, names: readonly string[]): string {
  return names
    .map((name) => {
      try {
        const pkg = JSON.parse(readFileSync(new URL(`node_modules/${name}/package.json`, repoRoot), 'utf8')) as {
          version?: string;
        };
        return `${name} ${pkg.version ?? '?'}`;
      } catch {
        return `${name} (not installed)`;
      }
    })
    .join(', ');
}

/**
 * How much of the wall time the measured processes got the CPU: near 1 on an
 * idle machine (above 1 when GC threads run in parallel), lower when other
 * load kept them waiting. Throughput is per CPU-second, so waiting does not
 * count, but a busy machine still slows what does run (shared caches, SMT).
 */
export function cpuShare(
  samples: ReadonlyMap<string, readonly Sample[]>,
  benchCases: readonly BenchCase[] = [],
): number | undefined {
  // Rows timed on the wall clock wait on another process (Redis) by design: their share says nothing of load.
  const waiting = new Set(benchCases.filter((c) => c.clock === 'wall').map((c) => c.id));
  const shares = [...samples.entries()]
    .filter(([id]) => !waiting.has(id))
    .flatMap(([, results]) => results.flatMap((r) => (r.metric === 'throughput' ? [r.cpuShare] : [])));
  return shares.length === 0 ? undefined : median(shares);
}

/** Throughput groups timed differently from the run's defaults, e.g. `miss: 1000 ms warm-up`. */
function timingExceptions(groups: readonly Group[]): string {
  return groups
    .filter((g) => g.metric === 'throughput' && (g.warmupMs !== undefined || g.measureMs !== undefined))
    .map((g) => {
      const timing =
        g.measureMs === undefined ? `${g.warmupMs} ms warm-up` : `${g.warmupMs ?? '-'} + ${g.measureMs} ms`;
      return `${g.id}: ${timing}${g.maxRounds === undefined ? '' : `, ${g.maxRounds} rounds`}`;
    })
    .join('; ');
}

export function environment(
  settings: Settings,
  groups: readonly Group[],
  versions: string,
  share: number | undefined,
): string {
  const cpus = os.cpus();
  const model = cpus[0]?.model.trim() || 'unknown CPU';
  const { rounds, peerRounds, warmupMs, measureMs, trials, entries, quick } = settings;
  return [
    `- Node ${process.version} (V8 ${process.versions.v8}), ${os.platform()}/${os.arch()} ${os.release()}`,
    `- CPU: ${model}, ${cpus.length} cores; ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM; load average at the ` +
      `end ${os.loadavg()[0]!.toFixed(1)}` +
      (share === undefined ? '' : `; measured processes had the CPU ${(share * 100).toFixed(0)}% of the wall time`),
    `- Libraries: ${versions}`,
    (quick
      ? `- \`--quick\`: floors and memokit rows only, ${rounds} rounds each, `
      : `- ${rounds} rounds per floor and memokit row, ${peerRounds} per peer row, `) +
      `each round in a fresh process; throughput: ${warmupMs} ms warm-up then ${measureMs} ms measured ` +
      `(${timingExceptions(groups)}); stampede: ${trials} trials after one untimed; memory: ` +
      `${entries.toLocaleString('en-US')} entries, 3 rounds (peers: 1; memory figures repeat to within 1%)`,
  ].join('\n');
}

/** The generated docs/benchmarks.md. */
export function document(body: string, env: string, configs: string, date: Date): string {
  return `# Benchmarks

<!-- Generated by \`npm run bench\` (bench/report.ts): edit the generator, not this file. -->

memokit against a hand-written floor and against peer libraries, each used through its own idiomatic API. Every
row runs in fresh Node processes for several rounds, a group's rows back to back and each floor next to the rows
measured against it; tables show the median over rounds and the range. A ratio is the median over rounds of the row's figure divided by the floor's figure of the same round
(measured moments apart), so drift on a shared machine cancels out and ratios carry across machines better than raw
figures. A ratio above 1 on a hit path is possible: the floor is an \`async\` method, which allocates a new promise
per call, while a cache may return a settled promise it kept.

Throughput is calls per second of CPU time of the measuring process (\`process.cpuUsage()\`, all its threads, so
garbage collection and JIT threads count), and warm-up and measurement windows are CPU time too: on a shared machine
a process kept waiting by other load would otherwise look slower than it is and reach the optimising JIT later. On
an idle machine CPU time and wall time agree within a few percent.

Targets apply to memokit's rows. \`within noise\` means the ratio misses the target by less than the group's noise
margin (10% for throughput, 5% for stampede wall time, 2% for memory). A row beyond it has its group's floors and
memokit rows measured for as many rounds again, and the run fails only if the ratio over all rounds is still beyond
it. Loader-call targets have no margin. \`missed (informational)\` marks a target that is reported but never fails the run (the
rows that read Redis, timed on the wall clock).

${body}

## How each library is configured

${configs}

Measured ${date.toISOString().slice(0, 10)}:

${env}

## How to re-run

\`\`\`sh
npm run bench             # everything (about 3 minutes on 2 cores); rewrites this file
npm run bench -- --quick  # floors and memokit rows of the target cases (about 1.5 minutes; CI runs it); prints only
npm run bench -- --only hit,miss   # some groups (prints only)
npm run bench -- --only advisor    # the sizing advisor's accuracy alone (prints only)
node dist/bench/profile.js hit/memokit-lru   # CPU profile of one case (after a build), top functions by self time
\`\`\`

Each case is a workload in \`bench/workloads.ts\` applied to a library adapter in \`bench/libs/\`, listed in
\`bench/cases/index.ts\`. The run exits non-zero when a memokit row misses its target by more than the noise margin.
Numbers depend on the machine: compare ratios, not absolute figures, across machines.
`;
}
