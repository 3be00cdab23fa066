/**
 * The layer check of `npm run lint` (.dependency-cruiser.cjs), checked
 * itself: dependency-cruiser's CLI runs with the repository's config over
 * test/fixtures/layers/, a miniature lib/ + nest-module/ tree in which each
 * file breaks one rule on purpose (its first line says which) or none. Every
 * rule must report exactly the files that break it, under its name, and
 * nothing else: a rule that stops matching (a renamed folder, a regex typo)
 * fails here instead of letting every import through.
 */
import { describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '../helpers/transpile.js';

const run = promisify(execFile);
const fixture = join(repoRoot, 'test/fixtures/layers');
const configFile = join(repoRoot, '.dependency-cruiser.cjs');

interface Violation {
  readonly type: string;
  readonly from: string;
  readonly to: string;
  readonly rule: { readonly name: string; readonly severity: string };
  readonly cycle?: readonly { readonly name: string }[];
}

interface Rule {
  readonly name: string;
  readonly severity: string;
  readonly comment?: string;
}

/** Runs the CLI as `npm run lint` does, in `cwd`, and returns the violations it reports. */
async function cruise(cwd: string): Promise<Violation[]> {
  const cli = join(repoRoot, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');
  const args = [cli, 'lib', 'nest-module', '--config', configFile, '--output-type', 'json'];
  const { stdout } = await run(process.execPath, args, { cwd, maxBuffer: 16 * 1024 * 1024 });
  const result = JSON.parse(stdout) as { summary: { violations: Violation[] } };
  return result.summary.violations;
}

/** `rule: from → to`, or for a cycle `rule: a ↔ b ↔ …` (its members sorted, whichever edge was reported). */
const describeViolation = (v: Violation): string =>
  v.cycle === undefined
    ? `${v.rule.name}: ${v.from} → ${v.to}`
    : `${v.rule.name}: ${[v.from, ...v.cycle.map((step) => step.name)]
        .filter((name, i, all) => all.indexOf(name) === i)
        .sort()
        .join(' ↔ ')}`;

describe('layer check (.dependency-cruiser.cjs)', () => {
  it('reports each deliberate break of the fixture under the rule it breaks, and nothing else', async () => {
    const found = (await cruise(fixture)).map(describeViolation).sort();
    expect(found).toEqual(
      [
        // A runtime cycle and a cycle made of type-only imports alone.
        'no-import-cycles: lib/engine/ping.ts ↔ lib/engine/pong.ts',
        'no-import-cycles: lib/api/settings.ts ↔ lib/api/shape.ts',
        // An import against the direction util ← keys ← codec ← stores ← engine ← api.
        'util-imports-only-lower-layers: lib/util/eager.ts → lib/engine/runner.ts',
        'lib-folders-are-known-layers: lib/extras/helpers.ts → lib/util/clock.ts',
        'resilience-imports-only-store-contract: lib/stores/resilience/probe.ts → lib/stores/redis/redis-store.ts',
        'redis-store-stands-alone: lib/stores/redis/l1.ts → lib/stores/tiered/tiered-store.ts',
        'memory-store-stands-alone: lib/stores/memory/memory-store.ts → lib/stores/redis/redis-store.ts',
        'testing-stays-out-of-the-main-entry: lib/bundled.ts → lib/testing/index.ts',
        'lib-never-imports-nest-module: lib/leaky.ts → nest-module/module.ts',
        'lib-never-imports-tests: lib/leaky.ts → test/helper.ts',
        'nest-module-uses-entry-points-only: nest-module/deep.ts → lib/engine/runner.ts',
      ].sort(),
    );
  }, 60_000);

  it('fails the command (non-zero exit) when it finds a violation', async () => {
    const cli = join(repoRoot, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');
    const outcome = await run(process.execPath, [cli, 'lib', 'nest-module', '--config', configFile], {
      cwd: fixture,
    }).then(
      () => ({ code: 0, stdout: '' }),
      (error: { code?: number; stdout?: string }) => ({ code: error.code ?? -1, stdout: error.stdout ?? '' }),
    );
    expect(outcome.code).not.toBe(0);
    expect(outcome.stdout).toMatch(/error no-import-cycles: lib\/engine\/p[io]ng\.ts/);
    expect(outcome.stdout).toMatch(
      /error util-imports-only-lower-layers: lib\/util\/eager\.ts → lib\/engine\/runner\.ts/,
    );
  }, 60_000);

  it('names every rule for what it protects and explains it to a newcomer', () => {
    const require = createRequire(import.meta.url);
    const config = require(configFile) as { forbidden: Rule[] };
    const names = config.forbidden.map((rule) => rule.name);
    expect(new Set(names).size).toBe(names.length);
    for (const rule of config.forbidden) {
      expect(rule.name).toMatch(/^[a-z]+(-[a-z]+)+$/);
      expect(rule.severity).toBe('error');
      expect(rule.comment?.length ?? 0).toBeGreaterThan(80);
    }
    // One rule per layer, util to api.
    for (const layer of ['util', 'keys', 'codec', 'stores', 'engine', 'api']) {
      expect(names).toContain(`${layer}-imports-only-lower-layers`);
    }
  });
});
