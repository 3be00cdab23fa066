// Writes dist/types-cjs/: the build's declaration files (dist/lib, dist/nest-module)
// again, in a folder whose package.json says "type": "commonjs".
//
// Why: memokit is ES modules, which CommonJS code loads with require() on
// Node >= 20.19. TypeScript's `moduleResolution: node16` still models Node 16,
// where that is an error (TS1479), unless the declarations a `require`
// resolves to are CommonJS-format. The exports map sends the "require"
// condition here; the declarations are the same, so the types do not change.
// Run by `npm run build`, after tsc. Usage: node scripts/cjs-types.mjs [dist folder]
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..', 'dist'));
const out = join(dist, 'types-cjs');

rmSync(out, { recursive: true, force: true });
let count = 0;
for (const folder of ['lib', 'nest-module']) {
  for (const entry of readdirSync(join(dist, folder), { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.d.ts')) continue;
    const source = join(entry.parentPath, entry.name);
    const target = join(out, relative(dist, source));
    mkdirSync(dirname(target), { recursive: true });
    // The declaration maps stay next to the ES-module declarations: drop the link to them.
    const text = readFileSync(source, 'utf8').replace(/^\/\/# sourceMappingURL=.*$/m, '');
    writeFileSync(target, text);
    count++;
  }
}
writeFileSync(join(out, 'package.json'), `${JSON.stringify({ type: 'commonjs' }, null, 2)}\n`);
console.log(`cjs-types: ${count} declaration files in ${relative(process.cwd(), out) || out}`);
