/**
 * "Sizing advisor accuracy": each trace of `traces.ts` replayed through the
 * advisor and through real caches of every size it estimates, one process per
 * trace (`accuracy-child.ts`). Run by `npm run bench` (1,000,000 calls per
 * trace; writes its section of docs/benchmarks.md) and by `--quick` (every
 * count ÷ 10; prints and checks the targets).
 */
import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import {
  accuracySection,
  accuracyTargets,
  summariseAccuracy,
  type AccuracySettings,
  type AccuracyTarget,
  type TraceResult,
} from './accuracy-report.js';
import { TRACE_IDS } from './traces.js';

const child = fileURLToPath(new URL('./accuracy-child.js', import.meta.url));

/**
 * Fixed-size SHARDS: the advisor starts sampling every key and lowers its rate itself to keep at most 8,192
 * (about 0.08 on 100,000 keys; 0.17 on zipf-1.2's 47,000). At a fixed 0.08 instead, traces with fewer keys sample
 * fewer than they may (zipf-1.2: 3,800) and the largest error measured was 0.055.
 */
const FULL: AccuracySettings = { requests: 1_000_000, keys: 100_000, base: 1_000, rate: 1, maxKeys: 8_192 };
/** The same traces ÷ 10, with the same cap (the rate then ends near 0.8). */
const QUICK: AccuracySettings = { requests: 100_000, keys: 10_000, base: 100, rate: 1, maxKeys: 8_192 };

function replayTrace(id: string, settings: AccuracySettings): TraceResult {
  const out = execFileSync(process.execPath, [child, id, JSON.stringify(settings)], {
    encoding: 'utf8',
    timeout: 600_000,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as TraceResult;
}

/**
 * Replays every trace, prints the section and the targets; returns the
 * section (to be written) and the targets.
 */
export function runAdvisorBench(quick: boolean): { section: string; targets: AccuracyTarget[] } {
  const settings = quick ? QUICK : FULL;
  const started = performance.now();
  const traces = TRACE_IDS.map((id) => {
    process.stderr.write(`advisor accuracy: ${id} (${settings.requests.toLocaleString('en-US')} calls)\n`);
    return replayTrace(id, settings);
  });
  const seconds = (performance.now() - started) / 1000;
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  const section = accuracySection(traces, settings, {
    quick,
    when: new Date().toISOString().slice(0, 10),
    machine: `Node ${process.version}, ${cpu}, ${cpus().length} cores`,
    seconds,
  });
  console.log(`\n${section}`);
  const targets = accuracyTargets(summariseAccuracy(traces), settings.maxKeys);
  for (const t of targets.filter((x) => !x.met)) console.error(`FAIL advisor accuracy: ${t.label}: ${t.measured}`);
  return { section, targets };
}
