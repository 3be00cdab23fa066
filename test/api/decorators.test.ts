import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import { SetMetadata } from '@nestjs/common';
import { AsyncLRU, AsyncTTL, listCachedMethods, MemokitError, UnknownStoreError } from '../../lib/index.js';

const ROLES = 'roles';

describe('decorators (legacy, as NestJS uses them)', () => {
  it('keeps reflect-metadata set below and above the cache decorator', () => {
    class Admin {
      @SetMetadata('above', 'yes')
      @AsyncLRU()
      @SetMetadata(ROLES, ['admin'])
      async list(): Promise<string[]> {
        return [];
      }
    }
    const method = Admin.prototype.list;
    expect(Reflect.getMetadata(ROLES, method)).toEqual(['admin']);
    expect(Reflect.getMetadata('above', method)).toBe('yes');
  });

  it('keeps design-time type metadata on the prototype (emitDecoratorMetadata)', () => {
    class Repo {
      @AsyncTTL({ ttl: '1m' })
      async find(_id: number, _name: string): Promise<boolean> {
        return true;
      }
    }
    expect(Reflect.getMetadata('design:paramtypes', Repo.prototype, 'find')).toEqual([Number, String]);
    expect(Reflect.getMetadata('design:returntype', Repo.prototype, 'find')).toBe(Promise);
  });

  it('keeps the method name and length', () => {
    class Repo {
      @AsyncLRU()
      async findUser(_id: number, _withPosts: boolean): Promise<null> {
        return null;
      }
    }
    expect(Repo.prototype.findUser.name).toBe('findUser');
    expect(Repo.prototype.findUser.length).toBe(2);
  });

  it('caches static methods under the class name', async () => {
    let calls = 0;
    class StaticLookup {
      @AsyncLRU()
      static async lookup(code: string): Promise<string> {
        calls++;
        return code.toUpperCase();
      }
    }
    expect(await StaticLookup.lookup('ab')).toBe('AB');
    expect(await StaticLookup.lookup('ab')).toBe('AB');
    expect(calls).toBe(1);
    expect(listCachedMethods().map((m) => m.id)).toContain('StaticLookup.lookup');
  });

  it('registers each decorated method once, listable with kind, limits and stats', async () => {
    class Inventory {
      @AsyncLRU({ maxSize: 10 })
      async count(_sku: string): Promise<number> {
        return 3;
      }
      @AsyncTTL({ ttl: '5m' })
      async price(_sku: string): Promise<number> {
        return 9;
      }
    }
    await new Inventory().count('a');
    await new Inventory().count('a');
    const rows = listCachedMethods().filter((m) => m.className === 'Inventory');
    expect(rows.map((r) => [r.id, r.kind, r.maxSize, r.ttl])).toEqual([
      ['Inventory.count', 'lru', 10, undefined],
      ['Inventory.price', 'ttl', 1024, 300_000],
    ]);
    expect(rows[0]?.stats).toMatchObject({ hits: 1, misses: 1, hitRate: 0.5 });
  });

  it('gives a second class with the same name its own entries', async () => {
    const make = (tag: string) => {
      class Dup {
        @AsyncLRU()
        async get(): Promise<string> {
          return tag;
        }
      }
      return new Dup();
    };
    const a = make('a');
    const b = make('b');
    expect(await a.get()).toBe('a');
    expect(await b.get()).toBe('b');
    const ids = listCachedMethods()
      .filter((m) => m.className === 'Dup')
      .map((m) => m.id);
    expect(ids).toEqual(['Dup.get', 'Dup.get#2']);
  });
});

describe('decorators: errors at decoration time', () => {
  const decorate = (fn: () => unknown) => () => fn();

  it('rejects a getter', () => {
    expect(
      decorate(() => {
        class Bad {
          // @ts-expect-error a getter is not a method returning a promise
          @AsyncLRU()
          get value(): Promise<number> {
            return Promise.resolve(1);
          }
        }
        return Bad;
      }),
    ).toThrow(/@AsyncLRU can only decorate a method .* Bad\.value is a getter\/setter/);
  });

  it('rejects a field', () => {
    expect(
      decorate(() => {
        class Bad {
          // @ts-expect-error a field is not a method
          @AsyncTTL()
          handler = async (): Promise<number> => 1;
        }
        return Bad;
      }),
    ).toThrow(/@AsyncTTL can only decorate a method .* Bad\.handler is a field/);
  });

  it.each([
    [0, /"ttl" must be a positive duration.*got 0/],
    [-5, /"ttl" must be a positive duration.*got -5/],
    [Number.NaN, /"ttl" must be a positive duration.*got NaN/],
    ['0s', /"ttl" must be a positive duration.*got "0s"/],
    ['soon', /"ttl" must be a positive duration.*got "soon"/],
  ])('rejects ttl %p with a TypeError naming Class.method', (ttl, message) => {
    const attempt = () => {
      class Sessions {
        @AsyncTTL({ ttl: ttl as '1s' })
        async get(): Promise<number> {
          return 1;
        }
      }
      return Sessions;
    };
    expect(attempt).toThrow(TypeError);
    expect(attempt).toThrow(message);
    expect(attempt).toThrow(/@AsyncTTL on Sessions\.get/);
  });

  it('accepts durations with units', () => {
    const ttls = ['250ms', '30s', '5m', '1h', '1d', '1.5s', 1500] as const;
    const rows = ttls.map((ttl) => {
      class Units {
        @AsyncTTL({ ttl })
        async get(): Promise<number> {
          return 1;
        }
      }
      void Units;
      return listCachedMethods().at(-1)?.ttl;
    });
    expect(rows).toEqual([250, 30_000, 300_000, 3_600_000, 86_400_000, 1_500, 1_500]);
  });

  it.each([
    [{ maxSize: 0 }, /"maxSize" must be a positive integer; got 0/],
    [{ maxSize: 1.5 }, /"maxSize" must be a positive integer; got 1.5/],
    [{ skipArgs: -1 }, /"skipArgs" must be a non-negative integer; got -1/],
    [{ ttl: '1s' }, /unknown option "ttl". Known options: .*maxSize/],
    [{ skipArgs: 1, keyFn: () => 1 }, /"skipArgs" and "keyFn" exclude each other/],
    [{ keyFn: 'id' }, /"keyFn" must be a function/],
    [{ version: '' }, /"version" must be a non-empty string or a finite number/],
    [{ store: 42 }, /"store" must be a CacheStore instance or a store name/],
  ])('rejects @AsyncLRU(%p)', (options, message) => {
    const attempt = () => {
      class Opts {
        @AsyncLRU(options as never)
        async get(): Promise<number> {
          return 1;
        }
      }
      return Opts;
    };
    expect(attempt).toThrow(TypeError);
    expect(attempt).toThrow(message);
    expect(attempt).toThrow(/@AsyncLRU on Opts\.get/);
  });

  it('rejects two cache decorators on one method', () => {
    expect(() => {
      class Twice {
        @AsyncTTL()
        @AsyncLRU()
        async get(): Promise<number> {
          return 1;
        }
      }
      return Twice;
    }).toThrow(/Twice\.get is decorated twice/);
  });

  it('rejects a store name outside NestJS at call time, naming the method', async () => {
    class Named {
      @AsyncLRU({ store: 'redis' })
      async get(): Promise<number> {
        return 1;
      }
    }
    await expect(new Named().get()).rejects.toThrow(/Named\.get names the store "redis", but no CacheModule/);
    const error: unknown = await new Named().get().catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(UnknownStoreError);
    expect(error).toBeInstanceOf(MemokitError);
    expect([(error as UnknownStoreError).code, (error as UnknownStoreError).store]).toEqual([
      'E_UNKNOWN_STORE',
      'redis',
    ]);
  });
});
