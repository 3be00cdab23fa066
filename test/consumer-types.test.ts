/**
 * The published types from a CommonJS NestJS 11 app: scripts/consumer-types.sh
 * installs a packed memokit with Nest 11 and TypeScript 5 (from the npm
 * registry) into a temporary project and compiles it with `module: commonjs`
 * (default resolution: node10), `node16` and `nodenext`, `skipLibCheck: false`,
 * first without ioredis installed, then with it. The package is built into a
 * temporary folder here, so the repository's dist/ is left alone.
 */
import { describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from './helpers/transpile.js';

const run = promisify(execFile);

describe('published types', () => {
  it('compile in a CommonJS Nest 11 app under commonjs (node10), node16 and nodenext resolution, with and without ioredis', async () => {
    const work = mkdtempSync(join(tmpdir(), 'memokit-types-pkg-'));
    try {
      const pkg = join(work, 'pkg');
      const tsc = join(repoRoot, 'node_modules/typescript/bin/tsc');
      await run(process.execPath, [tsc, '-p', join(repoRoot, 'tsconfig.build.json'), '--outDir', join(pkg, 'dist')]);
      await run(process.execPath, [join(repoRoot, 'scripts/cjs-types.mjs'), join(pkg, 'dist')]);
      const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as Record<string, unknown>;
      // npm pack would run lifecycle scripts of the manifest; the build already happened.
      writeFileSync(join(pkg, 'package.json'), JSON.stringify({ ...manifest, scripts: {} }, null, 2));
      copyFileSync(join(repoRoot, 'README.md'), join(pkg, 'README.md'));
      const { stdout: packed } = await run('npm', ['pack', '--silent', '--pack-destination', work], { cwd: pkg });
      const tarball = join(work, packed.trim().split('\n').pop() ?? '');
      const { stdout } = await run('bash', [join(repoRoot, 'scripts/consumer-types.sh')], {
        env: { ...process.env, MEMOKIT_TARBALL: tarball },
        timeout: 280_000,
        maxBuffer: 64 * 1024 * 1024,
      });
      for (const variant of ['commonjs', 'node16', 'nodenext']) {
        expect(stdout).toContain(`without ioredis: tsc -p tsconfig.${variant}.json`);
        expect(stdout).toContain(`with ioredis: tsc -p tsconfig.${variant}.json`);
      }
      expect(stdout).toContain('OK: memokit');
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }, 300_000);
});
