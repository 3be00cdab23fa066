#!/usr/bin/env bash
# Type check of the published package from a CommonJS NestJS 11 app, as many
# existing Nest apps are set up: "module": "commonjs" with the default module
# resolution (node10 under TypeScript 5), then node16 and nodenext.
# In a temporary folder, never the repo's node_modules, it:
#   1. builds memokit (npm run build) and packs it (npm pack), as a user gets it;
#   2. installs that tarball, @nestjs/{common,core}@11, rxjs, reflect-metadata,
#      @types/node and TypeScript 5 (what a Nest 11 app has) into a CommonJS
#      project WITHOUT ioredis (an optional peer);
#   3. compiles a small Nest app against memokit and memokit/nest (and a
#      store test against memokit/testing) with
#      skipLibCheck: false under each resolution, so every published .d.ts
#      file is checked and may not need ioredis' types;
#   4. installs ioredis and compiles code that passes ioredis clients and
#      options (Redis, Cluster, RedisOptions) to memokit, under each resolution.
# Prints every command it runs; exits non-zero on the first failure.
#
# Usage: scripts/consumer-types.sh     (KEEP_CONSUMER_DIR=1 keeps the temp folder;
#        MEMOKIT_TARBALL=<file.tgz> checks that tarball instead of building one)
# Needs: node >= 20.19, npm, the npm registry.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/memokit-consumer-types.XXXXXX")"
ts_range="${CONSUMER_TS_RANGE:-~5.9.0}"

say() { printf '\nconsumer-types: %s\n' "$*"; }
run() {
  printf '+ %s\n' "$*"
  "$@"
}
cleanup() {
  local status=$?
  if [ -n "${KEEP_CONSUMER_DIR:-}" ]; then say "kept $work"; else rm -rf "$work"; fi
  if [ "$status" -ne 0 ]; then say "FAILED (exit $status)"; fi
}
trap cleanup EXIT

say "work folder: $work"
if [ -n "${MEMOKIT_TARBALL:-}" ]; then
  tarball="$MEMOKIT_TARBALL"
else
  say "1. build and pack memokit"
  cd "$repo"
  run npm run build --silent
  tarball_name="$(npm pack --silent --pack-destination "$work" | tail -n 1)"
  tarball="$work/$tarball_name"
  printf '+ npm pack --pack-destination %s  ->  %s\n' "$work" "$tarball_name"
fi
test -f "$tarball"

say "2. a CommonJS project with NestJS 11 and TypeScript ${ts_range}, without ioredis"
app="$work/app"
mkdir -p "$app/src"
cat >"$app/package.json" <<'JSON'
{ "name": "memokit-cjs-consumer", "private": true }
JSON
cd "$app"
run npm install --no-audit --no-fund --loglevel=error \
  "@nestjs/common@^11.0.0" "@nestjs/core@^11.0.0" "rxjs@^7.8.0" "reflect-metadata@^0.2.0" \
  "@types/node@^22.0.0" "typescript@${ts_range}" "$tarball"
if [ -e node_modules/ioredis ]; then
  echo "ioredis is installed in $app: this step checks the types without it" >&2
  exit 1
fi

cat >"$app/src/app.ts" <<'TS'
import 'reflect-metadata';
import { Injectable, Module } from '@nestjs/common';
import { AsyncLRU, AsyncTTL, LRUInvalidator, MemoryStore, createStore, type CacheStore } from 'memokit';
import { RedisStore, type RedisStoreOptions } from 'memokit/redis';
import { TieredStore } from 'memokit/tiered';
import { CacheModule, CacheService, type CacheModuleOptions } from 'memokit/nest';

@Injectable()
export class Users {
  @AsyncLRU({ maxSize: 10 })
  async get(id: number): Promise<{ id: number }> {
    return { id };
  }

  @AsyncTTL({ ttl: '30s' })
  async search(term: string): Promise<string[]> {
    return [term];
  }

  @LRUInvalidator(() => Users.prototype.get)
  async rename(id: number, name: string): Promise<string> {
    return `${id}:${name}`;
  }
}

export const options: CacheModuleOptions = {
  stores: { main: 'memory://?max=100', shared: 'redis://127.0.0.1:6379/0?prefix=app' },
  defaultStore: 'main',
};

export const redisOptions: RedisStoreOptions = {
  redis: { host: '127.0.0.1', port: 6379, connectionName: 'api', keepAlive: 1000 },
  prefix: 'app',
};

export function stores(): CacheStore[] {
  return [new MemoryStore({ max: 10 }), createStore('null://'), new TieredStore({ redis: 'redis://127.0.0.1:6379' })];
}

export const clientDefaults = RedisStore.clientOptions(100);

@Module({ imports: [CacheModule.forRoot({ ...options, isGlobal: true })], providers: [Users] })
export class AppModule {}

export async function evict(cache: CacheService, users: Users): Promise<boolean> {
  // @ts-expect-error: get takes a number
  await cache.invalidateCache(users.get, 'one');
  return cache.invalidateCache(users.get, 1);
}
TS

cat >"$app/src/store-test.ts" <<'TS'
import { MemoryStore } from 'memokit';
import { registerStoreContract, STORE_CAPABILITIES, type TestableStore, type TestRunner } from 'memokit/testing';

// A test file of a custom store, with the runner's functions (jest, vitest or node:test).
declare const runner: TestRunner;

export const memory: TestableStore = new MemoryStore();
registerStoreContract({ name: 'memory', runner, create: () => ({ store: new MemoryStore() }), capabilities: STORE_CAPABILITIES });
// @ts-expect-error: an unknown capability
registerStoreContract({ name: 'x', runner, create: () => ({ store: memory }), capabilities: ['hass'] });
TS

cat >"$app/src/with-ioredis.ts" <<'TS'
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { RedisStore, type RedisClient } from 'memokit/redis';
import { RedisBus } from 'memokit/tiered';

declare const fromConfig: RedisOptions;

const client: RedisClient = new Redis('redis://127.0.0.1:6379', RedisStore.clientOptions());
const cluster = new Cluster([{ host: '127.0.0.1', port: 7000 }], RedisStore.clusterOptions());
const withName = new Redis('redis://127.0.0.1:6379', { ...RedisStore.clientOptions(), connectionName: 'api' });

export const made = [
  new RedisStore({ client, prefix: 'a' }),
  new RedisStore({ client: cluster, prefix: 'b' }),
  new RedisStore({ client: withName, prefix: 'c' }),
  new RedisStore({ redis: fromConfig, prefix: 'd' }),
  new RedisStore({ url: 'redis://127.0.0.1:6379', redis: { ...fromConfig, enableAutoPipelining: true } }),
  new RedisBus({ url: 'redis://127.0.0.1:6379', redis: fromConfig }),
];

// @ts-expect-error: a port is a number
export const wrong = new RedisStore({ redis: { port: '6379' } });
TS

# Settings of a CommonJS Nest app (the Nest CLI's starter), with the library's .d.ts files checked.
tsconfig() {
  local name="$1" module="$2" resolution="$3" files="$4"
  local resolution_line=""
  if [ -n "$resolution" ]; then resolution_line="\"moduleResolution\": \"$resolution\","; fi
  cat >"$app/tsconfig.$name.json" <<JSON
{
  "compilerOptions": {
    "module": "$module",
    $resolution_line
    "target": "ES2021",
    "declaration": true,
    "removeComments": true,
    "emitDecoratorMetadata": true,
    "experimentalDecorators": true,
    "allowSyntheticDefaultImports": true,
    "esModuleInterop": true,
    "strict": true,
    "skipLibCheck": false,
    "noEmit": true
  },
  "files": [$files]
}
JSON
}

check_all() {
  local label="$1" files="$2"
  tsconfig commonjs commonjs "" "$files"
  tsconfig node16 node16 node16 "$files"
  tsconfig nodenext nodenext nodenext "$files"
  for variant in commonjs node16 nodenext; do
    say "${label}: tsc -p tsconfig.${variant}.json"
    run node "$app/node_modules/typescript/bin/tsc" -p "$app/tsconfig.${variant}.json" --listFiles >"$app/files.txt" ||
      {
        cat "$app/files.txt"
        exit 1
      }
    # The check is only worth something if the published declarations were read.
    grep -Eq 'node_modules/memokit/dist/(types-cjs/)?lib/index\.d\.ts$' "$app/files.txt"
    grep -Eq 'node_modules/memokit/dist/(types-cjs/)?nest-module/index\.d\.ts$' "$app/files.txt"
    grep -Eq 'node_modules/memokit/dist/(types-cjs/)?lib/testing/index\.d\.ts$' "$app/files.txt"
  done
}

say "3. compile the Nest app against the packed memokit (no ioredis installed)"
run node "$app/node_modules/typescript/bin/tsc" --version
check_all "without ioredis" '"src/app.ts", "src/store-test.ts"'

say "4. with ioredis installed: ioredis clients and options fit memokit's types"
run npm install --no-audit --no-fund --loglevel=error "ioredis@^5.4.0"
check_all "with ioredis" '"src/app.ts", "src/store-test.ts", "src/with-ioredis.ts"'

say "OK: memokit's published types compile in a CommonJS Nest 11 app (commonjs, node16, nodenext; skipLibCheck false)"
