import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import ts from 'typescript';

const run = promisify(execFile);
const repo = resolve(import.meta.dirname, '../..');

/** Transpiles `lib/` and `nest-module/` as the build does (without type checking: other suites do that). */
async function transpile(folder: string, out: string): Promise<void> {
  for (const entry of await readdir(join(repo, folder), { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts') || entry.name.endsWith('.d.ts')) continue;
    const source = join(entry.parentPath, entry.name);
    const { outputText } = ts.transpileModule(await readFile(source, 'utf8'), {
      fileName: source,
      compilerOptions: {
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.ES2022,
        experimentalDecorators: true,
        emitDecoratorMetadata: true,
        useDefineForClassFields: true,
      },
    });
    const target = join(out, relative(repo, source)).replace(/\.ts$/, '.js');
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, outputText);
  }
}

describe('CommonJS consumers', () => {
  let root: string;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'memokit-cjs-'));
    // The package as published: package.json (exports map) + dist/.
    const pkg = join(root, 'pkg');
    await transpile('lib', join(pkg, 'dist'));
    await transpile('nest-module', join(pkg, 'dist'));
    await copyFile(join(repo, 'package.json'), join(pkg, 'package.json'));
    await symlink(join(repo, 'node_modules'), join(pkg, 'node_modules'), 'dir');
    // The consumer: memokit and its peers in its node_modules.
    const app = join(root, 'app');
    await mkdir(join(app, 'node_modules'), { recursive: true });
    await symlink(pkg, join(app, 'node_modules', 'memokit'), 'dir');
    for (const peer of ['@nestjs', 'reflect-metadata', 'rxjs']) {
      await symlink(join(repo, 'node_modules', peer), join(app, 'node_modules', peer), 'dir');
    }
    await writeFile(
      join(app, 'package.json'),
      JSON.stringify({ name: 'cjs-consumer', private: true, type: 'commonjs' }),
    );
    await copyFile(join(import.meta.dirname, 'fixtures', 'cjs-consumer.cjs'), join(app, 'consumer.cjs'));
  });

  afterAll(async () => {
    if (root !== undefined) await rm(root, { recursive: true, force: true });
  });

  it("require('memokit') and require('memokit/nest') work, and a CommonJS Nest app caches through CacheModule", async () => {
    const { stdout } = await run(process.execPath, ['consumer.cjs'], { cwd: join(root, 'app'), timeout: 20_000 });
    const result = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as { ok?: boolean; stats?: { hits: number } };
    expect(result).toMatchObject({ ok: true, stats: { hits: 1, misses: 1 } });
  });
});
