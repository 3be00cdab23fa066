import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = fileURLToPath(new URL('..', import.meta.url));

function codeBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
}

describe('README', () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');

  it('shows the install+start and the test commands', () => {
    expect(readme).toContain('npm ci && npm start');
    expect(readme).toContain('npm ci && npm test');
  });

  it("states package.json's Node range and why, the test prerequisites and the sample app's PORT", () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { engines: { node: string } };
    const minimum = /^>=(\d+\.\d+)$/.exec(pkg.engines.node)?.[1];
    expect(minimum).toBeDefined();
    expect(readme).toContain(`Node.js ${minimum ?? ''} or later`);
    expect(readme).toMatch(/require\('memokit'\)/);
    expect(readme).toContain('experimentalDecorators');
    expect(readme).toContain('emitDecoratorMetadata');
    expect(readme).toContain('moduleResolution');
    for (const prerequisite of ['redis-server', 'chromium', 'initdb', 'pg_ctl']) expect(readme).toContain(prerequisite);
    expect(readme).toContain('`PORT`');
  });

  it('has the LICENSE package.json announces', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { license: string };
    expect(pkg.license).toBe('MIT');
    const license = readFileSync(join(root, 'LICENSE'), 'utf8');
    expect(license).toMatch(/^MIT License\n\nCopyright \(c\) 2026 memokit contributors\n/);
  });

  it('has TypeScript code blocks that compile against the package (strict)', () => {
    const blocks = codeBlocks(readme);
    expect(blocks.length).toBeGreaterThanOrEqual(3);
    const dir = mkdtempSync(join(root, 'test/.readme-'));
    try {
      const files = blocks.map((code, i) => {
        const file = join(dir, `block${i}.ts`);
        writeFileSync(file, `${code}\nexport {};\n`);
        return file;
      });
      const config = ts.readConfigFile(join(root, 'tsconfig.json'), (p) => ts.sys.readFile(p));
      const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, root);
      const program = ts.createProgram(files, { ...parsed.options, noEmit: true });
      const errors = ts
        .getPreEmitDiagnostics(program)
        .map(
          (d) => `${d.file?.fileName.replace(dir, '') ?? ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`,
        );
      expect(errors).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
