/**
 * Child process entry: measures one round of one case and prints a
 * {@link RoundResult} as a JSON line. Started by `run.ts`, one fresh process
 * per case and round, so JIT state, inline caches and heaps are never shared,
 * and the process loads only the library it measures.
 *
 * Usage: node --expose-gc dist/bench/child.js <case-id> <settings-json>
 */
import v8 from 'node:v8';
import { cases } from './cases/index.js';
import type { ChildSettings, PreparedMemory, PreparedStampede, PreparedThroughput, RoundResult } from './types.js';
import { CONCURRENCY } from './workloads.js';

/** Batches target about this long, so reading the clock costs nothing measurable. */
const BATCH_TARGET_MS = 10;

function parseArgs(argv: readonly string[]): { id: string; settings: ChildSettings } {
  const [id, json] = argv;
  const settings = JSON.parse(json ?? 'null') as ChildSettings | null;
  if (id === undefined || settings === null || !(settings.measureMs > 0)) {
    throw new Error(`usage: child.js <case-id> <settings-json> (got ${JSON.stringify(argv)})`);
  }
  return { id, settings };
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** CPU time of this process (every thread: GC and compiler threads count too), in ms. */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/**
 * Runs batches for about `ms` of CPU time; returns the iterations done and the
 * wall and CPU time they took. Windows are CPU time, not wall time, so a
 * process that other load keeps waiting still gets its full warm-up (JIT
 * tier-up happens on CPU time, not on the clock) and its full measurement.
 */
async function runFor(
  prepared: PreparedThroughput,
  ms: number,
  batch: number,
): Promise<{ iterations: number; elapsedMs: number; cpuMs: number }> {
  let iterations = 0;
  let spent: number;
  const cpuStart = cpuMs();
  const start = performance.now();
  do {
    await prepared.run(batch);
    iterations += batch;
    spent = cpuMs() - cpuStart;
  } while (spent < ms);
  return { iterations, elapsedMs: performance.now() - start, cpuMs: spent };
}

async function throughput(id: string, prepared: PreparedThroughput, settings: ChildSettings): Promise<RoundResult> {
  // Warm-up: lets the JIT optimise the loop and calibrates the batch size.
  const first = Math.max(1, Math.round(1_000 / prepared.callsPerIteration));
  const warm = await runFor(prepared, settings.warmupMs, first);
  const perMs = warm.iterations / Math.max(warm.cpuMs, 1e-3);
  const batch = Math.max(1, Math.round(perMs * BATCH_TARGET_MS));

  globalThis.gc?.(); // start from a clean heap
  const { iterations, elapsedMs, cpuMs } = await runFor(prepared, settings.measureMs, batch);
  await prepared.verify?.();
  const calls = iterations * prepared.callsPerIteration;
  return {
    id,
    metric: 'throughput',
    opsPerSec: (calls / cpuMs) * 1000,
    opsPerWallSec: (calls / elapsedMs) * 1000,
    cpuShare: cpuMs / elapsedMs,
    calls,
  };
}

async function stampede(id: string, prepared: PreparedStampede, settings: ChildSettings): Promise<RoundResult> {
  // One untimed trial first: a stampede hits a warmed-up process, not a cold one.
  let key = 1_000_000;
  await prepared.loaderAlone(key);
  await prepared.stampede(key++, CONCURRENCY);
  const walls: number[] = [];
  const alone: number[] = [];
  const loaderCalls: number[] = [];
  for (let trial = 0; trial < settings.trials; trial++) {
    // Interleaved, so timer drift affects both series alike.
    let start = performance.now();
    await prepared.loaderAlone(key);
    alone.push(performance.now() - start);

    const before = prepared.loaderCalls();
    start = performance.now();
    await prepared.stampede(key++, CONCURRENCY);
    walls.push(performance.now() - start);
    loaderCalls.push(prepared.loaderCalls() - before);
  }
  return { id, metric: 'stampede', wallMs: median(walls), loaderMs: median(alone), loaderCalls };
}

/** Heap in use outside code space (compiled code would otherwise count as cached data). */
function heapBytes(): number {
  let total = 0;
  for (const space of v8.getHeapSpaceStatistics()) {
    if (!space.space_name.startsWith('code_')) total += space.space_used_size;
  }
  return total;
}

async function settledHeap(): Promise<number> {
  // Let pending promise jobs and timers finish, then collect twice (weak refs, finalizers).
  await new Promise((resolve) => setImmediate(resolve));
  globalThis.gc!();
  globalThis.gc!();
  return heapBytes();
}

async function memory(id: string, prepared: PreparedMemory, settings: ChildSettings): Promise<RoundResult> {
  if (globalThis.gc === undefined) throw new Error('the memory case needs node --expose-gc');
  const { entries } = settings;
  const before = await settledHeap();
  await prepared.fill(entries);
  const after = await settledHeap();
  await prepared.verify?.(entries);
  return { id, metric: 'memory', bytesPerEntry: (after - before) / entries, entries };
}

async function main(): Promise<void> {
  const { id, settings } = parseArgs(process.argv.slice(2));
  const benchCase = cases.find((c) => c.id === id);
  if (benchCase === undefined) throw new Error(`unknown case ${JSON.stringify(id)}`);
  const prepare = await benchCase.load();
  const prepared = await prepare();
  let result: RoundResult;
  switch (prepared.metric) {
    case 'throughput':
      result = await throughput(id, prepared, settings);
      break;
    case 'stampede':
      result = await stampede(id, prepared, settings);
      break;
    case 'memory':
      result = await memory(id, prepared, settings);
      break;
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().then(
  // Some libraries keep timers or handles open (bentocache): the result is out, leave.
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  },
);
