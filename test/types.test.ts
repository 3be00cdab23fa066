import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Type-checks files with the repo's tsconfig.json options (strict, experimentalDecorators). */
function diagnostics(files: string[], configPath = join(root, 'tsconfig.json')): string[] {
  const config = ts.readConfigFile(configPath, (p) => ts.sys.readFile(p));
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, join(configPath, '..'));
  const program = ts.createProgram(files, { ...parsed.options, noEmit: true });
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : undefined;
    const file = d.file ? d.file.fileName.replace(root, '') : '';
    return `${file}:${where ? where.line + 1 : '?'} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  });
}

describe('type tests', () => {
  it('the public API rejects wrong arguments, keyFns and targets at compile time', () => {
    // Every @ts-expect-error in the fixture must be needed (an unused one is itself an error).
    expect(diagnostics([join(root, 'test/types/public-api.ts')])).toEqual([]);
  });

  it('the harness does report a type error (negative control)', () => {
    const dir = mkdtempSync(join(root, 'test/types/.tmp-'));
    try {
      const file = join(dir, 'wrong.ts');
      writeFileSync(
        file,
        `import { invalidateCache, AsyncLRU } from '../../../lib/index.js';\n` +
          `class S { @AsyncLRU() async get(id: number): Promise<number> { return id; } }\n` +
          `void invalidateCache(new S().get, 'not a number');\n`,
      );
      const found = diagnostics([file]);
      expect(found).toHaveLength(1);
      expect(found[0]).toMatch(/not assignable to parameter of type 'number'/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
