/**
 * CPU profile of bench cases: runs each case's child process once under
 * `node --cpu-prof` (a longer measured window than the bench), then prints the
 * functions with the most self time and the most total (inclusive) time.
 *
 * Usage (after `npm run bench` or a build of lib/ and bench/):
 *   node dist/bench/profile.js <case-id> [<case-id>...] [--top 25] [--ms 2000] [--keep]
 *
 * Profiles are written to a temporary directory (printed with --keep).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cases } from './cases/index.js';
import { markdownTable } from './report.js';
import type { ChildSettings } from './types.js';

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

const childScript = fileURLToPath(new URL('./child.js', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

function frameName(frame: CallFrame): string {
  const name = frame.functionName || '(anonymous)';
  if (frame.url === '') return name;
  let file = frame.url.startsWith('file://') ? fileURLToPath(frame.url) : frame.url;
  if (file.startsWith(repoRoot)) file = file.slice(repoRoot.length);
  file = file.replace(/^node_modules\//, '');
  return `${name} ${file}:${frame.lineNumber + 1}`;
}

/** Self and total (inclusive) microseconds per function, and the whole profile's span. */
function analyse(profile: CpuProfile): { self: Map<string, number>; total: Map<string, number>; span: number } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const sampleTime = new Map<number, number>();
  let span = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    span += dt;
    sampleTime.set(id, (sampleTime.get(id) ?? 0) + dt);
  });
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  for (const [id, time] of sampleTime) {
    const node = byId.get(id)!;
    const name = frameName(node.callFrame);
    self.set(name, (self.get(name) ?? 0) + time);
    // Inclusive: every distinct function on the stack, once (recursion counted once).
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = frameName(byId.get(at)!.callFrame);
      if (seen.has(frame)) continue;
      seen.add(frame);
      total.set(frame, (total.get(frame) ?? 0) + time);
    }
  }
  return { self, total, span };
}

function top(map: ReadonlyMap<string, number>, span: number, n: number): string[][] {
  return [...map]
    .filter(([name]) => name !== '(root)')
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([name, time]) => [name, `${((time / span) * 100).toFixed(1)}%`]);
}

function main(): void {
  const argv = process.argv.slice(2);
  const ids: string[] = [];
  let topN = 25;
  let ms = 2_000;
  let keep = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--top') topN = Number(argv[++i]);
    else if (arg === '--ms') ms = Number(argv[++i]);
    else if (arg === '--keep') keep = true;
    else ids.push(arg);
  }
  const unknown = ids.filter((id) => !cases.some((c) => c.id === id));
  if (ids.length === 0 || unknown.length > 0) {
    console.error(`usage: node dist/bench/profile.js <case-id>... [--top N] [--ms M] [--keep]`);
    if (unknown.length > 0) console.error(`unknown case(s): ${unknown.join(', ')}`);
    console.error(`cases: ${cases.map((c) => c.id).join(' ')}`);
    process.exit(2);
  }
  for (const id of ids) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'memokit-prof-'));
    const settings: ChildSettings = { warmupMs: 500, measureMs: ms, trials: 20, entries: 100_000 };
    const child = spawnSync(
      process.execPath,
      ['--expose-gc', '--cpu-prof', `--cpu-prof-dir=${dir}`, childScript, id, JSON.stringify(settings)],
      { encoding: 'utf8' },
    );
    if (child.status !== 0) throw new Error(`case ${id} failed:\n${child.stderr}`);
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    if (file === undefined) throw new Error(`no profile written for ${id}`);
    const profile = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as CpuProfile;
    const { self, total, span } = analyse(profile);
    console.log(`## ${id}\n\n${child.stdout.trim()}\n`);
    console.log(markdownTable(['self time', '%'], ['left', 'right'], top(self, span, topN)));
    console.log('');
    console.log(markdownTable(['total time', '%'], ['left', 'right'], top(total, span, topN)));
    console.log('');
    if (keep) console.log(`profile: ${path.join(dir, file)}\n`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

main();
