/**
 * The opt-in cross-process lease (`lease` option): of the processes that miss
 * one key at once, one loads and the others receive its value through Redis;
 * a holder that hangs or dies loses the lease by its TTL and another process
 * takes over; a waiter stops waiting after `wait`. Each RedisStore instance
 * stands for a process (its own connection, its own engine); one test runs
 * real child processes. Loads are gated with controlled promises; the only
 * real-time waits are the lease TTLs, which Redis expires.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { MethodCache, type EngineMethod, type LeaseSettings } from '../../../lib/engine/index.js';
import { CacheEvents } from '../../../lib/util/events.js';
import { AsyncLRU, AsyncTTL, Cache, MemoryStore } from '../../../lib/index.js';
import { TieredStore } from '../../../lib/tiered.js';
import type { StoreKey } from '../../../lib/keys/keys.js';
import { RedisStore } from '../../../lib/stores/redis/index.js';
import type { CacheStore } from '../../../lib/stores/contract.js';
import { deferred, type Deferred } from '../../helpers/deferred.js';
import { typeErrorOf } from '../../helpers/errors.js';
import { buildSampleApp } from '../../sample-app/helpers.js';
import { eventually, rawClient, testRedisUrl, uniquePrefix } from '../../setup/redis-env.js';

let raw: Redis;
let prefix: string;
const opened: { close(): Promise<void> }[] = [];

async function redisStore(): Promise<RedisStore> {
  const store = new RedisStore({ url: testRedisUrl(), prefix });
  opened.push(store);
  if (!(await store.ready(5000))) throw new Error('store did not connect');
  return store;
}

beforeEach(() => {
  raw = rawClient();
  prefix = uniquePrefix('lease');
});

afterEach(async () => {
  await Promise.all(opened.splice(0).map((store) => store.close()));
  raw.disconnect();
});

/** Loads shared by every "process" of a test: each load takes the next gate (or returns 'fresh'). */
class Loads {
  count = 0;
  readonly #gates: Deferred<string>[] = [];
  readonly started: Deferred<void>[] = [];

  /** The next load waits for the returned promise's settlement. */
  gate(): Deferred<string> {
    const gate = deferred<string>();
    this.#gates.push(gate);
    this.started.push(deferred<void>());
    return gate;
  }

  run(): Promise<string> {
    const index = this.count++;
    this.started[index]?.resolve();
    return this.#gates[index]?.promise ?? Promise.resolve('fresh');
  }
}

/** One "process": an engine for `Report.build` with the lease on its own store instance. */
function processOn(store: CacheStore, loads: Loads, lease: LeaseSettings) {
  const method: EngineMethod = {
    where: 'Report.build',
    id: 'Report.build',
    original: () => loads.run(),
    ttl: 60_000,
    failSafe: undefined,
    shouldCache: undefined,
    lease,
    keyOf: (_self, args) => String(args[0]) as StoreKey,
  };
  const engine = new MethodCache(method, store.namespace('Report.build'), new CacheEvents());
  return { engine, call: (day: string) => engine.call(undefined, [day], undefined) };
}

const leaseKeys = (): Promise<string[]> => raw.keys(`${prefix}:*:l:*`);

describe('lease: one load across processes', () => {
  it('runs the loader once for 4 processes that miss one key together; the others get its value', async () => {
    const loads = new Loads();
    const gate = loads.gate();
    const lease = { ttl: 5_000, wait: 5_000 };
    const procs = await Promise.all([0, 1, 2, 3].map(async () => processOn(await redisStore(), loads, lease)));
    const calls = procs.map((p) => p.call('monday'));
    await loads.started[0]?.promise;
    // The others are waiting on the lease: they read again, with pauses, until the value lands.
    await eventually(() => procs.filter((p) => p.engine.stats().leaseWaits > 0).length === 3);
    expect(await leaseKeys()).toHaveLength(1);
    gate.resolve('report of monday');
    expect(await Promise.all(calls)).toEqual(Array(4).fill('report of monday'));
    expect(loads.count).toBe(1);
    const stats = procs.map((p) => p.engine.stats());
    // Exactly one process loads (whichever reached Redis first: four connections race) and the three others hit.
    const loader = stats.findIndex((s) => s.loads === 1);
    expect(loader).toBeGreaterThanOrEqual(0);
    expect(stats.map((s, i) => [s.loads, s.hits, i === loader])).toEqual(
      stats.map((_, i) => (i === loader ? [1, 0, true] : [0, 1, false])),
    );
    expect(stats.every((s) => s.leaseTimeouts === 0)).toBe(true);
    // The holder gave the lease up once its write landed.
    await eventually(async () => (await leaseKeys()).length === 0);
  });

  it('lets another process take over when the holder hangs past the lease ttl', async () => {
    const loads = new Loads();
    const hung = loads.gate(); // never settles until the end
    const lease = { ttl: 300, wait: 5_000 };
    const holder = processOn(await redisStore(), loads, lease);
    const other = processOn(await redisStore(), loads, lease);
    const held = holder.call('tuesday');
    await loads.started[0]?.promise;
    const started = performance.now();
    expect(await other.call('tuesday')).toBe('fresh');
    const took = performance.now() - started;
    expect(loads.count).toBe(2);
    expect(took).toBeGreaterThanOrEqual(250); // it waited for the lease to end (Redis PX, 300 ms)
    expect(other.engine.stats()).toMatchObject({ loads: 1, leaseTimeouts: 0 });
    expect(other.engine.stats().leaseWaits).toBeGreaterThan(0);
    hung.resolve('late');
    expect(await held).toBe('late');
  });

  it('loads without the lease once a waiter waited `wait`', async () => {
    const loads = new Loads();
    const hung = loads.gate();
    const holder = processOn(await redisStore(), loads, { ttl: 10_000, wait: 10_000 });
    const impatient = processOn(await redisStore(), loads, { ttl: 10_000, wait: 200 });
    const held = holder.call('wednesday');
    await loads.started[0]?.promise;
    expect(await impatient.call('wednesday')).toBe('fresh');
    expect(loads.count).toBe(2);
    expect(impatient.engine.stats()).toMatchObject({ loads: 1, leaseTimeouts: 1 });
    hung.resolve('late');
    await held;
  });

  it('releases the lease when the load fails, so a waiter takes over at once', async () => {
    const loads = new Loads();
    const failing = loads.gate();
    const lease = { ttl: 10_000, wait: 10_000 };
    const holder = processOn(await redisStore(), loads, lease);
    const other = processOn(await redisStore(), loads, lease);
    const held = holder.call('thursday');
    await loads.started[0]?.promise;
    const waiting = other.call('thursday');
    await eventually(() => other.engine.stats().leaseWaits > 0);
    const started = performance.now();
    failing.reject(new Error('database down'));
    await expect(held).rejects.toThrow('database down');
    expect(await waiting).toBe('fresh');
    expect(performance.now() - started).toBeLessThan(2_000); // far below the 10 s lease
    expect(loads.count).toBe(2);
  });

  it('works through tiered stores (the lease lives in Redis)', async () => {
    const loads = new Loads();
    const gate = loads.gate();
    const lease = { ttl: 5_000, wait: 5_000 };
    const stores = [0, 1, 2].map(() => new TieredStore({ redis: { url: testRedisUrl(), prefix } }));
    opened.push(...stores);
    for (const store of stores) expect(await store.ready(5000)).toBe(true);
    const procs = stores.map((store) => processOn(store, loads, lease));
    const calls = procs.map((p) => p.call('friday'));
    await loads.started[0]?.promise;
    await eventually(() => procs.filter((p) => p.engine.stats().leaseWaits > 0).length === 2);
    gate.resolve('report of friday');
    expect(await Promise.all(calls)).toEqual(Array(3).fill('report of friday'));
    expect(loads.count).toBe(1);
  });

  it('fails open: with Redis unreachable the method runs and returns its value', async () => {
    const store = new RedisStore({ url: 'redis://127.0.0.1:1', prefix, timeout: 100 });
    opened.push(store);
    const loads = new Loads();
    const proc = processOn(store, loads, { ttl: 1_000, wait: 1_000 });
    expect(await proc.call('saturday')).toBe('fresh');
    expect(loads.count).toBe(1);
  });
});

describe('lease on the manual Cache API', () => {
  it('runs a getOrSet loader once for caches in 3 processes, scopes included', async () => {
    const caches = await Promise.all(
      [0, 1, 2].map(async () => new Cache<string>({ store: await redisStore(), lease: { ttl: '5s' } })),
    );
    const loads = new Loads();
    const gate = loads.gate();
    const calls = caches.map((cache) => cache.getOrSet('report', () => loads.run()));
    await loads.started[0]?.promise;
    await eventually(() => caches.filter((cache) => cache.stats().leaseWaits > 0).length === 2);
    gate.resolve('the report');
    expect(await Promise.all(calls)).toEqual(Array(3).fill('the report'));
    expect(loads.count).toBe(1);

    // A scope inherits the lease; `lease: false` turns it off for that scope.
    const scoped = caches.map((cache) => cache.scope('daily'));
    const scopedGate = loads.gate();
    const scopedCalls = scoped.map((cache) => cache.getOrSet('monday', () => loads.run()));
    await loads.started[1]?.promise;
    await eventually(() => scoped.filter((cache) => cache.stats().leaseWaits > 0).length === 2);
    scopedGate.resolve('monday report');
    expect(await Promise.all(scopedCalls)).toEqual(Array(3).fill('monday report'));
    expect(loads.count).toBe(2);
    const unleased = caches.map((cache) => cache.scope('weekly', { lease: false }));
    const gates = [loads.gate(), loads.gate(), loads.gate()];
    const unleasedCalls = unleased.map((cache) => cache.getOrSet('w1', () => loads.run()));
    // No lease: all three processes load at once (none waits for another).
    await eventually(() => loads.count === 5);
    gates.forEach((gate, i) => gate.resolve(`weekly ${i}`));
    expect((await Promise.all(unleasedCalls)).sort()).toEqual(['weekly 0', 'weekly 1', 'weekly 2']);
  });

  it('rejects a bad lease option, naming the cache and the option', () => {
    expect(typeErrorOf(() => new Cache({ lease: 'yes' as unknown as boolean }))).toContain(
      'new Cache(): option "lease" must be true, false, or { ttl?, wait? }',
    );
    expect(typeErrorOf(() => new Cache().scope('s', { lease: { ttl: -1 } }))).toContain('lease.ttl');
  });
});

describe('lease option', () => {
  it('is validated at decoration time, naming the method and the option', () => {
    const decorate = (lease: unknown) => () => {
      class Reports {
        @AsyncTTL({ lease: lease as boolean })
        async build(day: string): Promise<string> {
          return day;
        }
      }
      return Reports;
    };
    expect(typeErrorOf(decorate('yes'))).toBe(
      `@AsyncTTL on Reports.build: option "lease" must be true, false, or { ttl?, wait? } with durations ('10s', 5000); got "yes".`,
    );
    expect(typeErrorOf(decorate({ tll: '1s' }))).toContain('unknown option "tll"');
    expect(typeErrorOf(decorate({ ttl: 0 }))).toContain('lease.ttl');
    expect(decorate({ ttl: '1s', wait: '2s' })).not.toThrow();
    expect(decorate(true)).not.toThrow();
    expect(decorate(false)).not.toThrow();
    expect(decorate({ ttl: '30s', wait: '10s' })).not.toThrow();
  });

  it('changes nothing on a store of one process: calls still share one load', async () => {
    const store = new MemoryStore();
    let runs = 0;
    class Reports {
      @AsyncLRU({ store, lease: true })
      async build(day: string): Promise<string> {
        runs++;
        await new Promise((resolve) => setImmediate(resolve));
        return `report of ${day}`;
      }
    }
    const reports = new Reports();
    expect(await Promise.all([reports.build('a'), reports.build('a')])).toEqual(['report of a', 'report of a']);
    expect(runs).toBe(1);
  });
});

/**
 * A worker process: `@AsyncTTL({ lease })` on a plain RedisStore. `load` runs
 * the method (whose body counts its runs in Redis and takes `ms`); `die` runs
 * it and exits hard as soon as its body started (a crash while holding the lease).
 */
const WORKER = `
import { AsyncTTL, cacheStats } from 'memokit';
import { RedisStore } from 'memokit/redis';
import { Redis } from 'ioredis';

const [url, prefix, mode, ms, leaseTtl] = process.argv.slice(2);
const store = new RedisStore({ url, prefix });
if (!(await store.ready(5000))) throw new Error('not ready');
const db = new Redis(url);

class Report {
  async build(day) {
    await db.incr(prefix + ':runs');
    if (mode === 'die') process.exit(3);
    await new Promise((resolve) => setTimeout(resolve, Number(ms)));
    return 'report of ' + day + ' by ' + process.pid;
  }
}
const descriptor = Object.getOwnPropertyDescriptor(Report.prototype, 'build');
Object.defineProperty(
  Report.prototype,
  'build',
  AsyncTTL({ store, ttl: '1m', lease: { ttl: Number(leaseTtl), wait: 10000 } })(Report.prototype, 'build', descriptor),
);
const value = await new Report().build('sunday');
process.stdout.write(JSON.stringify({ value, waits: cacheStats(Report.prototype.build).leaseWaits }) + '\\n');
await store.close();
db.disconnect();
`;

interface WorkerResult {
  readonly code: number | null;
  readonly value?: string;
  /** Reads the worker repeated while another process held the lease. */
  readonly waits?: number;
  readonly stderr: string;
}

/** Runs one worker to its end; `leaseTtl` in milliseconds. */
function runWorker(script: string, mode: 'load' | 'die', ms: number, leaseTtl: number): Promise<WorkerResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, testRedisUrl(), prefix, mode, String(ms), String(leaseTtl)], {
      stdio: 'pipe',
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`worker did not finish: ${err}`));
    }, 20_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      const line = out.trim().split('\n').pop();
      resolve({ code, stderr: err, ...(line ? (JSON.parse(line) as { value: string; waits: number }) : {}) });
    });
  });
}

describe('lease across real processes', () => {
  it('5 processes run the method once; a holder that dies is replaced after the lease ttl', async () => {
    const build = await buildSampleApp();
    try {
      const script = join(build.root, 'lease-worker.mjs');
      await writeFile(script, WORKER);

      const results = await Promise.all([0, 1, 2, 3, 4].map(() => runWorker(script, 'load', 1_500, 10_000)));
      expect(results.map((r) => r.code === 0 || r.stderr)).toEqual(Array(5).fill(true));
      const values = new Set(results.map((r) => r.value));
      expect(values.size).toBe(1); // everyone got the one load's value
      expect(await raw.get(`${prefix}:runs`)).toBe('1');
      // The load took 1.5 s while the processes started: the later ones waited on the lease.
      expect(results.reduce((sum, r) => sum + (r.waits ?? 0), 0)).toBeGreaterThan(0);

      // A new key: the first process dies holding the lease; the others wait, then one takes over.
      await raw.del(`${prefix}:runs`);
      await raw.set(`${prefix}:runs`, '0');
      const store = await redisStore();
      await store.namespace('Report.build').clear();
      const dying = runWorker(script, 'die', 0, 1_000);
      await eventually(async () => (await raw.get(`${prefix}:runs`)) === '1', 10_000);
      const started = performance.now();
      const survivors = await Promise.all([0, 1, 2].map(() => runWorker(script, 'load', 50, 1_000)));
      const took = performance.now() - started;
      expect((await dying).code).toBe(3);
      expect(survivors.every((r) => r.code === 0 && r.value?.startsWith('report of sunday'))).toBe(true);
      expect(new Set(survivors.map((r) => r.value)).size).toBe(1);
      expect(await raw.get(`${prefix}:runs`)).toBe('2'); // the dead holder's run, and one takeover
      console.log(
        `lease across processes: 5 processes -> 1 load; holder died -> 1 takeover load after ${Math.round(took)} ms ` +
          '(lease ttl 1 s, includes process start)',
      );
    } finally {
      await build.remove();
    }
  }, 60_000);
});
