/**
 * "Expiry under load": memokit without a policy, with staleWhileRevalidate
 * and with refreshAhead, next to bentocache (grace + soft timeout 0) and
 * cache-manager (refreshThreshold), each configuration in a fresh process.
 * Run by `npm run bench` (10 s per row; writes its section of
 * docs/benchmarks.md) and `npm run bench -- --quick` (memokit rows, 3 s,
 * prints and checks the targets).
 */
import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { CALLERS, LOAD_MS, REFRESH_AHEAD, TTL_MS } from './expiry-child.js';
import { expirySection, expiryTargets, LatencyHistogram, type ExpiryRow, type ExpiryTarget } from './expiry-report.js';

const child = fileURLToPath(new URL('./expiry-child.js', import.meta.url));

const ROWS: readonly Pick<ExpiryRow, 'id' | 'label' | 'role'>[] = [
  { id: 'baseline', label: 'memokit, hit path (entry never expires): baseline', role: 'baseline' },
  { id: 'none', label: 'memokit, no policy', role: 'compare' },
  { id: 'swr', label: "memokit, `staleWhileRevalidate: '10s'`", role: 'policy' },
  { id: 'ahead', label: 'memokit, `refreshAhead: 0.8`', role: 'policy' },
  { id: 'bentocache', label: "bentocache, `grace: '10s', timeout: 0`", role: 'compare' },
  { id: 'cache-manager', label: 'cache-manager, `refreshThreshold` 200 ms', role: 'compare' },
];

function measure(row: Pick<ExpiryRow, 'id' | 'label' | 'role'>, seconds: number): ExpiryRow {
  const out = execFileSync(process.execPath, [child, row.id, String(seconds)], {
    encoding: 'utf8',
    timeout: (seconds + 60) * 1000,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const data = JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as {
    histogram: { buckets: [number, number][]; max: number };
    calls: number;
    waited: number;
    loaderCalls: number;
    seconds: number;
  };
  const h = LatencyHistogram.fromJSON(data.histogram);
  return {
    ...row,
    p50: h.percentile(0.5),
    p99: h.percentile(0.99),
    p9999: h.percentile(0.9999),
    waited: data.waited,
    max: h.max,
    calls: data.calls,
    loaderCalls: data.loaderCalls,
    seconds: data.seconds,
    ttlSeconds: TTL_MS / 1000,
    cycleSeconds: ((row.id === 'ahead' ? REFRESH_AHEAD : 1) * TTL_MS) / 1000,
  };
}

/**
 * Measures the rows, prints the section and the targets; resolves the section
 * (to be written) and whether every target was met.
 */
export function runExpiryBench(quick: boolean): { section: string; targets: ExpiryTarget[] } {
  const seconds = quick ? 3 : 10;
  const rows = ROWS.filter((r) => !quick || r.id === 'baseline' || r.role === 'policy').map((r) => {
    process.stderr.write(`expiry under load: ${r.id} (${seconds} s)\n`);
    return measure(r, seconds);
  });
  const targets = expiryTargets(rows);
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  const section = expirySection(rows, targets, {
    callers: CALLERS,
    loadMs: LOAD_MS,
    when: new Date().toISOString().slice(0, 10),
    machine: `Node ${process.version}, ${cpu}, ${cpus().length} cores`,
  });
  console.log(`\n${section}`);
  for (const t of targets.filter((x) => !x.met))
    console.error(`missed: ${t.row}: ${t.target} (measured ${t.measured})`);
  return { section, targets };
}
