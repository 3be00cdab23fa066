/**
 * Interleaving explorer: loads vs invalidateCache vs invalidator mutations vs
 * clearCache / clear-all mutations vs TTL expiry (and fail-safe reloads while
 * the database is down, stale-while-revalidate and refresh-ahead background
 * reloads), run through every ordering of their await points (small
 * scenarios) or thousands of seeded random orderings (larger ones).
 *
 * After every ordering:
 * - freshness: a caller that arrived after a mutation settled never got a value
 *   older than what that mutation wrote;
 * - expiry: a caller never got a cached value older than the TTL (TTL + the
 *   longer of the fail-safe and stale-while-revalidate windows when set);
 * - once everything settled, the cache holds no value older than the database
 *   (every write in these scenarios is covered by an invalidation), and no
 *   load is left in flight;
 * - every caller got its value, or the database's own error in outage scenarios.
 *
 * A failure prints the scenario, the violated property and the schedule (the
 * released gates in order) so the ordering can be replayed by hand.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { MethodCache, clearCache, invalidateCache, MemoryStore, withCacheOptions } from '../../lib/index.js';
import type { CacheStore, CallOptions, StoreEntry } from '../../lib/index.js';
import { FakeClock } from '../helpers/deferred.js';
import { exploreAll, exploreRandom, multinomial, Scheduler } from './helpers/scheduler.js';
import type { Chooser } from './helpers/scheduler.js';
import { DbDownError, defineService, GatedStore, HELD_KEY, PartialFailure, VersionedDb } from './helpers/world.js';
import type { Service, Value } from './helpers/world.js';

type Actor =
  | { readonly do: 'get'; readonly key: number; readonly options?: CallOptions }
  /** `@XInvalidator` mutation of one key. */
  | { readonly do: 'mutate'; readonly key: number }
  /** `@XInvalidator` mutation that commits its write and then throws. */
  | { readonly do: 'mutateThenFail'; readonly key: number }
  /** `@XInvalidator({ clearAll: true })` mutation of every key. */
  | { readonly do: 'mutateAll' }
  /** A write made elsewhere and recorded as a mutation, with no invalidation (checker self-test only). */
  | { readonly do: 'writeWithoutInvalidation'; readonly key: number }
  /** A write made elsewhere, then `invalidateCache(svc.get, key)`. */
  | { readonly do: 'writeThenInvalidate'; readonly key: number }
  /** Writes to every key made elsewhere, then `clearCache(svc.get)`. */
  | { readonly do: 'writeAllThenClear' }
  /** The injected clock jumps past the TTL. */
  | { readonly do: 'expire' }
  /** The injected clock jumps into the refresh-ahead zone (90% of the TTL). */
  | { readonly do: 'age' }
  | { readonly do: 'outage' }
  | { readonly do: 'recover' };

interface Scenario {
  readonly name: string;
  readonly kind: 'lru' | 'ttl';
  /** `sync`: a MemoryStore (the engine's synchronous path); `async`: a {@link GatedStore} over one. */
  readonly store: 'sync' | 'async';
  readonly failSafe?: boolean;
  /** `staleWhileRevalidate: SWR` (TTL scenarios). */
  readonly swr?: boolean;
  /** `refreshAhead: 0.8` (TTL scenarios). */
  readonly refreshAhead?: boolean;
  readonly keys: readonly number[];
  /** Every key is cached (version 0) before the actors start. */
  readonly warm: boolean;
  readonly actors: readonly Actor[];
  /**
   * A call of another key ({@link HELD_KEY}) starts after the warm-up and
   * stays in flight until every actor finished, so the actors' loads are not
   * the method's only one (a `clearCache` drops it from the registry).
   */
  readonly crowded?: boolean;
}

const TTL = 1_000;
const FAIL_SAFE = 5_000;
const SWR = 3_000;

interface CallRecord {
  readonly actor: string;
  readonly key: number;
  readonly options: CallOptions | undefined;
  readonly arrivedAt: number;
  readonly arrivedClock: number;
  readonly outcome: { readonly value: Value } | { readonly error: unknown };
}

interface MutationRecord {
  readonly actor: string;
  readonly key: number;
  readonly version: number;
  readonly settledAt: number;
}

interface World {
  readonly sched: Scheduler;
  readonly db: VersionedDb;
  readonly calls: CallRecord[];
  readonly mutations: MutationRecord[];
}

/** Scheduler steps an actor takes at least / at most (for the bounds on the number of orderings). */
function stepBounds(actor: Actor, scenario: Scenario): [min: number, max: number] {
  const asyncStore = scenario.store === 'async';
  switch (actor.do) {
    case 'get': {
      // arrive [+ store.get] [+ read snapshot + read return] [+ store.set or store.getFailSafe]
      // [+ a background reload's store.getFailSafe, read snapshot, read return and store.set]
      const background = scenario.swr === true || scenario.refreshAhead === true ? 4 : 0;
      return [1, (asyncStore ? 5 : 3) + background];
    }
    case 'mutate':
    case 'mutateThenFail':
    case 'mutateAll':
      // start + write commit [+ store delete/clear before and after]
      return asyncStore ? [4, 4] : [2, 2];
    case 'writeWithoutInvalidation':
      return [2, 2];
    case 'writeThenInvalidate':
    case 'writeAllThenClear':
      return asyncStore ? [3, 3] : [2, 2];
    default:
      return [1, 1];
  }
}

/** One scenario's service and store, shared by all of its runs. */
class Harness {
  readonly clock = new FakeClock();
  readonly memory: MemoryStore;
  readonly svc: Service;
  #sched = new Scheduler();
  /** Calls checked against a mutation that had settled before they arrived (the freshness property applied). */
  freshnessChecks = 0;
  /** Calls served from the cache in TTL scenarios (the expiry property applied). */
  expiryChecks = 0;

  constructor(
    readonly scenario: Scenario,
    { fifo = true }: { fifo?: boolean } = {},
  ) {
    this.memory = new MemoryStore({ clock: this.clock });
    const store: CacheStore =
      scenario.store === 'sync' ? this.memory : new GatedStore(this.memory, () => this.#sched, fifo);
    this.svc = defineService({
      kind: scenario.kind,
      store,
      ttl: TTL,
      ...(scenario.failSafe === true ? { failSafe: FAIL_SAFE } : {}),
      ...(scenario.swr === true ? { staleWhileRevalidate: SWR } : {}),
      ...(scenario.refreshAhead === true ? { refreshAhead: 0.8 } : {}),
      keys: scenario.keys,
    });
  }

  /** The entry the cache holds for `key`, expired-but-within-fail-safe included. */
  held(key: number): StoreEntry | undefined {
    const namespace = this.svc.engine().store;
    const memory = namespace instanceof GatedStore ? namespace.inner : namespace;
    return memory.sync!.getFailSafe(key);
  }

  async act(world: World, actor: Actor, name: string): Promise<void> {
    const { sched, db } = world;
    await sched.point(`${name}.start`);
    switch (actor.do) {
      case 'get': {
        const arrivedAt = sched.stamp();
        const arrivedClock = this.clock.now();
        const call =
          actor.options === undefined
            ? this.svc.get(actor.key)
            : withCacheOptions(actor.options, () => this.svc.get(actor.key));
        let outcome: CallRecord['outcome'];
        try {
          outcome = { value: await call };
        } catch (error) {
          outcome = { error };
        }
        world.calls.push({ actor: name, key: actor.key, options: actor.options, arrivedAt, arrivedClock, outcome });
        return;
      }
      case 'mutate': {
        const version = await this.svc.update(actor.key);
        world.mutations.push({ actor: name, key: actor.key, version, settledAt: sched.stamp() });
        return;
      }
      case 'mutateThenFail': {
        const failure = await this.svc.updateThenFail(actor.key).then(
          () => undefined,
          (error: unknown) => error,
        );
        if (!(failure instanceof PartialFailure))
          throw new Error(`expected the mutation's own error, got ${String(failure)}`);
        world.mutations.push({ actor: name, key: actor.key, version: failure.version, settledAt: sched.stamp() });
        return;
      }
      case 'mutateAll': {
        const written = await this.svc.updateAll();
        const settledAt = sched.stamp();
        for (const [key, version] of written) world.mutations.push({ actor: name, key, version, settledAt });
        return;
      }
      case 'writeThenInvalidate': {
        const written = await db.write([actor.key]);
        await invalidateCache(this.svc.method, actor.key);
        world.mutations.push({
          actor: name,
          key: actor.key,
          version: written.get(actor.key)!,
          settledAt: sched.stamp(),
        });
        return;
      }
      case 'writeWithoutInvalidation': {
        const written = await db.write([actor.key]);
        world.mutations.push({
          actor: name,
          key: actor.key,
          version: written.get(actor.key)!,
          settledAt: sched.stamp(),
        });
        return;
      }
      case 'writeAllThenClear': {
        const written = await db.write(this.scenario.keys);
        await clearCache(this.svc.method);
        const settledAt = sched.stamp();
        for (const [key, version] of written) world.mutations.push({ actor: name, key, version, settledAt });
        return;
      }
      case 'expire':
        this.clock.advance(TTL + 1);
        return;
      case 'age':
        this.clock.advance(TTL * 0.9);
        return;
      case 'outage':
        db.down = true;
        return;
      case 'recover':
        db.down = false;
        return;
    }
  }

  /** One ordering: reset, warm up, run every actor under the chooser, check the invariants. */
  run = async (choose: Chooser): Promise<readonly string[]> => {
    const { scenario } = this;
    const sched = new Scheduler();
    this.#sched = sched;
    const db = new VersionedDb(sched, this.clock);
    this.svc.useDb(db);
    const world: World = { sched, db, calls: [], mutations: [] };

    await clearCache(this.svc.method);
    if (this.svc.engine().inflightCount !== 0) throw new Error('a previous run left a load in flight');
    if (scenario.warm) for (const key of scenario.keys) await this.svc.get(key);
    let held: Promise<Value> | undefined;
    if (scenario.crowded === true) {
      held = this.svc.get(HELD_KEY);
      if (this.svc.engine().inflightCount !== 1) throw new Error('the held call is not in flight');
    }

    const names = scenario.actors.map((actor, i) => `${actor.do}${i}`);
    const finished = new Set<string>();
    sched.hold();
    const failures: string[] = [];
    const running = scenario.actors.map((actor, i) =>
      this.act(world, actor, names[i]!).then(
        () => finished.add(names[i]!),
        (error: unknown) => {
          finished.add(names[i]!);
          failures.push(`${names[i]} threw ${String(error)}`);
        },
      ),
    );
    await sched.drive(choose);
    const stuck = names.filter((name) => !finished.has(name));
    if (stuck.length > 0) failures.push(`deadlock: ${stuck.join(', ')} never finished`);
    else await Promise.all(running);
    if (held !== undefined) {
      db.releaseHeld();
      if ((await held).key !== HELD_KEY) failures.push('the held call got another key');
    }

    failures.push(...this.#violations(world));
    if (failures.length > 0) {
      throw new Error(
        `${scenario.name}: ${failures.join('\n')}\nschedule:\n  ${sched.schedule.join('\n  ')}\n` +
          `calls: ${JSON.stringify(world.calls)}\nmutations: ${JSON.stringify(world.mutations)}`,
      );
    }
    return sched.schedule;
  };

  #violations(world: World): string[] {
    const { scenario } = this;
    const problems: string[] = [];
    for (const call of world.calls) {
      if ('error' in call.outcome) {
        const { error } = call.outcome;
        const allowed = error instanceof DbDownError && scenario.actors.some((a) => a.do === 'outage');
        if (!allowed) problems.push(`${call.actor} got an unexpected error: ${String(error)}`);
        continue;
      }
      const { value } = call.outcome;
      if (value.key !== call.key) problems.push(`${call.actor} asked for key ${call.key} and got key ${value.key}`);
      for (const m of world.mutations) {
        if (m.key !== call.key || m.settledAt > call.arrivedAt) continue;
        this.freshnessChecks++;
        if (value.version < m.version) {
          problems.push(
            `freshness: ${call.actor} arrived after ${m.actor} settled (wrote k${m.key} v${m.version}) ` +
              `but got v${value.version} (read#${value.readId})`,
          );
        }
      }
      const read = world.db.reads.get(value.readId);
      if (read === undefined) problems.push(`${call.actor} got a value no read returned: ${JSON.stringify(value)}`);
      else if (scenario.kind === 'ttl' && read.returnedAt < call.arrivedAt) {
        // The read had returned (and its load finished) before the caller arrived: the value came from the cache.
        this.expiryChecks++;
        const age = call.arrivedClock - read.returnedClock;
        const limit = TTL + Math.max(scenario.failSafe === true ? FAIL_SAFE : 0, scenario.swr === true ? SWR : 0);
        if (age > limit)
          problems.push(`expiry: ${call.actor} was served a cached value ${age} ms old (limit ${limit})`);
      }
    }
    const engine = this.svc.engine();
    if (engine.inflightCount !== 0) problems.push(`${engine.inflightCount} load(s) still in flight after settling`);
    for (const key of scenario.keys) {
      const held = this.held(key)?.value as Value | undefined;
      const current = world.db.version(key);
      if (held !== undefined && held.version !== current) {
        problems.push(`settled cache holds k${key} v${held.version} but the database has v${current}`);
      }
    }
    return problems;
  }
}

const figures: string[] = [];
afterAll(() => {
  if (figures.length > 0) console.log(`interleaving explorer:\n  ${figures.join('\n  ')}`);
});

/** What the runs exercised: engine figures summed over every run, and how often each property applied. */
function coverage(harness: Harness): string {
  const { hits, misses, inflightJoins, loadErrors, failSafeServed, staleWhileRevalidateServed, refreshes } = harness.svc
    .engine()
    .stats();
  return (
    `[hits ${hits}, misses ${misses}, joins ${inflightJoins}, load errors ${loadErrors}, stale served ${failSafeServed}` +
    `${refreshes > 0 ? `, background reloads ${refreshes}, stale-while-revalidate served ${staleWhileRevalidateServed}` : ''}; ` +
    `freshness checks ${harness.freshnessChecks}, expiry checks ${harness.expiryChecks}]`
  );
}

function bounds(scenario: Scenario): [number, number] {
  const steps = scenario.actors.map((a) => stepBounds(a, scenario));
  return [multinomial(steps.map((s) => s[0])), multinomial(steps.map((s) => s[1]))];
}

async function exhaustive(scenario: Scenario): Promise<Harness> {
  const harness = new Harness(scenario);
  const started = performance.now();
  const result = await exploreAll(harness.run);
  const [low, high] = bounds(scenario);
  const ms = Math.round(performance.now() - started);
  figures.push(
    `${scenario.name}: ${result.runs} orderings (all distinct: ${result.distinct === result.runs}; ` +
      `bounds ${low}..${high}) in ${ms} ms ${coverage(harness)}`,
  );
  // Every ordering is a distinct schedule, and the count lies between the interleavings of the steps
  // every actor always takes and those of the most steps each can take.
  expect(result.distinct).toBe(result.runs);
  if (scenario.store === 'sync') expect(result.runs).toBeGreaterThanOrEqual(low);
  expect(result.runs).toBeGreaterThan(1);
  expect(result.runs).toBeLessThanOrEqual(high);
  expect(harness.freshnessChecks).toBeGreaterThan(0);
  return harness;
}

async function random(scenario: Scenario, count: number, firstSeed = 1): Promise<Harness> {
  const harness = new Harness(scenario);
  const started = performance.now();
  const result = await exploreRandom(harness.run, count, firstSeed);
  const ms = Math.round(performance.now() - started);
  figures.push(
    `${scenario.name}: ${result.runs} seeded random orderings (seeds ${firstSeed}..${firstSeed + count - 1}), ` +
      `${result.distinct} distinct, in ${ms} ms ${coverage(harness)}`,
  );
  expect(result.runs).toBe(count);
  // Random orderings of these scenarios collide rarely; far fewer distinct ones would mean the chooser is ignored.
  expect(result.distinct).toBeGreaterThan(count / 2);
  expect(harness.freshnessChecks).toBeGreaterThan(0);
  return harness;
}

const get = (key: number, options?: CallOptions): Actor => (options ? { do: 'get', key, options } : { do: 'get', key });

describe('explorer self-check', () => {
  it('enumerates exactly the multinomial number of interleavings of independent actors', async () => {
    const lengths = [2, 2, 1, 3];
    const result = await exploreAll(async (choose) => {
      const sched = new Scheduler();
      sched.hold();
      const actors = lengths.map(async (n, actor) => {
        for (let step = 0; step < n; step++) await sched.point(`a${actor}.${step}`);
      });
      await sched.drive(choose);
      await Promise.all(actors);
      return sched.schedule;
    });
    expect(multinomial(lengths)).toBe(1680);
    expect(result).toEqual({ runs: 1680, distinct: 1680 });
  });

  it('releases queued gates first-in first-out', async () => {
    const result = await exploreAll(async (choose) => {
      const sched = new Scheduler();
      sched.hold();
      const order: string[] = [];
      const queued = ['q1', 'q2', 'q3'].map((label) => sched.point(label, 'q').then(() => order.push(label)));
      const free = sched.point('free');
      await sched.drive(choose);
      await Promise.all([...queued, free]);
      expect(order).toEqual(['q1', 'q2', 'q3']);
      return sched.schedule;
    });
    // 'free' can go in any of the 4 slots around the 3 queued gates
    expect(result).toEqual({ runs: 4, distinct: 4 });
  });

  it('replays the same ordering for the same seed', async () => {
    const once = async (seed: number): Promise<string> => {
      let schedule: readonly string[] = [];
      await exploreRandom(
        async (choose) => {
          const sched = new Scheduler();
          sched.hold();
          const actors = [3, 3, 3].map(async (n, actor) => {
            for (let step = 0; step < n; step++) await sched.point(`a${actor}.${step}`);
          });
          await sched.drive(choose);
          await Promise.all(actors);
          schedule = sched.schedule;
          return schedule;
        },
        1,
        seed,
      );
      return schedule.join(' ');
    };
    expect(await once(42)).toBe(await once(42));
    expect(await once(42)).not.toBe(await once(43));
  });
});

describe('explorer self-check: the invariants catch injected faults', () => {
  it('flags a write that no invalidation covers (stale value served and left in the cache)', async () => {
    const harness = new Harness({
      name: 'fault/write without invalidation',
      kind: 'lru',
      store: 'sync',
      keys: [1],
      warm: true,
      actors: [get(1), { do: 'writeWithoutInvalidation', key: 1 }],
    });
    await expect(exploreAll(harness.run)).rejects.toThrow(
      /freshness|settled cache holds k1 v0 but the database has v1/,
    );
  });

  it('flags an invalidator whose closing eviction is skipped (MethodCache.endMutation patched)', async () => {
    const proto = MethodCache.prototype;
    const original = proto.endMutation;
    proto.endMutation = function (this: MethodCache, key) {
      // close the window, but let invalidateKey do nothing for this one call
      const self = this as unknown as { invalidateKey: MethodCache['invalidateKey'] };
      self.invalidateKey = () => Promise.resolve(false);
      try {
        return original.call(this, key);
      } finally {
        delete (self as { invalidateKey?: unknown }).invalidateKey;
      }
    };
    try {
      const harness = new Harness({
        name: 'fault/endMutation does not evict',
        kind: 'lru',
        store: 'sync',
        keys: [1],
        warm: false,
        actors: [get(1), get(1), { do: 'mutate', key: 1 }],
      });
      await expect(exploreAll(harness.run)).rejects.toThrow(/freshness|settled cache holds k1 v0/);
    } finally {
      proto.endMutation = original;
    }
  });

  it('flags a store that may apply operations out of order (the async path relies on FIFO stores)', async () => {
    const harness = new Harness(
      {
        name: 'fault/store reorders operations',
        kind: 'lru',
        store: 'async',
        keys: [1],
        warm: false,
        actors: [get(1), { do: 'writeThenInvalidate', key: 1 }, get(1)],
      },
      { fifo: false },
    );
    await expect(exploreAll(harness.run)).rejects.toThrow(/settled cache holds k1 v0 but the database has v1/);
  });
});

/** Scenarios explored in every ordering on a MemoryStore (the engine's synchronous path). */
const SYNC_SCENARIOS: readonly (readonly [title: string, scenario: Scenario])[] = [
  [
    'cold key: two readers vs an invalidator mutation',
    {
      name: 'lru/cold/2 readers + mutate',
      kind: 'lru',
      store: 'sync',
      keys: [1],
      warm: false,
      actors: [get(1), get(1), { do: 'mutate', key: 1 }],
    },
  ],
  [
    'warm key: two readers vs an invalidator mutation',
    {
      name: 'lru/warm/2 readers + mutate',
      kind: 'lru',
      store: 'sync',
      keys: [1],
      warm: true,
      actors: [get(1), get(1), { do: 'mutate', key: 1 }],
    },
  ],
  [
    'two concurrent mutations of one key vs two readers',
    {
      name: 'lru/warm/2 readers + 2 mutates',
      kind: 'lru',
      store: 'sync',
      keys: [1],
      warm: true,
      actors: [get(1), get(1), { do: 'mutate', key: 1 }, { do: 'mutate', key: 1 }],
    },
  ],
  [
    'external write + invalidateCache vs two readers',
    {
      name: 'lru/warm/2 readers + write;invalidateCache',
      kind: 'lru',
      store: 'sync',
      keys: [1],
      warm: true,
      actors: [get(1), get(1), { do: 'writeThenInvalidate', key: 1 }],
    },
  ],
  [
    'external writes + clearCache vs readers of two keys',
    {
      name: 'lru/warm/readers of k1,k2 + write all;clearCache',
      kind: 'lru',
      store: 'sync',
      keys: [1, 2],
      warm: true,
      actors: [get(1), get(2), { do: 'writeAllThenClear' }],
    },
  ],
  [
    'clear-all invalidator vs readers of two keys, and a per-key mutation',
    {
      name: 'lru/cold/readers of k1,k2 + clearAll mutation + mutate k2',
      kind: 'lru',
      store: 'sync',
      keys: [1, 2],
      warm: false,
      actors: [get(1), get(2), { do: 'mutateAll' }, { do: 'mutate', key: 2 }],
    },
  ],
  [
    'a mutation that commits and then throws vs two readers',
    {
      name: 'lru/warm/2 readers + mutateThenFail',
      kind: 'lru',
      store: 'sync',
      keys: [1],
      warm: true,
      actors: [get(1), get(1), { do: 'mutateThenFail', key: 1 }],
    },
  ],
  [
    'refresh and useCache:false callers vs a mutation',
    {
      name: 'lru/warm/refresh + bypass + reader + mutate',
      kind: 'lru',
      store: 'sync',
      keys: [1],
      warm: true,
      actors: [get(1, { refresh: true }), get(1, { useCache: false }), get(1), { do: 'mutate', key: 1 }],
    },
  ],
  [
    'TTL expiry vs a mutation and two readers',
    {
      name: 'ttl/warm/2 readers + mutate + expire',
      kind: 'ttl',
      store: 'sync',
      keys: [1],
      warm: true,
      actors: [get(1), get(1), { do: 'mutate', key: 1 }, { do: 'expire' }],
    },
  ],
  [
    'fail-safe: expiry and an outage vs a mutation and two readers',
    {
      name: 'ttl+failSafe/warm/2 readers + mutate + expire + outage',
      kind: 'ttl',
      store: 'sync',
      failSafe: true,
      keys: [1],
      warm: true,
      actors: [get(1), get(1), { do: 'mutate', key: 1 }, { do: 'expire' }, { do: 'outage' }],
    },
  ],
];

const FRESHNESS_SCENARIOS: readonly (readonly [string, Scenario])[] = [
  [
    'stale-while-revalidate: expiry vs a mutation and two readers',
    {
      name: 'ttl+swr/warm/2 readers + mutate + expire',
      kind: 'ttl',
      store: 'sync',
      swr: true,
      keys: [1],
      warm: true,
      actors: [get(1), get(1), { do: 'mutate', key: 1 }, { do: 'expire' }],
    },
  ],
  [
    'stale-while-revalidate: expiry vs write + invalidateCache and two readers',
    {
      name: 'ttl+swr/warm/2 readers + write;invalidateCache + expire',
      kind: 'ttl',
      store: 'sync',
      swr: true,
      keys: [1],
      warm: true,
      actors: [get(1), get(1), { do: 'writeThenInvalidate', key: 1 }, { do: 'expire' }],
    },
  ],
  [
    'refresh-ahead: ageing vs a mutation and two readers',
    {
      name: 'ttl+refreshAhead/warm/2 readers + mutate + age',
      kind: 'ttl',
      store: 'sync',
      refreshAhead: true,
      keys: [1],
      warm: true,
      actors: [get(1), get(1), { do: 'mutate', key: 1 }, { do: 'age' }],
    },
  ],
];

describe('every ordering, freshness policies (MemoryStore)', () => {
  for (const [title, scenario] of FRESHNESS_SCENARIOS) {
    it(title, async () => {
      const harness = await exhaustive(scenario);
      expect(harness.svc.engine().stats().refreshes).toBeGreaterThan(0);
    });
  }
});

describe('every ordering (MemoryStore, synchronous engine path)', () => {
  for (const [title, scenario] of SYNC_SCENARIOS) {
    it(title, async () => {
      await exhaustive(scenario);
    });
  }
});

// The engine keeps a method's only load in flight in two fields and the others in a Map: the same
// scenarios again, with a load of another key held in flight throughout, take the Map.
describe('every ordering, another key loading throughout (MemoryStore, loads registered in the Map)', () => {
  for (const [title, scenario] of SYNC_SCENARIOS) {
    it(title, async () => {
      await exhaustive({ ...scenario, name: `${scenario.name} (crowded)`, crowded: true });
    });
  }
});

describe('every ordering (slow FIFO store, asynchronous engine path)', () => {
  it('one reader vs an invalidator mutation', async () => {
    await exhaustive({
      name: 'async/lru/warm/reader + mutate',
      kind: 'lru',
      store: 'async',
      keys: [1],
      warm: true,
      actors: [get(1), { do: 'mutate', key: 1 }],
    });
  });

  it('two readers vs external write + invalidateCache', async () => {
    await exhaustive({
      name: 'async/lru/cold/2 readers + write;invalidateCache',
      kind: 'lru',
      store: 'async',
      keys: [1],
      warm: false,
      actors: [get(1), get(1), { do: 'writeThenInvalidate', key: 1 }],
    });
  });
});

describe('seeded random orderings of larger scenarios', () => {
  it('LRU, two keys: readers, refresh, two mutations, invalidateCache, clear-all, clearCache', async () => {
    await random(
      {
        name: 'lru/mixed/10 actors',
        kind: 'lru',
        store: 'sync',
        keys: [1, 2],
        warm: true,
        actors: [
          get(1),
          get(1),
          get(2),
          get(1, { refresh: true }),
          { do: 'mutate', key: 1 },
          { do: 'mutate', key: 2 },
          { do: 'writeThenInvalidate', key: 1 },
          { do: 'mutateAll' },
          { do: 'mutateThenFail', key: 2 },
          get(2),
        ],
      },
      2_000,
    );
  });

  it('TTL + fail-safe, two keys: readers, mutations, clear-all, expiry twice, outage and recovery', async () => {
    await random(
      {
        name: 'ttl+failSafe/mixed/11 actors',
        kind: 'ttl',
        store: 'sync',
        failSafe: true,
        keys: [1, 2],
        warm: true,
        actors: [
          get(1),
          get(1),
          get(2),
          get(1),
          { do: 'mutate', key: 1 },
          { do: 'writeThenInvalidate', key: 2 },
          { do: 'mutateAll' },
          { do: 'expire' },
          { do: 'expire' },
          { do: 'outage' },
          { do: 'recover' },
        ],
      },
      2_000,
    );
  });

  it('slow FIFO store, two keys: readers, mutations, invalidateCache, clearCache, clear-all', async () => {
    await random(
      {
        name: 'async/lru/mixed/9 actors',
        kind: 'lru',
        store: 'async',
        keys: [1, 2],
        warm: true,
        actors: [
          get(1),
          get(1),
          get(2),
          get(1, { refresh: true }),
          { do: 'mutate', key: 1 },
          { do: 'writeThenInvalidate', key: 2 },
          { do: 'mutateAll' },
          { do: 'writeAllThenClear' },
          { do: 'mutateThenFail', key: 1 },
        ],
      },
      1_500,
    );
  });

  it('TTL + stale-while-revalidate + refresh-ahead + fail-safe, two keys: readers, mutations, ageing, expiry, outage', async () => {
    const harness = await random(
      {
        name: 'ttl+swr+refreshAhead+failSafe/mixed/12 actors',
        kind: 'ttl',
        store: 'sync',
        failSafe: true,
        swr: true,
        refreshAhead: true,
        keys: [1, 2],
        warm: true,
        actors: [
          get(1),
          get(1),
          get(2),
          get(1),
          get(2),
          { do: 'mutate', key: 1 },
          { do: 'writeThenInvalidate', key: 2 },
          { do: 'mutateAll' },
          { do: 'age' },
          { do: 'expire' },
          { do: 'outage' },
          { do: 'recover' },
        ],
      },
      2_000,
    );
    expect(harness.svc.engine().stats()).toMatchObject({
      refreshes: expect.any(Number),
      staleWhileRevalidateServed: expect.any(Number),
    });
    expect(harness.svc.engine().stats().refreshes).toBeGreaterThan(0);
    expect(harness.svc.engine().stats().staleWhileRevalidateServed).toBeGreaterThan(0);
  });

  it('slow FIFO store with TTL + stale-while-revalidate + refresh-ahead: readers, mutations, ageing, expiry', async () => {
    const harness = await random(
      {
        name: 'async/ttl+swr+refreshAhead/mixed/9 actors',
        kind: 'ttl',
        store: 'async',
        swr: true,
        refreshAhead: true,
        keys: [1],
        warm: true,
        actors: [
          get(1),
          get(1),
          get(1),
          { do: 'mutate', key: 1 },
          { do: 'writeThenInvalidate', key: 1 },
          { do: 'age' },
          { do: 'expire' },
          get(1),
          { do: 'mutateThenFail', key: 1 },
        ],
      },
      1_500,
    );
    expect(harness.svc.engine().stats().refreshes).toBeGreaterThan(0);
  });

  it('slow FIFO store with TTL + fail-safe: readers, mutation, expiry, outage', async () => {
    await random(
      {
        name: 'async/ttl+failSafe/mixed/8 actors',
        kind: 'ttl',
        store: 'async',
        failSafe: true,
        keys: [1],
        warm: true,
        actors: [
          get(1),
          get(1),
          get(1),
          { do: 'mutate', key: 1 },
          { do: 'writeThenInvalidate', key: 1 },
          { do: 'expire' },
          { do: 'outage' },
          { do: 'recover' },
        ],
      },
      1_500,
    );
  });
});
