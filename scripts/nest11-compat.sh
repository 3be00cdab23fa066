#!/usr/bin/env bash
# NestJS 11 compatibility check for memokit (NestJS 12 is what the repo develops
# against). In a temporary folder, never the repo's node_modules, it:
#   1. builds memokit (npm run build) and packs it (npm pack), as a user would get it;
#   2. installs @nestjs/{common,core,testing,platform-express}@11, rxjs, reflect-metadata
#      and that tarball into a throwaway project;
#   3. runs the repo's NestJS e2e suite (test/nest, copied with lib/ and nest-module/)
#      with that project's node_modules resolved first, so every @nestjs/* import is
#      Nest 11 (CommonJS); jest, ts-jest and supertest come from the repo;
#   4. runs the packed package from consumers: a CommonJS app (require('memokit'),
#      require('memokit/nest')), an ES module import, and a TypeScript type check of
#      the published .d.ts files against Nest 11's types.
# Prints every command it runs; exits non-zero on the first failure.
#
# Usage: scripts/nest11-compat.sh            (KEEP_NEST11_DIR=1 keeps the temp folder)
# Needs: node >= 20.19, npm, the repo's devDependencies installed, the npm registry.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/memokit-nest11.XXXXXX")"
nest_range="${NEST11_RANGE:-^11.0.0}"

say() { printf '\nnest11-compat: %s\n' "$*"; }
run() {
  printf '+ %s\n' "$*"
  "$@"
}
cleanup() {
  local status=$?
  if [ -n "${KEEP_NEST11_DIR:-}" ]; then say "kept $work"; else rm -rf "$work"; fi
  if [ "$status" -ne 0 ]; then say "FAILED (exit $status)"; fi
}
trap cleanup EXIT

say "repo: $repo"
say "work folder: $work"
run node --version

say "1. build and pack memokit"
cd "$repo"
run npm run build --silent
tarball_name="$(npm pack --silent --pack-destination "$work" | tail -n 1)"
tarball="$work/$tarball_name"
printf '+ npm pack --pack-destination %s  ->  %s\n' "$work" "$tarball_name"
test -f "$tarball"

say "2. install NestJS ${nest_range} and the packed memokit into a throwaway project"
app="$work/app"
mkdir -p "$app"
cat >"$app/package.json" <<'JSON'
{ "name": "memokit-nest11-compat", "private": true, "type": "module" }
JSON
cd "$app"
run npm install --no-audit --no-fund --loglevel=error \
  "@nestjs/common@${nest_range}" "@nestjs/core@${nest_range}" \
  "@nestjs/testing@${nest_range}" "@nestjs/platform-express@${nest_range}" \
  "rxjs@^7.8.0" "reflect-metadata@^0.2.0" "$tarball"
nest_version="$(node -p "require('@nestjs/core/package.json').version")"
say "installed @nestjs/core ${nest_version}"
case "$nest_version" in
  11.*) ;;
  *)
    echo "expected @nestjs/core 11.x in $app, got $nest_version" >&2
    exit 1
    ;;
esac

say "3. the NestJS e2e suite against Nest ${nest_version}"
mkdir -p "$app/test"
run cp -R "$repo/lib" "$repo/nest-module" "$app/"
run cp -R "$repo/test/nest" "$app/test/nest"
run cp "$repo/tsconfig.base.json" "$app/tsconfig.base.json"
cat >"$app/tsconfig.json" <<'JSON'
{ "extends": "./tsconfig.base.json", "compilerOptions": { "noEmit": true, "types": [] }, "include": ["lib", "nest-module", "test"] }
JSON
cat >"$app/jest.config.json" <<JSON
{
  "rootDir": "$app",
  "roots": ["<rootDir>/test/nest"],
  "testMatch": ["**/*.test.ts"],
  "testEnvironment": "node",
  "extensionsToTreatAsEsm": [".ts"],
  "moduleNameMapper": { "^(\\\\.{1,2}/.*)\\\\.js\$": "\$1" },
  "modulePaths": ["$repo/node_modules"],
  "transform": { "^.+\\\\.ts\$": ["$repo/node_modules/ts-jest", { "useESM": true, "tsconfig": "<rootDir>/tsconfig.json" }] },
  "testTimeout": 30000
}
JSON
# cjs-require.test.ts packs the repo's sources itself; step 4 runs its consumer on the real tarball instead.
run node --experimental-vm-modules "$repo/node_modules/jest/bin/jest.js" --config "$app/jest.config.json" --ci \
  --testPathIgnorePatterns cjs-require

say "4. consumers of the packed package on Nest ${nest_version}"
run cp "$repo/test/nest/fixtures/cjs-consumer.cjs" "$app/consumer.cjs"
run node "$app/consumer.cjs"
cat >"$app/consumer.mjs" <<'JS'
import assert from 'node:assert/strict';
import { AsyncLRU, invalidateCache } from 'memokit';
import { CacheModule, CacheService, CacheModuleOptions } from 'memokit/nest';
assert.equal(typeof AsyncLRU, 'function');
assert.equal(typeof invalidateCache, 'function');
assert.equal(typeof CacheModule.forRootAsync({ useFactory: () => ({}) }).module, 'function');
assert.equal(typeof CacheService, 'function');
assert.equal(CacheModuleOptions, 'MEMOKIT_MODULE_OPTIONS');
console.log('ESM import of memokit and memokit/nest: ok');
JS
run node "$app/consumer.mjs"
cat >"$app/typecheck.ts" <<'TS'
import 'reflect-metadata';
import { Injectable, Module } from '@nestjs/common';
import { AsyncLRU } from 'memokit';
import { CacheModule, CacheService, type CacheModuleOptions } from 'memokit/nest';

@Injectable()
class Users {
  @AsyncLRU({ maxSize: 10 })
  async get(id: number): Promise<{ id: number }> {
    return { id };
  }
}

@Injectable()
class Config {
  readonly url = 'memory://?max=100';
}

@Module({
  imports: [
    CacheModule.forRootAsync({
      extraProviders: [Config],
      inject: [Config],
      useFactory: (config: Config): CacheModuleOptions => ({ stores: { main: config.url }, defaultStore: 'main' }),
      isGlobal: true,
    }),
  ],
  providers: [Users],
})
export class AppModule {}

export async function evict(cache: CacheService, users: Users): Promise<boolean> {
  // @ts-expect-error: get takes a number
  await cache.invalidateCache(users.get, 'one');
  return cache.invalidateCache(users.get, 1);
}
TS
cat >"$app/tsconfig.check.json" <<'JSON'
{
  "compilerOptions": {
    "target": "ES2022", "module": "NodeNext", "moduleResolution": "NodeNext", "strict": true,
    "experimentalDecorators": true, "emitDecoratorMetadata": true, "skipLibCheck": true,
    "noEmit": true, "types": []
  },
  "files": ["typecheck.ts"]
}
JSON
run node "$repo/node_modules/typescript/bin/tsc" -p "$app/tsconfig.check.json"
echo "type check of the published .d.ts against @nestjs/* ${nest_version}: ok"

say "OK: memokit works with NestJS ${nest_version}"
