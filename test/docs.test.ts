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
 */
import { describe, expect, it } from '@jest/globals';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

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

  it('fences TypeScript as ```ts (compiled) or ```ts nocheck (other libraries, no memokit import)', () => {
    const wrong = allBlocks
      .filter((b) => b.info !== 'ts' && b.info !== 'ts nocheck')
      .map((b) => `${b.doc}:${b.line} uses \`\`\`${b.info}`);
    expect(wrong).toEqual([]);
    const uncheckedMemokit = allBlocks
      .filter((b) => b.info === 'ts nocheck' && /from ['"]memokit(\/nest)?['"]/.test(b.code))
      .map((b) => `${b.doc}:${b.line} imports memokit in a nocheck block`);
    expect(uncheckedMemokit).toEqual([]);
  });

  it('has ```ts blocks that each compile on their own against the package (strict)', () => {
    const checked = allBlocks.filter((b) => b.info === 'ts');
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
