/**
 * An invalidator without keyFn maps the mutation's leading arguments to the
 * target's, "as many as the target declares". The count is taken from
 * `target.length`, which is 0 for a method whose first parameter has a
 * default value or is a rest parameter. The invalidator then evicts the key of
 * a call with no arguments and the real entry stays: the next caller, arriving
 * after the mutation settled, is served the old value with no error anywhere.
 *
 * Acceptable outcomes: the entry is evicted, or the invalidator is refused
 * with a TypeError pointing to keyFn (at decoration time or on first use).
 */
import { describe, expect, it } from '@jest/globals';
import { AsyncLRU, LRUInvalidator, MemoryStore } from '../../lib/index.js';

interface Repo {
  get(id?: number): Promise<string | undefined>;
  update(id: number, value: string): Promise<void>;
}

/** Serves stale data, or fails loudly with a TypeError naming keyFn. */
async function expectFreshOrLoudError(define: () => Repo): Promise<void> {
  let repo: Repo;
  try {
    repo = define();
  } catch (error) {
    expect(error).toBeInstanceOf(TypeError);
    expect(String(error)).toMatch(/keyFn/);
    return;
  }
  expect(await repo.get(5)).toBe('old');
  try {
    await repo.update(5, 'new');
  } catch (error) {
    expect(error).toBeInstanceOf(TypeError);
    expect(String(error)).toMatch(/keyFn/);
    return;
  }
  // the mutation settled: a caller arriving now must not get the old value
  expect(await repo.get(5)).toBe('new');
}

describe('invalidator without keyFn: targets whose .length undercounts their parameters', () => {
  it('a target whose only parameter has a default value', async () => {
    await expectFreshOrLoudError(() => {
      const rows = new Map([[5, 'old']]);
      const store = new MemoryStore();
      class Users {
        @AsyncLRU({ store })
        async get(id = 1): Promise<string | undefined> {
          return rows.get(id);
        }

        @LRUInvalidator(() => Users.prototype.get)
        async update(id: number, value: string): Promise<void> {
          rows.set(id, value);
        }
      }
      return new Users();
    });
  });

  it('a target with a rest parameter', async () => {
    await expectFreshOrLoudError(() => {
      const rows = new Map([[5, 'old']]);
      const store = new MemoryStore();
      class Users {
        @AsyncLRU({ store })
        async get(...ids: number[]): Promise<string | undefined> {
          return rows.get(ids[0]!);
        }

        @LRUInvalidator(() => Users.prototype.get)
        async update(id: number, value: string): Promise<void> {
          rows.set(id, value);
        }
      }
      return new Users();
    });
  });

  it('(control) a target with a plain parameter is evicted', async () => {
    await expectFreshOrLoudError(() => {
      const rows = new Map([[5, 'old']]);
      const store = new MemoryStore();
      class Users {
        @AsyncLRU({ store })
        async get(id?: number): Promise<string | undefined> {
          return rows.get(id ?? 1);
        }

        @LRUInvalidator(() => Users.prototype.get)
        async update(id: number, value: string): Promise<void> {
          rows.set(id, value);
        }
      }
      return new Users();
    });
  });
});
