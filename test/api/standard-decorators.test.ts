import { describe, expect, it, beforeAll } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const tsc = join(root, 'node_modules/typescript/bin/tsc');

describe('decorators (TC39 standard, experimentalDecorators off)', () => {
  let observed: Record<string, unknown>;

  beforeAll(() => {
    const compiled = spawnSync(process.execPath, [tsc, '-p', 'test/fixtures/standard/tsconfig.json'], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(compiled.stdout + compiled.stderr).toBe('');
    expect(compiled.status).toBe(0);
    const ran = spawnSync(process.execPath, ['test-output/standard/test/fixtures/standard/fixture.js'], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(ran.stderr).toBe('');
    observed = JSON.parse(ran.stdout) as Record<string, unknown>;
  }, 60_000);

  it('caches with single-flight, shared by instances', () => {
    expect(observed.invalidateBeforeAnyInstance).toBe(false);
    expect(observed.concurrentLoads).toBe(1);
    expect(observed.concurrentSameObject).toBe(true);
    expect(observed.secondInstanceShares).toBe(true);
  });

  it('invalidates, evicts and counts', () => {
    expect(observed.invalidated).toBe(true);
    expect(observed.reloaded).toBe(2);
    expect(observed.stats).toMatchObject({ misses: 4, hits: 1, inflightJoins: 49, size: 2, evictions: 1 });
  });

  it('keeps name and length, and registers the class name learned at construction', () => {
    expect(observed.name).toBe('product');
    expect(observed.length).toBe(1);
    expect([...(observed.ids as string[])].sort()).toEqual(['Catalog.lookup', 'Catalog.price', 'Catalog.product']);
  });

  it('expires @AsyncTTL entries on the injected clock', () => {
    // `catalog` ran product() 4 times before price()
    expect(observed.priceFirst).toBe('a@5');
    expect(observed.priceCached).toBe('a@5');
    expect(observed.priceExpired).toBe('a@6');
  });

  it('caches static methods', () => {
    expect(observed.staticLookups).toBe(1);
  });

  it('invalidates a same-class target referenced by a thunk', () => {
    expect(observed.depositResult).toBe('deposited');
    expect(observed.balanceAfterDeposit).toBe(102);
    expect(observed.depositName).toBe('deposit');
  });

  it('compiles and runs an invalidator whose keyFn is typed by a prefix of the mutation parameters', () => {
    expect(observed.withdrawResult).toBe('withdrawn');
    expect(observed.balanceAfterWithdraw).toBe(204); // 203 was cached before the withdraw
  });

  it('rejects getters, fields and bad options at decoration time', () => {
    expect(observed.getterError).toMatch(/^TypeError: @AsyncLRU can only decorate a method .*method value is a getter/);
    expect(observed.fieldError).toMatch(/^TypeError: @AsyncTTL can only decorate a method .*method handler is a field/);
    expect(observed.ttlError).toMatch(/^TypeError: @AsyncTTL on method get: option "ttl" must be a positive duration/);
  });
});
