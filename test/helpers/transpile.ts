import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/** The repository root. */
export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Transpiles one TypeScript file of the repository (path relative to its
 * root) to ESM JavaScript under `out`, at the same relative path: how suites
 * run lib/ and their fixtures in child processes without a build.
 */
export function transpileInto(out: string, relative: string): void {
  const source = readFileSync(join(repoRoot, relative), 'utf8');
  const { outputText } = ts.transpileModule(source, {
    fileName: relative,
    compilerOptions: {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      experimentalDecorators: true,
      useDefineForClassFields: true,
    },
  });
  const target = join(out, relative.replace(/\.ts$/, '.js'));
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, outputText);
}
