/**
 * One trace of the sizing advisor's accuracy benchmark, in its own process:
 * `node accuracy-child.js <trace> <settings-json>` replays it
 * (`accuracy-replay.ts`) and prints one JSON line, a {@link TraceResult}.
 */
import type { AccuracySettings, TraceResult } from './accuracy-report.js';
import { replayTrace } from './accuracy-replay.js';
import { TRACES } from './traces.js';

async function main(): Promise<void> {
  const [traceId = '', json = ''] = process.argv.slice(2);
  const make = TRACES[traceId];
  if (make === undefined) throw new Error(`advisor accuracy: unknown trace ${JSON.stringify(traceId)}`);
  const settings = JSON.parse(json) as AccuracySettings;
  const result: TraceResult = await replayTrace(make(settings), settings);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  },
);
