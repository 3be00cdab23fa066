/**
 * Jest does not surface unhandled rejections reliably, so this runs a scenario
 * in a plain Node child process with --unhandled-rejections=strict: any
 * rejection the store leaves unhandled kills it. The library is transpiled
 * (without type checks, which `tsc` does elsewhere) into test-output/.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, transpileInto } from '../../helpers/transpile.js';

const root = repoRoot;
// One directory per run: several jest runs may share the checkout.
const out = join(root, 'test-output', `redis-child-${process.pid}`);

const transpile = (relative: string): void => transpileInto(out, relative);

describe('RedisStore: no unhandled rejections', () => {
  beforeAll(() => {
    const lib = readdirSync(join(root, 'lib'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
    for (const file of lib) transpile(join('lib', file));
    transpile('test/setup/redis-server.ts');
    transpile('test/stores/redis/fixtures/unhandled-child.ts');
  });

  afterAll(() => {
    rmSync(out, { recursive: true, force: true });
  });

  it('survives Redis paused, stopped and restarted, corrupt entries and unstorable values', () => {
    const child = spawnSync(
      process.execPath,
      ['--unhandled-rejections=strict', join(out, 'test/stores/redis/fixtures/unhandled-child.js')],
      { cwd: root, encoding: 'utf8', timeout: 60_000 },
    );
    expect(child.stderr).toBe('');
    expect(child.status).toBe(0);
    const result = JSON.parse(child.stdout) as { calls: number; stats: { timeouts: number; skipped: number } };
    expect(result.calls).toBeGreaterThan(20);
    expect(result.stats.timeouts).toBeGreaterThanOrEqual(1);
    expect(result.stats.skipped).toBeGreaterThan(0);
  }, 60_000);
});
