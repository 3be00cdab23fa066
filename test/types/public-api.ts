// Compiled by test/types.test.ts: every @ts-expect-error must be needed, and nothing else may fail.
import { expectTypeOf } from 'expect-type';
import {
  AsyncLRU,
  LRUUpdater,
  TTLUpdater,
  AsyncTTL,
  Cache,
  cacheStats,
  clearCache,
  invalidateCache,
  LRUInvalidator,
  TTLInvalidator,
  withCacheOptions,
  adviseCache,
  type CacheAdvice,
  type MethodStats,
} from '../../lib/index.js';

interface User {
  id: number;
  name: string;
}

export class UserService {
  @AsyncLRU()
  async getUser(id: number): Promise<User> {
    return { id, name: 'x' };
  }

  @AsyncTTL({ ttl: '30s' })
  async search(term: string, page?: number): Promise<User[]> {
    return [{ id: page ?? 0, name: term }];
  }

  @AsyncLRU({ keyFn: ([user]: [User]) => [user.id] })
  async profile(user: User): Promise<string> {
    return user.name;
  }

  @AsyncTTL({ shouldCache: (value: User | null) => value !== null })
  async maybe(_id: number): Promise<User | null> {
    return null;
  }

  @AsyncLRU({ keyFn: ([id]: [number], self: UserService | undefined) => [self?.constructor.name, id] })
  async withSelf(id: number): Promise<number> {
    return id;
  }
}

const svc = new UserService();

// invalidateCache is typed by the method's parameters
void invalidateCache(svc.getUser, 42);
void invalidateCache(svc.search, 'ada');
void invalidateCache(svc.search, 'ada', 2);
// @ts-expect-error wrong argument type
void invalidateCache(svc.getUser, '42');
// @ts-expect-error missing argument
void invalidateCache(svc.getUser);
// @ts-expect-error too many arguments
void invalidateCache(svc.getUser, 1, 2);
// @ts-expect-error a method that does not return a promise
void invalidateCache((x: number) => x, 1);
expectTypeOf(invalidateCache(svc.getUser, 1)).toEqualTypeOf<Promise<boolean>>();

void clearCache(svc.getUser);
// @ts-expect-error not an async function
void clearCache(() => 1);
expectTypeOf(cacheStats(svc.getUser)).toEqualTypeOf<MethodStats>();

// withCacheOptions keeps the call's type
expectTypeOf(withCacheOptions({ useCache: false }, () => svc.getUser(1))).toEqualTypeOf<Promise<User>>();
expectTypeOf(withCacheOptions({ refresh: true }, () => svc.search('a'))).toEqualTypeOf<Promise<User[]>>();
// @ts-expect-error unknown call option
void withCacheOptions({ useCach: false }, () => svc.getUser(1));
// @ts-expect-error options must be booleans
void withCacheOptions({ useCache: 'no' }, () => svc.getUser(1));

const functionKey =
  ([id]: [number]) =>
  () =>
    id;

export class Mistakes {
  // @ts-expect-error keyFn's parameters do not match the method's
  @AsyncLRU({ keyFn: ([id]: [number]) => id })
  async byName(name: string): Promise<string> {
    return name;
  }

  // @ts-expect-error keyFn must return an encodable key, not a function
  @AsyncLRU({ keyFn: functionKey })
  async fnKey(id: number): Promise<number> {
    return id;
  }

  // @ts-expect-error skipArgs and keyFn exclude each other
  @AsyncLRU({ skipArgs: 1, keyFn: ([id]: [number]) => id })
  async both(id: number): Promise<number> {
    return id;
  }

  // @ts-expect-error the method must return a promise
  @AsyncLRU()
  sync(id: number): number {
    return id;
  }

  // @ts-expect-error malformed duration
  @AsyncTTL({ ttl: '5 minutes' })
  async badTtl(): Promise<number> {
    return 1;
  }

  // @ts-expect-error ttl is not an @AsyncLRU option
  @AsyncLRU({ ttl: '1m' })
  async lruTtl(): Promise<number> {
    return 1;
  }

  // @ts-expect-error shouldCache's value type does not match the method's result
  @AsyncTTL({ shouldCache: (value: string) => value !== '' })
  async wrongValue(): Promise<number> {
    return 1;
  }
}

// ---- invalidators ----
export class Orders {
  @AsyncLRU()
  async getOrder(id: number): Promise<string> {
    return String(id);
  }

  @AsyncTTL({ ttl: '1m' })
  async getTotals(customer: string, month: number): Promise<number> {
    return customer.length + month;
  }

  // leading arguments match the target's: accepted
  @LRUInvalidator(() => Orders.prototype.getOrder)
  async cancel(_id: number, _reason: string): Promise<void> {}

  // keyFn maps to the target's parameter tuple
  @TTLInvalidator(() => Orders.prototype.getTotals, {
    keyFn: ([order]: [{ customer: string; month: number }]) => [order.customer, order.month],
  })
  async addOrder(_order: { customer: string; month: number }): Promise<void> {}

  @LRUInvalidator(() => Orders.prototype.getOrder, { clearAll: true })
  async reindex(): Promise<void> {}

  // direct reference (the class is defined by the time legacy decorators run)
  @LRUInvalidator(UserService.prototype.getUser)
  async touchUser(id: number): Promise<void> {
    void id;
  }

  // @ts-expect-error keyFn returns the wrong type for the target's parameters
  @LRUInvalidator(() => Orders.prototype.getOrder, { keyFn: ([id]: [number]) => [String(id)] })
  async wrongKeyType(_id: number): Promise<void> {}

  // @ts-expect-error keyFn returns too few arguments for the target
  @TTLInvalidator(() => Orders.prototype.getTotals, { keyFn: ([c]: [string]) => [c] })
  async tooFew(_c: string): Promise<void> {}

  // @ts-expect-error the target is not a cached (promise-returning) method
  @LRUInvalidator(() => Orders.prototype.syncHelper)
  async wrongTarget(_id: number): Promise<void> {}

  // @ts-expect-error a renamed or missing target is a compile error
  @LRUInvalidator(() => Orders.prototype.getOrderById)
  async renamed(_id: number): Promise<void> {}

  // @ts-expect-error skipArgs is not an invalidator option (use keyFn)
  @LRUInvalidator(() => Orders.prototype.getOrder, { skipArgs: 1 })
  async skipping(_ctx: unknown, _id: number): Promise<void> {}

  // @ts-expect-error the mutation's leading argument does not match the target's parameter
  @LRUInvalidator(() => Orders.prototype.getOrder)
  async byName(_name: string): Promise<void> {}

  // @ts-expect-error clearAll and keyFn exclude each other
  @LRUInvalidator(() => Orders.prototype.getOrder, { clearAll: true, keyFn: ([id]: [number]) => [id] })
  async both(_id: number): Promise<void> {}

  syncHelper(id: number): number {
    return id;
  }
}

// ---- invalidator keyFn typed by a prefix of the mutation's parameters ----
export class Members {
  @AsyncLRU()
  async getMember(id: number): Promise<string> {
    return String(id);
  }

  @AsyncTTL({ ttl: '1m' })
  async getTenantMember(tenant: string, id: number): Promise<string> {
    return `${tenant}/${id}`;
  }

  // keyFn reads the leading parameters it needs; the mutation has more
  @LRUInvalidator(() => Members.prototype.getMember, { keyFn: (args: [string, number]) => [args[1]] })
  async rename(_tenant: string, _id: number, _name: string): Promise<void> {}

  @TTLInvalidator(() => Members.prototype.getTenantMember, { keyFn: ([tenant, id]: [string, number]) => [tenant, id] })
  async move(_tenant: string, _id: number, _team: string, _at: Date): Promise<void> {}

  // the whole parameter list still works, and so does `self`
  @LRUInvalidator(() => Members.prototype.getMember, {
    keyFn: ([, id]: [string, number, string], self: Members | undefined) => [self === undefined ? id : id],
  })
  async relabel(_tenant: string, _id: number, _label: string): Promise<void> {}

  // @ts-expect-error keyFn's result does not fit the target's parameters (string, not number)
  @LRUInvalidator(() => Members.prototype.getMember, { keyFn: (args: [string, number]) => [args[0]] })
  async wrongResult(_tenant: string, _id: number, _name: string): Promise<void> {}

  // @ts-expect-error keyFn returns too few arguments for the target
  @TTLInvalidator(() => Members.prototype.getTenantMember, { keyFn: (args: [string, number]) => [args[0]] })
  async tooFewForTarget(_tenant: string, _id: number, _name: string): Promise<void> {}

  // @ts-expect-error keyFn's parameters are not a prefix of the mutation's (number, not string)
  @LRUInvalidator(() => Members.prototype.getMember, { keyFn: (args: [number, number]) => [args[1]] })
  async notAPrefix(_tenant: string, _id: number, _name: string): Promise<void> {}
}

// ---- manual Cache API ----
const manual = new Cache<string>();
// number keys keep the loader's Map<number, ...> type (no literal 1 | 2 | 3 inference)
void manual.getOrSetMany([1, 2, 3], async (ids) => new Map(ids.map((id) => [id, `v${id}`])));
void manual.getOrSetMany(['a', 'b'], async (keys) => keys.map((k) => k.toUpperCase()));
expectTypeOf(manual.getOrSet('k', async () => 'v')).resolves.toBeString();
// @ts-expect-error keys are strings or numbers
void manual.get({ id: 1 });
// @ts-expect-error a Cache<string> stores strings
void manual.set('k', 42);

// ---- per-call freshness policies and ctx.tags ----
void manual.getOrSet('k', async () => 'v', { ttl: '1m', staleWhileRevalidate: '10m', refreshAhead: 0.8 });
void manual.getOrSet('k', async () => 'v', { timeout: { hard: '2s' }, failSafe: { window: '1h', retryAfter: '1m' } });
void manual.getOrSet('k', async (ctx) => {
  ctx.tags = ['t'];
  return 'v';
});
// @ts-expect-error not an option of getOrSet
void manual.getOrSet('k', async () => 'v', { refreshAhed: 0.8 });

// ---- vary: request-context parts of a key ----
declare function tenantId(): string | undefined;
class Tenanted {
  @AsyncTTL({ ttl: '5m', vary: () => [tenantId() ?? ''] })
  async settings(): Promise<string> {
    return 'x';
  }

  @AsyncLRU({ vary: () => (tenantId() === undefined ? undefined : [tenantId() ?? '', 42, true]) })
  async profile(_id: number): Promise<string> {
    return 'x';
  }

  // @ts-expect-error vary parts are strings, numbers or booleans: an object cannot key a tenant
  @AsyncTTL({ vary: () => [{ tenant: 'a' }] })
  async notEncodable(): Promise<string> {
    return 'x';
  }
}
void Tenanted;

// ---- write-through: @LRUUpdater / @TTLUpdater ----
interface Account {
  id: number;
  name: string;
}
class Accounts {
  @AsyncLRU()
  async get(id: number): Promise<Account> {
    return { id, name: 'x' };
  }

  @LRUUpdater(() => Accounts.prototype.get)
  async rename(id: number, name: string): Promise<Account> {
    return { id, name };
  }

  @LRUUpdater(() => Accounts.prototype.get, { keyFn: ([account]: [Account]) => [account.id] })
  async save(account: Account): Promise<Account> {
    return account;
  }

  @LRUUpdater(() => Accounts.prototype.get, {
    value: (result: { ok: boolean }, [id]) => ({ id, name: String(result.ok) }),
  })
  async mapped(id: number): Promise<{ ok: boolean }> {
    return { ok: id > 0 };
  }

  // @ts-expect-error the mutation's result does not fit the target's return type (string, not Account)
  @LRUUpdater(() => Accounts.prototype.get)
  async wrongResult(_id: number): Promise<string> {
    return 'x';
  }

  // @ts-expect-error value's result does not fit the target's return type
  @LRUUpdater(() => Accounts.prototype.get, { value: (result: { ok: boolean }) => result })
  async wrongValue(_id: number): Promise<{ ok: boolean }> {
    return { ok: true };
  }

  // @ts-expect-error the mutation's leading parameter is not the target's (string, not number)
  @LRUUpdater(() => Accounts.prototype.get)
  async wrongKey(id: string): Promise<Account> {
    return { id: Number(id), name: 'x' };
  }

  // @ts-expect-error keyFn's result does not fit the target's parameters (string, not number)
  @LRUUpdater(() => Accounts.prototype.get, { keyFn: ([name]: [string]) => [name] })
  async wrongKeyFn(_name: string): Promise<Account> {
    return { id: 1, name: 'x' };
  }
}
void Accounts;

class Sessions {
  @AsyncTTL({ ttl: '30m' })
  async session(id: string): Promise<{ id: string; seen: number } | null> {
    return { id, seen: 0 };
  }

  @TTLUpdater(() => Sessions.prototype.session)
  async touch(id: string): Promise<{ id: string; seen: number }> {
    return { id, seen: Date.now() };
  }
}
void Sessions;

class Advised {
  @AsyncLRU({ maxSize: 100, advisor: true })
  async a(id: number): Promise<number> {
    return id;
  }

  @AsyncTTL({ ttl: '1m', advisor: { rate: 0.1, maxKeys: 1024, seed: 1 } })
  async b(id: number): Promise<number> {
    return id;
  }

  // @ts-expect-error advisor takes true/false, a rate or { rate, maxKeys, seed }, not a string
  @AsyncLRU({ advisor: 'yes' })
  async c(id: number): Promise<number> {
    return id;
  }

  // @ts-expect-error advisor's object has no field "every"
  @AsyncLRU({ advisor: { every: 10 } })
  async d(id: number): Promise<number> {
    return id;
  }
}
expectTypeOf(adviseCache(new Advised().a)).toEqualTypeOf<CacheAdvice>();
expectTypeOf<CacheAdvice['sizes'][number]>().toEqualTypeOf<{
  readonly size: number;
  readonly multiple: number;
  readonly hitRate: number;
  readonly bytes: number | undefined;
}>();
// @ts-expect-error adviseCache takes a cached method, not its result
adviseCache(42);
