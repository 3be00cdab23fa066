/**
 * The contract suite itself (lib/testing, `memokit/testing`): which tests it
 * registers for which capabilities, that it fails stores that break the
 * contract (negative controls: a suite that passes everything proves
 * nothing), and that it runs under `node:test` as well as jest.
 */
import { describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import {
  registerStoreContract,
  STORE_CAPABILITIES,
  type StoreCapability,
  type StoreContractOptions,
  type TestRunner,
} from '../../lib/testing/index.js';
import { repoRoot, transpileInto } from '../helpers/transpile.js';
import { MapStore } from './map-store.js';

const run = promisify(execFile);

interface Recorded {
  readonly title: string;
  readonly tests: Map<string, () => Promise<void>>;
  /** Runs one test with its hooks, as a runner would; rejects when it fails. */
  readonly run: (name: string) => Promise<void>;
}

/** A runner that records what the suite registers, to run the tests by hand. */
function record(options: Omit<StoreContractOptions, 'runner'>): Recorded {
  let title = '';
  const tests = new Map<string, () => Promise<void>>();
  const before: (() => Promise<void>)[] = [];
  const after: (() => Promise<void>)[] = [];
  const runner: TestRunner = {
    describe: (name, body) => {
      title = name;
      body();
    },
    it: (name, body) => tests.set(name, body),
    beforeEach: (hook) => before.push(hook),
    afterEach: (hook) => after.push(hook),
  };
  registerStoreContract({ ...options, runner });
  return {
    title,
    tests,
    run: async (name) => {
      const body = tests.get(name);
      if (body === undefined) throw new Error(`no test named ${name}`);
      for (const hook of before) await hook();
      try {
        await body();
      } finally {
        for (const hook of after) await hook();
      }
    },
  };
}

/** A MapStore on a clock the suite moves. */
const mapSubject = (store: (now: () => number) => MapStore = (now) => new MapStore(now)) => {
  let now = 0;
  return { store: store(() => now), advance: (ms: number) => void (now += ms) };
};

const SMALL_CONTRACT = [
  'has the members of every capability it claims',
  'rejects empty namespace names with a TypeError naming the option',
  'misses keys that were never set',
  'gets what was set, by key type: 1 and "1" are different keys',
  'replaces the value on a second set',
  'treats stored undefined, null and other falsy values as hits',
  'deletes one key and says whether it existed',
  'clears its own entries, and nothing in other namespaces',
  'keeps namespaces apart: same key, nested paths, names with slashes',
  'gets many keys in order, with undefined for misses',
  'sets and gets many keys at once, beyond any internal batch size',
  'expires entries after their ttl',
  'expires setMany entries with the given ttl',
];

describe('registerStoreContract', () => {
  it('registers the small contract alone for a store that claims nothing, under one describe', () => {
    const suite = record({ name: 'map', create: () => mapSubject() });
    expect(suite.title).toBe('store contract: map');
    expect([...suite.tests.keys()]).toEqual(SMALL_CONTRACT);
  });

  it('registers the tests of each claimed capability, and those of two only when both are claimed', () => {
    const names = (capabilities: readonly StoreCapability[]): string[] => [
      ...record({ name: 'map', create: () => mapSubject(), capabilities }).tests.keys(),
    ];
    const withExpireIn = names(['expireIn']);
    expect(withExpireIn).toContain('expireIn(key, undefined) makes an entry permanent');
    expect(withExpireIn).not.toContain('expireIn on a stale entry is false; on a fresh one it drops the stale window');
    expect(names(['expireIn', 'failSafe'])).toContain(
      'expireIn on a stale entry is false; on a fresh one it drops the stale window',
    );
    expect(names(['tags'])).toContain(
      'invalidateTags makes every entry with one of the tags unreachable, in every namespace',
    );
    expect(names(STORE_CAPABILITIES).length).toBe(27);
    // A store that keeps nothing: no retention tests; value checks only when asked for.
    const forgetful = [...record({ name: 'x', create: () => mapSubject(), retains: false }).tests.keys()];
    expect(forgetful).toEqual([
      'has the members of every capability it claims',
      'rejects empty namespace names with a TypeError naming the option',
      'misses on every read, even right after a write',
      'accepts writes without keeping them',
    ]);
  });

  it('rejects an unknown capability with a TypeError naming the option and the value', () => {
    expect(() =>
      record({ name: 'map', create: () => mapSubject(), capabilities: ['hass' as StoreCapability] }),
    ).toThrow(/option "capabilities" has an unknown capability "hass"/);
  });

  it('passes a store that meets the contract (the MapStore of docs/stores.md)', async () => {
    const suite = record({ name: 'map', create: () => mapSubject() });
    for (const name of suite.tests.keys()) await suite.run(name);
  });

  it('fails a store that claims a capability without its method', async () => {
    const suite = record({ name: 'map', create: () => mapSubject(), capabilities: ['has', 'stats'] });
    await expect(suite.run('has the members of every capability it claims')).rejects.toThrow(
      /claimed capabilities without their members/,
    );
    await expect(suite.run('misses keys that were never set')).rejects.toThrow(/needs has\(\)/);
  });

  describe('fails stores that break the contract', () => {
    /** The tests that fail for the store `broken` makes. */
    const failing = async (broken: (now: () => number) => MapStore): Promise<string[]> => {
      const suite = record({ name: 'broken', create: () => mapSubject(broken) });
      const failed: string[] = [];
      for (const name of suite.tests.keys()) {
        await suite.run(name).catch(() => failed.push(name));
      }
      return failed;
    };

    it('a delete that always says it removed something', async () => {
      class AlwaysDeleted extends MapStore {
        override async delete(key: string | number): Promise<boolean> {
          await super.delete(key);
          return true;
        }
      }
      expect(await failing((now) => new AlwaysDeleted(now))).toEqual(['deletes one key and says whether it existed']);
    });

    it('a store that ignores TTLs', async () => {
      class Forever extends MapStore {
        override set(key: string | number, value: unknown): Promise<void> {
          return super.set(key, value);
        }
      }
      expect(await failing((now) => new Forever(now))).toEqual([
        'expires entries after their ttl',
        'expires setMany entries with the given ttl',
      ]);
    });

    it('a store whose namespaces share one map', async () => {
      class Flat extends MapStore {
        override namespace(name: string): MapStore {
          super.namespace(name);
          return this;
        }
      }
      expect(await failing((now) => new Flat(now))).toEqual([
        'clears its own entries, and nothing in other namespaces',
        'keeps namespaces apart: same key, nested paths, names with slashes',
      ]);
    });

    it('a store that loses falsy values', async () => {
      class Truthy extends MapStore {
        override async get(key: string | number) {
          const entry = await super.get(key);
          return entry?.value ? entry : undefined;
        }
      }
      expect(await failing((now) => new Truthy(now))).toEqual([
        'treats stored undefined, null and other falsy values as hits',
        // They store 0 too.
        'clears its own entries, and nothing in other namespaces',
        'sets and gets many keys at once, beyond any internal batch size',
      ]);
    });
  });

  it('runs under node:test: every test of the memory store passes, and a broken store fails', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'memokit-node-test-'));
    try {
      // lib/ as ES modules (the contract suite and the memory store), lru-cache from the repository.
      for (const entry of readdirSync(join(repoRoot, 'lib'), { recursive: true, withFileTypes: true })) {
        if (entry.isFile() && entry.name.endsWith('.ts')) {
          transpileInto(dir, relative(repoRoot, join(entry.parentPath, entry.name)));
        }
      }
      transpileInto(dir, 'test/testing/map-store.ts');
      symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'), 'dir');
      writeFileSync(
        join(dir, 'contract.test.mjs'),
        `import { afterEach, beforeEach, describe, it } from 'node:test';
import { registerStoreContract, STORE_CAPABILITIES } from './lib/testing/index.js';
import { MemoryStore } from './lib/stores/memory/memory-store.js';
import { MapStore } from './test/testing/map-store.js';

const clocked = (make) => () => {
  let now = 0;
  return { store: make(() => now), advance: (ms) => void (now += ms) };
};
registerStoreContract({
  name: 'memory',
  runner: { describe, it, beforeEach, afterEach },
  create: clocked((now) => new MemoryStore({ clock: { now }, max: 10_000 })),
  capabilities: STORE_CAPABILITIES,
});
if (process.env.BROKEN === '1') {
  class AlwaysDeleted extends MapStore {
    async delete(key) {
      await super.delete(key);
      return true;
    }
  }
  registerStoreContract({
    name: 'broken',
    runner: { describe, it, beforeEach, afterEach },
    create: clocked((now) => new AlwaysDeleted(now)),
  });
}
`,
      );
      const { NODE_OPTIONS: _nodeOptions, ...env } = process.env;
      const args = ['--test-reporter=tap', 'contract.test.mjs'];
      const passing = await run(process.execPath, args, { cwd: dir, env });
      expect(passing.stdout).toMatch(/^# pass 27$/m);
      expect(passing.stdout).toMatch(/^# fail 0$/m);
      const failing = await run(process.execPath, args, { cwd: dir, env: { ...env, BROKEN: '1' } }).then(
        () => undefined,
        (error: { code?: number; stdout?: string }) => error,
      );
      expect(failing?.code).toBe(1);
      expect(failing?.stdout).toMatch(/^# fail 1$/m);
      expect(failing?.stdout).toMatch(/not ok \d+ - deletes one key and says whether it existed/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
