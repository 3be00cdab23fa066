import { afterEach, describe, expect, it } from '@jest/globals';
import { AsyncLRU, configureMemokit, MemoryStore, withCacheOptions } from '../../lib/index.js';
import { DefaultsLockedError } from '../../lib/api/errors.js';
import { callContext, resetRuntime, useDefaultStore } from '../../lib/api/runtime.js';
import { MemokitError } from '../../lib/util/errors.js';

afterEach(() => resetRuntime());

describe('runtime: the process defaults', () => {
  it('gives unbound cached methods the configured default store', async () => {
    const store = new MemoryStore();
    configureMemokit({ defaultStore: store });
    class Users {
      @AsyncLRU()
      async get(id: number): Promise<number> {
        return id * 2;
      }
    }
    await expect(new Users().get(21)).resolves.toBe(42);
    expect(useDefaultStore('a test')).toBe(store);
  });

  it('names the first method that used the default store when configureMemokit comes too late', async () => {
    class Late {
      @AsyncLRU()
      async get(id: number): Promise<number> {
        return id;
      }
    }
    await new Late().get(1);
    expect(() => configureMemokit({})).toThrow(
      'configureMemokit() was called after Late.get already used the default store.',
    );
  });

  it('creates one MemoryStore on first use when nothing is configured', () => {
    const first = useDefaultStore('first user');
    expect(first).toBeInstanceOf(MemoryStore);
    expect(useDefaultStore('second user')).toBe(first);
  });

  it('refuses a second configureMemokit', () => {
    configureMemokit({});
    expect(() => configureMemokit({})).toThrow(
      'configureMemokit() was already called. The process defaults can be configured once, before the first cached call.',
    );
  });

  it('refuses configureMemokit after the default store was used, naming the first user', () => {
    useDefaultStore('Users.get');
    expect(() => configureMemokit({ defaultStore: new MemoryStore() })).toThrow(
      'configureMemokit() was called after Users.get already used the default store.',
    );
  });

  it('a configureMemokit that comes too late is a DefaultsLockedError (E_DEFAULTS_LOCKED)', () => {
    const thrown = (): unknown => {
      try {
        configureMemokit({});
      } catch (error) {
        return error;
      }
      return undefined;
    };
    configureMemokit({});
    const again = thrown();
    expect(again).toBeInstanceOf(DefaultsLockedError);
    expect(again).toBeInstanceOf(MemokitError);
    expect(again).not.toBeInstanceOf(TypeError);
    expect((again as DefaultsLockedError).code).toBe('E_DEFAULTS_LOCKED');
    expect(DefaultsLockedError.code).toBe('E_DEFAULTS_LOCKED');
    expect((again as DefaultsLockedError).name).toBe('DefaultsLockedError');
    resetRuntime();
    useDefaultStore('Users.get');
    expect(thrown()).toBeInstanceOf(DefaultsLockedError);
  });

  it('rejects options that are not an object, and unknown options', () => {
    expect(() => configureMemokit(null as never)).toThrow(TypeError);
    expect(() => configureMemokit(null as never)).toThrow('configureMemokit(): options must be an object or omitted');
    expect(() => configureMemokit({ store: new MemoryStore() } as never)).toThrow(
      'configureMemokit(): unknown option "store". Known options: defaultStore.',
    );
    // A rejected call configures nothing.
    expect(() => configureMemokit({})).not.toThrow();
  });

  it('resetRuntime forgets the defaults and any pending call options', () => {
    configureMemokit({});
    callContext.pending = { refresh: true };
    resetRuntime();
    expect(callContext.pending).toBeUndefined();
    expect(() => configureMemokit({})).not.toThrow();
  });

  it('withCacheOptions leaves no pending options behind', async () => {
    class Counter {
      runs = 0;
      @AsyncLRU()
      async next(): Promise<number> {
        return ++this.runs;
      }
    }
    const counter = new Counter();
    await counter.next();
    await expect(withCacheOptions({ refresh: true }, () => counter.next())).resolves.toBe(2);
    expect(callContext.pending).toBeUndefined();
  });
});
