/**
 * The sizing advisor's accuracy benchmark: its settings, what a trace's
 * process reports, the error figures, the targets and the markdown section,
 * free of processes and timers.
 */
import { markdownTable } from '../report.js';
import type { Target } from '../types.js';
import type { TraceScale } from './traces.js';

/** What a trace's process is given. */
export interface AccuracySettings extends TraceScale {
  /** `maxSize` of the advised method: the sizes estimated are multiples of it. */
  readonly base: number;
  /** The advisor's initial sampling rate. */
  readonly rate: number;
  /** The advisor's `maxKeys`. */
  readonly maxKeys: number;
}

/** One size of one trace: the hit rate a real cache of that size had, and the advisor's estimate. */
export interface SizeResult {
  readonly size: number;
  /** `size` over the advised method's `maxSize`. */
  readonly multiple: number;
  readonly actual: number;
  readonly estimated: number;
}

/** Advisor seeds every trace is also replayed under (informational: how much the error depends on the sample). */
export const SPREAD_SEEDS: readonly number[] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];

/** The advisor's estimates of one trace under another seed, at the sizes of {@link TraceResult.sizes}. */
export interface SeedResult {
  readonly seed: number;
  readonly rate: number;
  readonly sampledKeys: number;
  readonly estimated: readonly number[];
}

/** What a trace's process prints (one JSON line). */
export interface TraceResult {
  readonly id: string;
  readonly description: string;
  readonly requests: number;
  readonly distinctKeys: number;
  /** The seed of the trace's generator and of the advisor's key hash. */
  readonly seed: number;
  /** The advisor's rate and sampled keys after the trace (the rate is lowered past `maxKeys`). */
  readonly rate: number;
  readonly sampledKeys: number;
  readonly sizes: readonly SizeResult[];
  /** The same trace through the advisor under each of {@link SPREAD_SEEDS}. */
  readonly seeds: readonly SeedResult[];
  /** Wall time of the advised replay, of the replays through the real caches and of the other seeds', ms. */
  readonly advisedMs: number;
  readonly replayMs: number;
  readonly spreadMs: number;
}

/** The figures the targets apply to, over every size of every trace. */
export interface AccuracySummary {
  /** Mean absolute error of the estimated hit rates. */
  readonly meanError: number;
  readonly maxError: number;
  readonly maxSampledKeys: number;
}

/** One target of the benchmark, with its measured figure and whether it was met. */
export interface AccuracyTarget {
  readonly label: string;
  readonly target: Target;
  readonly measured: number;
  readonly met: boolean;
}

export const ACCURACY_START = '<!-- advisor:start -->';
export const ACCURACY_END = '<!-- advisor:end -->';

const error = (point: SizeResult): number => Math.abs(point.estimated - point.actual);

const mean = (values: readonly number[]): number => values.reduce((sum, v) => sum + v, 0) / values.length;

/** Mean and largest absolute error over `traces`' sizes, and the most keys sampled at the end of a trace. */
export function summariseAccuracy(traces: readonly TraceResult[]): AccuracySummary {
  const errors = traces.flatMap((t) => t.sizes.map(error));
  if (errors.length === 0) throw new Error('advisor accuracy: no estimates to compare');
  return {
    meanError: mean(errors),
    maxError: Math.max(...errors),
    maxSampledKeys: Math.max(...traces.map((t) => t.sampledKeys)),
  };
}

/** The limits on the error: a mean of at most 2 points, none above 5. */
export const ACCURACY_TARGETS = {
  meanError: { max: 0.02 },
  maxError: { max: 0.05 },
} as const satisfies Record<string, Target>;

/** Each target against `summary`, the sample against `maxKeys` (deterministic figures: no noise margin). */
export function accuracyTargets(summary: AccuracySummary, maxKeys: number): AccuracyTarget[] {
  const check = (label: string, target: Target, measured: number): AccuracyTarget => ({
    label,
    target,
    measured,
    met: target.max === undefined || measured <= target.max,
  });
  return [
    check('mean absolute error of the estimates', ACCURACY_TARGETS.meanError, summary.meanError),
    check('largest absolute error', ACCURACY_TARGETS.maxError, summary.maxError),
    check('keys sampled at the end of a trace (the most of any)', { max: maxKeys }, summary.maxSampledKeys),
  ];
}

/** One trace's errors under every seed of {@link SPREAD_SEEDS}. */
export interface SeedSpread {
  readonly id: string;
  readonly meanError: number;
  readonly maxError: number;
  /** The seed of the largest error. */
  readonly worstSeed: number;
  /** Seeds under which every size of the trace is within {@link ACCURACY_TARGETS}' `maxError`. */
  readonly seedsWithin: number;
  readonly seeds: number;
}

/** Each trace's errors under the other seeds, against the actual hit rates of its real caches. */
export function seedSpread(traces: readonly TraceResult[]): SeedSpread[] {
  return traces.map((t) => {
    const perSeed = t.seeds.map((s) => ({
      seed: s.seed,
      errors: t.sizes.map((p, i) => Math.abs((s.estimated[i] ?? Number.NaN) - p.actual)),
    }));
    const worst = perSeed.map((s) => ({ seed: s.seed, max: Math.max(...s.errors) }));
    const max = Math.max(...worst.map((w) => w.max));
    return {
      id: t.id,
      meanError: mean(perSeed.flatMap((s) => s.errors)),
      maxError: max,
      worstSeed: worst.find((w) => w.max === max)?.seed ?? Number.NaN,
      seedsWithin: worst.filter((w) => w.max <= ACCURACY_TARGETS.maxError.max).length,
      seeds: perSeed.length,
    };
  });
}

const rate = (value: number): string => value.toFixed(3);
const count = (n: number): string => n.toLocaleString('en-US');

/** A target as the group tables show it (`≤ 0.02 ok`). */
function targetCell(t: AccuracyTarget): string {
  const limit = t.target.max ?? Number.NaN;
  return `≤ ${limit >= 1 ? count(limit) : limit.toFixed(2)} ${t.met ? 'ok' : 'FAIL'}`;
}

/** The markdown section, markers included. */
export function accuracySection(
  traces: readonly TraceResult[],
  settings: AccuracySettings,
  setup: { readonly quick: boolean; readonly when: string; readonly machine: string; readonly seconds: number },
): string {
  const targets = accuracyTargets(summariseAccuracy(traces), settings.maxKeys);
  const points = markdownTable(
    ['trace', 'size', 'actual hit rate', 'estimated', 'abs. error'],
    ['left', 'right', 'right', 'right', 'right'],
    traces.flatMap((t) =>
      t.sizes.map((p, i) => [
        i === 0 ? `\`${t.id}\`` : '',
        `${count(p.size)} (${p.multiple}×)`,
        rate(p.actual),
        rate(p.estimated),
        rate(error(p)),
      ]),
    ),
  );
  const perTrace = markdownTable(
    ['trace', 'calls', 'distinct keys', 'seed', 'rate at the end', 'sampled keys', 'mean error', 'max error', 'run s'],
    ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
    traces.map((t) => {
      const own = summariseAccuracy([t]);
      return [
        `\`${t.id}\``,
        count(t.requests),
        count(t.distinctKeys),
        String(t.seed),
        t.rate.toPrecision(3),
        count(t.sampledKeys),
        rate(own.meanError),
        rate(own.maxError),
        ((t.advisedMs + t.replayMs + t.spreadMs) / 1000).toFixed(1),
      ];
    }),
  );
  const checks = markdownTable(
    ['target', 'measured', ''],
    ['left', 'right', 'left'],
    targets.map((t) => [
      t.label,
      t.target.max !== undefined && t.target.max >= 1 ? count(t.measured) : rate(t.measured),
      targetCell(t),
    ]),
  );
  const spreads = seedSpread(traces);
  const spread = markdownTable(
    ['trace', 'mean error', 'max error', 'worst seed', `seeds with max error ≤ ${ACCURACY_TARGETS.maxError.max}`],
    ['left', 'right', 'right', 'right', 'right'],
    spreads.map((s) => [
      `\`${s.id}\``,
      rate(s.meanError),
      rate(s.maxError),
      String(s.worstSeed),
      `${s.seedsWithin} of ${s.seeds}`,
    ]),
  );
  const seedList = `${SPREAD_SEEDS[0]}–${SPREAD_SEEDS[SPREAD_SEEDS.length - 1]}`;
  const traceList = traces.map((t) => `- \`${t.id}\`: ${t.description}.`).join('\n');
  return [
    ACCURACY_START,
    '',
    '## Sizing advisor accuracy',
    '',
    `Each trace is replayed, one awaited call after another, through \`@AsyncLRU({ maxSize: ${settings.base}, ` +
      `advisor: { rate: ${settings.rate}, maxKeys: ${settings.maxKeys}, seed } })\` (seed: the trace's own), and ` +
      '`adviseCache(method).sizes` gives the estimated hit rate at each size; then through a fresh ' +
      '`@AsyncLRU({ maxSize: size })` per size, in the same process, whose `cacheStats` give the actual hit rate ' +
      '(hits over calls). The error is the absolute difference of the two, in hit-rate units (0.01 is one point). ' +
      'Traces with more keys than the rate can sample within `maxKeys` make the advisor lower its rate during the ' +
      'trace. The traces come from seeded generators: every run replays the same calls and the figures repeat ' +
      'exactly.' +
      (setup.quick ? ' `--quick`: every count ÷ 10 and the rate × 10 (as many keys sampled), all sizes.' : ''),
    '',
    traceList,
    '',
    points,
    '',
    perTrace,
    '',
    checks,
    '',
    `Which keys are sampled depends on the seed of the advisor's key hash. Informational (no target): each trace ` +
      `replayed through the advisor under seeds ${seedList} as well, against the same actual hit rates.`,
    '',
    spread,
    '',
    `Measured ${setup.when} in ${setup.seconds.toFixed(0)} s; ${setup.machine}. \`npm run bench -- --only advisor\` ` +
      'runs it alone (prints only).',
    ACCURACY_END,
  ].join('\n');
}
