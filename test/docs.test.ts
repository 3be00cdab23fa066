/**
 * The guides in docs/ must not rot: every ```ts block compiles against the
 * package, and every relative link points to a file that exists.
 *
 * How blocks are checked (the choice this suite makes): each ```ts block is
 * its own module. A block never relies on an earlier block of the same page:
 * it imports what it uses and declares the types it needs, so a reader can
 * copy any one block into a file and it compiles, and an error points to one
 * block. All blocks are compiled in one program with the repository's
 * tsconfig.json (strict, legacy decorators as NestJS uses them, `memokit` and
 * `memokit/nest` mapped to the sources), like test/readme.test.ts does for
 * the README.
 *
 * Code of other libraries, shown for comparison in the migration guides, is
 * fenced ```ts nocheck (highlighted as TypeScript, not compiled). Such a
 * block may not import memokit: memokit code is always checked.
 *
 * Every compiled block is also RUN, to completion: transpiled like the
 * package, each in its own Node process (an ES module, top-level await),
 * against lib/ and nest-module/ transpiled as `memokit` / `memokit/nest`, in
 * a temporary folder as working directory. It must exit with code 0 within
 * a few seconds (an example that leaves a connection or a timer open never
 * exits, and fails), and write nothing to stderr (an example's warnings, such
 * as "Redis is not reachable", mean it did not do what it shows). Redis URLs in a block (`redis://127.0.0.1:6379`,
 * `redis://localhost:6379`) are pointed at the test run's private Redis
 * (test/setup), never at 6379; `REDIS_URL` is that server too. A block that
 * cannot run alone (it `declare`s what it uses, or only shows a shape) is
 * fenced ```ts fragment: compiled, not run.
 */
import { describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { testRedisUrl } from './setup/redis-env.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const docsDir = join(root, 'docs');

interface Block {
  readonly doc: string;
  /** 1-based index of the block in its page. */
  readonly index: number;
  /** Line of the opening fence in the page. */
  readonly line: number;
  readonly info: string;
  readonly code: string;
}

/** Fenced blocks whose info string starts with ts/typescript, with where they are. */
function typescriptBlocks(doc: string, markdown: string): Block[] {
  const blocks: Block[] = [];
  const fence = /^```([^\n`]*)\n([\s\S]*?)^```[ \t]*$/gm;
  for (const match of markdown.matchAll(fence)) {
    const info = (match[1] ?? '').trim();
    if (!/^(ts|typescript)\b/.test(info)) continue;
    const line = markdown.slice(0, match.index).split('\n').length;
    blocks.push({ doc, index: blocks.length + 1, line, info, code: match[2] ?? '' });
  }
  return blocks;
}

const docs = readdirSync(docsDir)
  .filter((name) => name.endsWith('.md'))
  .sort();
const pages = new Map(docs.map((name) => [name, readFileSync(join(docsDir, name), 'utf8')]));
const allBlocks = [...pages].flatMap(([name, markdown]) => typescriptBlocks(name, markdown));
const FENCES = ['ts', 'ts fragment', 'ts nocheck'];

const COMPILER_OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ES2022,
  experimentalDecorators: true,
  emitDecoratorMetadata: true,
  useDefineForClassFields: true,
};

/** lib/ and nest-module/ as ES modules in `pkg/dist`, with an exports map naming them memokit and memokit/nest. */
function transpilePackage(pkg: string): void {
  for (const folder of ['lib', 'nest-module']) {
    for (const entry of readdirSync(join(root, folder), { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || !entry.name.endsWith('.ts') || entry.name.endsWith('.d.ts')) continue;
      const source = join(entry.parentPath, entry.name);
      const { outputText } = ts.transpileModule(readFileSync(source, 'utf8'), {
        fileName: source,
        compilerOptions: COMPILER_OPTIONS,
      });
      const target = join(pkg, 'dist', relative(root, source)).replace(/\.ts$/, '.js');
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, outputText);
    }
  }
  writeFileSync(
    join(pkg, 'package.json'),
    JSON.stringify({
      name: 'memokit',
      type: 'module',
      exports: {
        '.': './dist/lib/index.js',
        './nest': './dist/nest-module/index.js',
        './redis': './dist/lib/redis.js',
        './tiered': './dist/lib/tiered.js',
        './testing': './dist/lib/testing/index.js',
      },
    }),
  );
  symlinkSync(join(root, 'node_modules'), join(pkg, 'node_modules'), 'dir');
}

/** The block as run: JavaScript, its Redis pointed at the test server. */
function runnable(block: Block, redisUrl: string): string {
  const code = block.code.replace(/redis:\/\/(127\.0\.0\.1|localhost):6379/g, redisUrl);
  return ts.transpileModule(`${code}\nexport {};\n`, {
    fileName: `${block.doc}-${block.index}.ts`,
    compilerOptions: COMPILER_OPTIONS,
  }).outputText;
}

interface Outcome {
  readonly block: Block;
  readonly problem: string | undefined;
}

const RUN_TIMEOUT_MS = 20_000;

/** The environment of a block: the test Redis as REDIS_URL, no CACHE_URL, no jest options. */
function blockEnv(redisUrl: string): NodeJS.ProcessEnv {
  const { CACHE_URL: _cacheUrl, NODE_OPTIONS: _nodeOptions, ...env } = process.env;
  return { ...env, REDIS_URL: redisUrl };
}

function runBlock(block: Block, file: string, cwd: string, redisUrl: string): Promise<Outcome> {
  return new Promise((resolvePromise) => {
    execFile(
      process.execPath,
      [file],
      {
        cwd,
        timeout: RUN_TIMEOUT_MS,
        killSignal: 'SIGKILL',
        env: blockEnv(redisUrl),
      },
      (error, stdout, stderr) => {
        // console.warn / console.error mean the example hit a problem (e.g. "Redis is not reachable").
        const warnings = stderr.trim();
        if (error === null && warnings === '') return resolvePromise({ block, problem: undefined });
        if (error === null) return resolvePromise({ block, problem: `wrote to stderr:\n${warnings.slice(-1500)}` });
        const why = error.killed
          ? `did not exit within ${RUN_TIMEOUT_MS} ms (a connection or timer left open?)`
          : `exited with ${String(error.code ?? error.signal)}`;
        resolvePromise({ block, problem: `${why}\n${(stderr || stdout).trim().slice(-1500)}` });
      },
    );
  });
}

describe('docs/', () => {
  it('has the guides the README links to', () => {
    for (const guide of [
      'README.md',
      'decorators.md',
      'invalidation.md',
      'stores.md',
      'scopes.md',
      'nestjs.md',
      'testing.md',
      'events-and-metrics.md',
      'tags-and-batching.md',
      'migrating-from-nestjs-cache-manager.md',
      'migrating-from-the-python-libraries.md',
      'sample-app.md',
    ]) {
      expect(docs).toContain(guide);
    }
  });

  it('fences TypeScript as ```ts (compiled and run), ```ts fragment (compiled) or ```ts nocheck (other libraries, no memokit import)', () => {
    const wrong = allBlocks
      .filter((b) => !FENCES.includes(b.info))
      .map((b) => `${b.doc}:${b.line} uses \`\`\`${b.info}`);
    expect(wrong).toEqual([]);
    const uncheckedMemokit = allBlocks
      .filter((b) => b.info === 'ts nocheck' && /from ['"]memokit(\/nest)?['"]/.test(b.code))
      .map((b) => `${b.doc}:${b.line} imports memokit in a nocheck block`);
    expect(uncheckedMemokit).toEqual([]);
  });

  it('has ```ts blocks that each compile on their own against the package (strict)', () => {
    const checked = allBlocks.filter((b) => b.info !== 'ts nocheck');
    expect(checked.length).toBeGreaterThanOrEqual(30);
    const dir = mkdtempSync(join(root, 'test/.docs-'));
    try {
      const origin = new Map<string, Block>();
      const files = checked.map((block) => {
        const file = join(dir, `${block.doc.replace(/\.md$/, '')}-${block.index}.ts`);
        writeFileSync(file, `${block.code}\nexport {};\n`);
        origin.set(resolve(file), block);
        return file;
      });
      const config = ts.readConfigFile(join(root, 'tsconfig.json'), (p) => ts.sys.readFile(p));
      const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, root);
      const program = ts.createProgram(files, { ...parsed.options, noEmit: true });
      const errors = ts.getPreEmitDiagnostics(program).map((d) => {
        const block = d.file === undefined ? undefined : origin.get(resolve(d.file.fileName));
        const at =
          block === undefined || d.file === undefined || d.start === undefined
            ? (d.file?.fileName ?? '')
            : `docs/${block.doc}:${block.line + 1 + d.file.getLineAndCharacterOfPosition(d.start).line}`;
        return `${at}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
      });
      expect(errors).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('has ```ts blocks that each run to completion (exit 0), on the private test Redis where they need one', async () => {
    const runnableBlocks = allBlocks.filter((b) => b.info === 'ts');
    expect(runnableBlocks.length).toBeGreaterThanOrEqual(20);
    const redisUrl = testRedisUrl();
    const dir = mkdtempSync(join(tmpdir(), 'memokit-docs-run-'));
    try {
      const pkg = join(dir, 'pkg');
      transpilePackage(pkg);
      // Inside the package, so `memokit` resolves by self-reference and the rest from node_modules.
      const blocksDir = join(pkg, 'blocks');
      mkdirSync(blocksDir);
      const jobs = runnableBlocks.map((block) => {
        const file = join(blocksDir, `${block.doc.replace(/\.md$/, '')}-${block.index}.js`);
        writeFileSync(file, runnable(block, redisUrl));
        const cwd = join(dir, 'cwd', `${block.doc.replace(/\.md$/, '')}-${block.index}`);
        mkdirSync(cwd, { recursive: true });
        return { block, file, cwd };
      });
      const outcomes: Outcome[] = [];
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < jobs.length) {
          const job = jobs[next++];
          if (job !== undefined) outcomes.push(await runBlock(job.block, job.file, job.cwd, redisUrl));
        }
      };
      await Promise.all([worker(), worker(), worker()]);
      const failed = outcomes
        .filter((o) => o.problem !== undefined)
        .map((o) => `docs/${o.block.doc}:${o.block.line} (block ${o.block.index}) ${o.problem ?? ''}`);
      expect(failed).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 240_000);

  it('links only to files that exist (docs/*.md and README.md)', () => {
    const broken: string[] = [];
    const sources: [string, string][] = [
      ...[...pages].map(([name, text]): [string, string] => [join(docsDir, name), text]),
      [join(root, 'README.md'), readFileSync(join(root, 'README.md'), 'utf8')],
    ];
    for (const [file, markdown] of sources) {
      const withoutCode = markdown.replace(/^```[\s\S]*?^```/gm, '');
      for (const match of withoutCode.matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = match[1] ?? '';
        if (/^[a-z]+:/i.test(target) || target.startsWith('#')) continue;
        const path = resolve(dirname(file), target.split('#')[0] ?? '');
        if (!existsSync(path)) broken.push(`${file.replace(root, '')}: ${target}`);
      }
    }
    expect(broken).toEqual([]);
  });
});
