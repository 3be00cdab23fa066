/**
 * Real-Redis chaos suite (`npm run test:chaos`; `npm test` leaves it out).
 *
 * Three worker processes (fixtures/worker.ts) share one private redis-server
 * and run two cached families at once (see `Family` in protocol.ts): a
 * decorated method on a TieredStore and `Cache.getOrSet` on a plain
 * RedisStore. Meanwhile Redis is stopped and restarted, paused (SIGSTOP /
 * SIGCONT), slowed (`DEBUG SLEEP`) and has its pub/sub connections killed,
 * and the parent mutates keys through the workers during and between faults.
 *
 * The truth is a version per family and key in a file (never faulted). A
 * mutation is committed once the worker that ran it returned and every other
 * worker either processed the invalidation messages published during it,
 * has its bus down (L1 not served, and dropped when the bus returns) or reset
 * its bus after the mutation; for the plain RedisStore there is no L1, so
 * once the mutation returned. A "blind" mutation, run by a worker whose link
 * had already marked Redis unavailable, is committed only once that worker's
 * link is back (the earliest a store could replay what it could not send).
 * The committed version is then sent to every worker as the floor of later
 * calls. Checked for every call:
 * - the value is one the method returned (its key, a version that exists,
 *   envelope intact), and no call throws;
 * - stale: a version below the floor known when the call started;
 * - latency minus the time the method ran during the call is at most the
 *   store timeout plus a scheduling margin;
 * and for every mutation Redis acknowledged (not blind), that its messages
 * were applied everywhere within DELIVERY_GRACE: they were out when it
 * resolved, not kept for a later heartbeat;
 * and overall: no unhandled rejection or exception, nothing on stderr, each
 * fault detected, and recovery (every link and bus up, then cache hits again
 * in every worker and family) within a bound after Redis returns.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { repoRoot, transpileInto } from '../helpers/transpile.js';
import { rawCommand, startRedisServer, type RedisServer } from '../setup/redis-server.js';
import type {
  CallRecord,
  Family,
  FromWorker,
  MutateReply,
  ProbeReply,
  StopReply,
  ToWorker,
  WorkerConfig,
} from './protocol.js';

/** RedisStore and RedisBus timeout: the library default. */
const TIMEOUT = 250;
/** RedisBus heartbeat (its default): how often a worker checks that its subscription still answers. */
const HEARTBEAT = 1000;
/** What the cached method spends besides reading the truth file. */
const METHOD_MS = 20;
const WORKERS = 3;
/** Call loops per family per worker. */
const LANES = 2;
const GAP_MS = 10;
const KEYS = ['k0', 'k1', 'k2', 'k3', 'k4', 'k5'];
const FAMILIES: readonly Family[] = ['t', 'r'];

/**
 * Latency allowed beyond the store timeout, the method's own time excluded.
 * A call waits for Redis at most once (a timeout marks the link down and the
 * next store call, the write after a load included, is skipped at once),
 * so what is left is scheduling: the timeout's own timer firing late, IPC and
 * the other lanes of the worker sharing its event loop, three workers, the
 * parent and redis-server on as few as 2 CI cores.
 */
const SCHEDULING_MARGIN = 150;
const LATENCY_ALLOWANCE = TIMEOUT + SCHEDULING_MARGIN;
/**
 * A worker notices an outage at once when its connections close (stop, killed
 * subscriber), after one store timeout when Redis stops answering a call, and
 * through the bus heartbeat otherwise (one interval plus its timeout).
 */
const DETECT_BOUND = HEARTBEAT + TIMEOUT + 1000;
/**
 * Invalidation reaches the other workers over pub/sub in milliseconds; when
 * Redis is frozen, they drop L1 once their heartbeat goes unanswered.
 */
const PROPAGATION_BOUND = HEARTBEAT + TIMEOUT + 750;
/**
 * A message published to a live subscription arrives in milliseconds; after
 * this long, a subscriber that has not seen it was not subscribed yet.
 */
const DELIVERY_GRACE = 200;
/** Longest an outage with blind mutations lasts in this suite, recovery included. */
const BLIND_BOUND = 20_000;
/** Lets a store that replays lost invalidations once it is back finish doing so. */
const BLIND_SETTLE = 100;
/**
 * After Redis returns: ioredis reconnects after at most its 1 s backoff, a
 * link marked down PINGs every 500 ms (retryInterval), and a bus that missed a
 * heartbeat resubscribes at the next one (1 s); plus scheduling.
 */
const RECOVERY_BOUND = 1000 + 500 + HEARTBEAT + 1000;

const root = repoRoot;
// One directory per run: several jest runs may share the checkout.
const out = join(root, 'test-output', `chaos-${process.pid}`);

const transpile = (relative: string): void => transpileInto(out, relative);

/** Redis 7 refuses DEBUG unless enabled; older servers have no such option. */
function debugArgs(): string[] {
  const version = /v=(\d+)/.exec(execFileSync('redis-server', ['--version'], { encoding: 'utf8' }))?.[1];
  return Number(version) >= 7 ? ['--enable-debug-command', 'yes'] : [];
}

/** A request to a worker, without the id the worker answers with. */
type Request = ToWorker extends infer M ? (M extends { id: number } ? Omit<M, 'id'> : never) : never;

class Worker {
  readonly child: ChildProcess;
  stderr = '';
  instanceId = '';
  exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  readonly hello: Promise<void>;
  readonly #waiting = new Map<number, (body: unknown) => void>();
  #next = 0;

  constructor(
    readonly index: number,
    script: string,
    config: WorkerConfig,
    onMessage: (worker: Worker, message: FromWorker) => void,
  ) {
    this.child = spawn(process.execPath, [script, JSON.stringify(config)], {
      cwd: root,
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    this.child.stderr?.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    let helloed: () => void = () => undefined;
    let failed: (error: Error) => void = () => undefined;
    this.hello = new Promise((resolve, reject) => {
      helloed = resolve;
      failed = reject;
    });
    // Before its hello, an exit is a start failure ('close': its stderr has been read by then).
    this.child.once('close', (code, signal) =>
      failed(new Error(`worker ${index} exited (${code ?? signal}) before starting:\n${this.stderr}`)),
    );
    this.child.on('message', (raw) => {
      const message = raw as FromWorker;
      if (message.type === 'hello') {
        this.instanceId = message.instanceId;
        helloed();
      } else if (message.type === 'reply') {
        this.#waiting.get(message.id)?.(message.body);
        this.#waiting.delete(message.id);
      } else {
        onMessage(this, message);
      }
    });
    this.child.once('exit', (code, signal) => (this.exit = { code, signal }));
  }

  post(message: ToWorker): void {
    if (this.child.connected) this.child.send(message);
  }

  #ask<T>(message: Request): Promise<T> {
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`worker ${this.index} did not answer ${JSON.stringify(message)}:\n${this.stderr}`)),
        10_000,
      );
      this.#waiting.set(id, (body) => {
        clearTimeout(timer);
        resolve(body as T);
      });
      this.post({ ...message, id } as ToWorker);
    });
  }

  mutate(family: Family, key: string, version: number): Promise<MutateReply> {
    return this.#ask({ type: 'mutate', family, key, version });
  }

  /** Availability of the worker's links and bus; `seq`: the last message delivered from bus instance `from`. */
  probe(from = ''): Promise<ProbeReply> {
    return this.#ask({ type: 'probe', from });
  }

  stop(): Promise<StopReply> {
    return this.#ask({ type: 'stop' });
  }

  kill(): void {
    if (this.exit === undefined) this.child.kill('SIGKILL');
  }
}

interface Figures {
  calls: number;
  fellBack: number;
  stale: number;
  wrong: number;
  maxLatency: number;
  /** Latency minus the method's time during the call. */
  maxWait: number;
  mutations: number;
  /** Mutations run by a worker whose link for that family had already marked Redis unavailable. */
  blindMutations: number;
}

const emptyFigures = (): Figures => ({
  calls: 0,
  fellBack: 0,
  stale: 0,
  wrong: 0,
  maxLatency: 0,
  maxWait: 0,
  mutations: 0,
  blindMutations: 0,
});

/** Adds `from` into `into`: counts summed, maxima kept. */
function addFigures(into: Figures, from: Figures): void {
  into.calls += from.calls;
  into.fellBack += from.fellBack;
  into.stale += from.stale;
  into.wrong += from.wrong;
  into.maxLatency = Math.max(into.maxLatency, from.maxLatency);
  into.maxWait = Math.max(into.maxWait, from.maxWait);
  into.mutations += from.mutations;
  into.blindMutations += from.blindMutations;
}

describe('chaos: 3 processes on one real Redis through stop, pause, slowdown and killed subscribers', () => {
  let server: RedisServer | undefined;
  let truthDir = '';
  let workers: Worker[] = [];

  const t0 = Date.now();
  const phases: { name: string; from: number; figures: Figures }[] = [];
  const phaseAt = (t: number) => phases.findLast((p) => p.from <= t) ?? phases[0];
  const enter = (name: string): void => {
    phases.push({ name, from: Date.now(), figures: emptyFigures() });
  };
  const current = () => phases[phases.length - 1];

  const issued = new Map<string, number>();
  /** Every mutation, by `family:key:version`: where and how it ran. */
  const mutations = new Map<
    string,
    { phase: string; worker: number; blind: boolean; published: number; committed?: string }
  >();
  /** Stale reads counted by the first mutation they missed: family, its phase, whether its worker knew Redis was down. */
  const staleCauses = new Map<string, number>();
  const problems = {
    stale: [] as string[],
    wrong: [] as string[],
    slow: [] as string[],
    unhandled: [] as string[],
    unpropagated: [] as string[],
    late: [] as string[],
    recovery: [] as string[],
  };
  const note = (list: string[], text: string): void => {
    if (list.length < 25) list.push(text);
  };
  const timings = { maxPropagation: 0, maxMutation: 0, maxDetection: 0, maxRecovery: 0, maxHitsResumed: 0 };

  /** Watches for the first cache hit of every worker and family in calls started after `since`. */
  const hitWatches: { since: number; seen: Set<string>; done: () => void; at: Map<string, number> }[] = [];

  const onCalls = (worker: Worker, calls: readonly CallRecord[]): void => {
    for (const [f, k, floor, version, latency, methodMs, fellBack, joined, startedAt] of calls) {
      const family = FAMILIES[f] as Family;
      const key = KEYS[k] as string;
      const phase = phaseAt(startedAt);
      if (phase === undefined) continue;
      const figures = phase.figures;
      const where = () =>
        `${phase.name}: worker ${worker.index} ${family}:${key} at +${startedAt - t0} ms ` +
        `(latency ${latency.toFixed(1)} ms, method ${methodMs.toFixed(1)} ms)`;
      figures.calls++;
      figures.fellBack += fellBack;
      figures.maxLatency = Math.max(figures.maxLatency, latency);
      const wait = latency - methodMs;
      figures.maxWait = Math.max(figures.maxWait, wait);
      if (wait > LATENCY_ALLOWANCE) note(problems.slow, `${where()}: waited ${wait.toFixed(1)} ms`);
      if (version < 0) {
        figures.wrong++; // the worker sent the details as 'bad'
      } else if (version > (issued.get(`${family}:${key}`) ?? 0)) {
        figures.wrong++;
        note(problems.wrong, `${where()}: returned v${version}, never written`);
      } else if (version < floor) {
        figures.stale++;
        const missed = mutations.get(`${family}:${key}:${version + 1}`);
        const cause =
          missed === undefined
            ? `${family}: unknown mutation`
            : `${family}: missed a mutation made in phase "${missed.phase}" by a worker whose ${family} link ` +
              (missed.blind ? 'had marked Redis unavailable' : 'was up') +
              (family === 't' ? ` (${missed.published} bus message(s) published)` : '') +
              (joined === 1 ? ', served by joining a load from before it whose write was in flight' : '');
        const seen = staleCauses.get(cause) ?? 0;
        staleCauses.set(cause, seen + 1);
        // A few examples of each cause.
        if (seen < 3) {
          note(
            problems.stale,
            `${where()}: returned v${version} after v${floor} was committed; v${version + 1} was made in ` +
              `"${missed?.phase}" by worker ${missed?.worker}${missed?.blind === true ? ' (blind)' : ''}` +
              (missed?.committed === undefined ? '' : `, committed: ${missed.committed}`) +
              (joined === 1 ? '; joined the load of the previous call' : ''),
          );
        }
      }
      if (fellBack === 0) {
        for (const watch of hitWatches) {
          if (startedAt < watch.since) continue;
          const id = `${worker.index}/${family}`;
          if (!watch.at.has(id)) watch.at.set(id, startedAt - watch.since);
          watch.seen.add(id);
          if (watch.seen.size === WORKERS * FAMILIES.length) watch.done();
        }
      }
    }
  };

  const onMessage = (worker: Worker, message: FromWorker): void => {
    if (message.type === 'calls') onCalls(worker, message.calls);
    else if (message.type === 'bad') note(problems.wrong, `worker ${worker.index}: ${message.detail}`);
    else if (message.type === 'unhandled')
      problems.unhandled.push(`worker ${worker.index} ${message.kind}: ${message.detail}`);
  };

  /** Polls until `check` holds; fails the run after `bound` ms. Returns the ms it took. */
  const until = async (what: string, bound: number, check: () => Promise<boolean>): Promise<number> => {
    const started = performance.now();
    for (;;) {
      if (await check()) return performance.now() - started;
      if (performance.now() - started > bound) throw new Error(`${what}: not within ${bound} ms`);
      await sleep(10);
    }
  };
  const probes = () => Promise.all(workers.map((w) => w.probe()));

  // Mutations run one at a time.
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(task: () => Promise<T>): Promise<T> => {
    const run = queue.then(task);
    queue = run.catch(() => undefined);
    return run;
  };

  /** Commits of blind mutations, waiting for their worker's link to return. */
  const deferred: Promise<void>[] = [];
  const commitDelays: number[] = [];

  /**
   * Waits until every worker but `by` applied `by`'s bus messages up to
   * `target`, has its bus down (L1 not served, and dropped when the bus
   * returns), or reset its bus (dropping L1) since `after` was taken. A reset
   * since `before` (taken before the mutation) but before `after` also counts
   * once a message sent to a live subscription would have arrived: that
   * subscription started after the message, so it dropped L1 after it.
   */
  const propagated = async (
    by: Worker,
    target: number,
    before: readonly ProbeReply[],
    what: string,
    blind: boolean,
  ): Promise<string> => {
    const others = workers.filter((w) => w !== by);
    const after = await Promise.all(others.map((w) => w.probe(by.instanceId)));
    const started = performance.now();
    for (;;) {
      const states = await Promise.all(others.map((w) => w.probe(by.instanceId)));
      const elapsed = performance.now() - started;
      const reasons = states.map((s, i) =>
        s.seq >= target
          ? 'applied'
          : !s.busUp
            ? 'bus down'
            : s.resets > (after[i] as ProbeReply).resets
              ? 'reset after'
              : s.resets > (before[i] as ProbeReply).resets && elapsed > DELIVERY_GRACE
                ? 'reset during'
                : undefined,
      );
      const lagging = states.filter((_, i) => reasons[i] === undefined);
      if (lagging.length === 0) {
        timings.maxPropagation = Math.max(timings.maxPropagation, elapsed);
        // Redis acknowledged the mutation: its messages were out when it resolved, and arrive in milliseconds.
        if (!blind && elapsed > DELIVERY_GRACE) {
          note(problems.late, `${what}: messages applied everywhere only after ${elapsed.toFixed(0)} ms`);
        }
        return `${reasons.join(', ')} after ${elapsed.toFixed(0)} ms`;
      }
      if (elapsed > PROPAGATION_BOUND) {
        note(
          problems.unpropagated,
          `${what} (bus messages up to seq ${target}) not applied by ${lagging.length} worker(s) ` +
            `within ${PROPAGATION_BOUND} ms: ${JSON.stringify(lagging)}`,
        );
        return 'not propagated';
      }
      await sleep(5);
    }
  };

  /**
   * Runs one mutation and commits it: from then on no call may return an older
   * version. A mutation whose worker had marked Redis unavailable (before or
   * after it) may not have reached Redis or the bus: it is committed once
   * that worker's link is back (so a store that replays lost invalidations
   * when it reconnects has done so, BLIND_SETTLE later) and whatever that
   * worker published by then was applied everywhere. Others are committed
   * once they returned and their messages were applied.
   */
  const mutate = (family: Family, key: string, by: Worker): Promise<MutateReply> =>
    serial(async () => {
      const id = `${family}:${key}`;
      const version = (issued.get(id) ?? 0) + 1;
      issued.set(id, version);
      const phase = current();
      const what = `${phase?.name}: ${id} v${version} by worker ${by.index}`;
      const before = family === 't' ? await Promise.all(workers.filter((w) => w !== by).map((w) => w.probe())) : [];
      const reply = await by.mutate(family, key, version);
      if (reply.error !== undefined) throw new Error(`worker ${by.index} could not mutate ${id}: ${reply.error}`);
      const done = performance.now();
      timings.maxMutation = Math.max(timings.maxMutation, reply.latency);
      const blind = !reply.upBefore || !reply.upAfter;
      mutations.set(`${id}:${version}`, {
        phase: phase?.name ?? '?',
        worker: by.index,
        blind,
        published: reply.sequences.length,
      });
      if (phase !== undefined) {
        phase.figures.mutations++;
        if (blind) phase.figures.blindMutations++;
      }
      const commit = async (): Promise<void> => {
        let target = Math.max(0, ...reply.sequences);
        if (blind) {
          await until(`${what}: its ${family} link back`, BLIND_BOUND, async () => {
            const state = await by.probe();
            return family === 't' ? state.l2 : state.plain;
          });
          await sleep(BLIND_SETTLE);
          target = (await by.probe()).sequence;
        }
        const info = mutations.get(`${id}:${version}`);
        if (family === 't' && info !== undefined) info.committed = await propagated(by, target, before, what, blind);
        for (const w of workers) w.post({ type: 'floor', family, key, version });
        if (blind) commitDelays.push(performance.now() - done);
      };
      if (!blind) await commit();
      else deferred.push(commit().catch((error: unknown) => note(problems.unpropagated, String(error))));
      return reply;
    });

  const pick = <T>(list: readonly T[]): T => list[Math.floor(Math.random() * list.length)] as T;
  const randomMutation = () => mutate(pick(FAMILIES), pick(KEYS), pick(workers));

  /** Traffic runs all along; this adds a mutation every 100-200 ms for `ms`. */
  const mutateFor = async (ms: number): Promise<void> => {
    const end = performance.now() + ms;
    while (performance.now() < end) {
      await randomMutation();
      await sleep(100 + Math.random() * 100);
    }
  };

  /**
   * Mutates through a worker whose link for `family` has marked Redis
   * unavailable, once there is one. If none does within `bound`: fails the
   * run when `required`, else mutates through any worker.
   */
  const mutateBlind = async (family: Family, bound: number, required: boolean): Promise<void> => {
    const started = performance.now();
    for (;;) {
      const states = await probes();
      const found = workers[states.findIndex((s) => !(family === 't' ? s.l2 : s.plain))];
      if (found !== undefined) return void (await mutate(family, pick(KEYS), found));
      if (performance.now() - started > bound) {
        if (required) throw new Error(`no worker noticed the outage on its ${family} link within ${bound} ms`);
        return void (await mutate(family, pick(KEYS), pick(workers)));
      }
      await sleep(10);
    }
  };

  /** After Redis returns: every link and bus up, then a cache hit in every worker and family. */
  const recovery = async (what: string, since: number, sinceWall: number): Promise<void> => {
    const watch = {
      since: sinceWall,
      seen: new Set<string>(),
      done: (): void => undefined,
      at: new Map<string, number>(),
    };
    const hits = new Promise<void>((resolve) => (watch.done = resolve));
    hitWatches.push(watch);
    try {
      await until(`${what}: every worker's links and bus up again`, RECOVERY_BOUND, async () =>
        (await probes()).every((s) => s.l2 && s.plain && s.busUp),
      );
      timings.maxRecovery = Math.max(timings.maxRecovery, performance.now() - since);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), RECOVERY_BOUND)));
      const outcome = await Promise.race([hits.then(() => 'ok' as const), late]);
      clearTimeout(timer);
      if (outcome === 'late') {
        note(problems.recovery, `${what}: no cache hit within ${RECOVERY_BOUND} ms in ${[...watch.seen]} only`);
      } else {
        const resumed = Math.max(...watch.at.values());
        timings.maxHitsResumed = Math.max(timings.maxHitsResumed, resumed);
        if (resumed > RECOVERY_BOUND) note(problems.recovery, `${what}: hits resumed after ${resumed} ms`);
      }
    } finally {
      hitWatches.splice(hitWatches.indexOf(watch), 1);
    }
  };

  /** Waits until every worker noticed the outage on both links and on its bus. */
  const allDetect = async (what: string): Promise<void> => {
    const took = await until(`${what}: every worker noticing`, DETECT_BOUND, async () =>
      (await probes()).every((s) => !s.l2 && !s.plain && !s.busUp),
    );
    timings.maxDetection = Math.max(timings.maxDetection, took);
  };

  beforeAll(async () => {
    for (const file of readdirSync(join(root, 'lib'), { recursive: true, encoding: 'utf8' })) {
      if (file.endsWith('.ts')) transpile(join('lib', file));
    }
    transpile('test/chaos/fixtures/worker.ts');
    truthDir = mkdtempSync(join(tmpdir(), 'memokit-chaos-'));
    for (const family of FAMILIES) for (const key of KEYS) writeFileSync(join(truthDir, `${family}-${key}`), '0');
    server = await startRedisServer({ args: debugArgs() });
    const config: WorkerConfig = {
      url: server.url,
      truthDir,
      timeout: TIMEOUT,
      methodMs: METHOD_MS,
      gapMs: GAP_MS,
      lanes: LANES,
      keys: KEYS,
    };
    const script = join(out, 'test/chaos/fixtures/worker.js');
    workers = Array.from({ length: WORKERS }, (_, i) => new Worker(i, script, config, onMessage));
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`workers did not start within 20 s`)), 20_000);
    });
    try {
      await Promise.race([Promise.all(workers.map((w) => w.hello)), late]);
    } finally {
      clearTimeout(timer);
    }
  }, 60_000);

  afterAll(async () => {
    for (const w of workers) w.kill();
    await server?.stop();
    rmSync(out, { recursive: true, force: true });
    if (truthDir !== '') rmSync(truthDir, { recursive: true, force: true });
  });

  it('serves correct, never stale values within the timeout and recovers after every fault', async () => {
    const redis = server as RedisServer;
    const wallStart = performance.now();
    enter('healthy');
    for (const w of workers) w.post({ type: 'start' });
    await mutateFor(4000);

    // Two cycles of every fault; the second one with other DEBUG SLEEP lengths.
    for (let cycle = 0; cycle < 2; cycle++) {
      // Stopped: connections close, every worker notices at once; Redis comes back empty.
      enter('stopping');
      await redis.stop();
      await allDetect('stopped');
      enter('stopped');
      for (const w of workers) {
        await mutate('t', pick(KEYS), w);
        await mutate('r', pick(KEYS), w);
      }
      await mutateFor(1500);
      enter('restarting');
      await redis.restart();
      enter('restarted');
      await recovery(`restart (cycle ${cycle})`, performance.now(), Date.now());
      await mutateFor(2500);

      // Paused: sockets stay open and nothing answers. Mutations by a worker that already noticed,
      // then by any worker. Redis keeps its data: entries these mutations invalidated must not return.
      enter('pausing');
      redis.pause();
      try {
        await mutateBlind('r', DETECT_BOUND, true);
        await allDetect('paused');
        enter('paused');
        await mutateBlind('t', DETECT_BOUND, true);
        await mutateFor(1500);
        enter('resuming');
      } finally {
        redis.resume();
      }
      enter('resumed');
      await recovery(`resume (cycle ${cycle})`, performance.now(), Date.now());
      await mutateFor(2500);

      // Slowed: DEBUG SLEEP blocks the server (sent on a connection of its own); calls time out.
      for (const seconds of cycle === 0 ? [0.5, 0.5, 0.5] : [0.3, 0.8, 1.5]) {
        enter('slowed');
        const sleeping = rawCommand(redis.port, `DEBUG SLEEP ${seconds}`, 5000);
        await mutateBlind('r', seconds * 1000 - 50, false);
        await randomMutation();
        expect(await sleeping).toMatch(/^\+OK/);
        enter('after-sleep');
        await recovery(`DEBUG SLEEP ${seconds} (cycle ${cycle})`, performance.now(), Date.now());
        await mutateFor(1000);
      }

      // Killed subscribers: every bus connection drops and reconnects; messages published meanwhile are lost.
      for (let round = 0; round < 3; round++) {
        enter('pubsub-killed');
        const killed = await rawCommand(redis.port, 'CLIENT KILL TYPE pubsub');
        const [killedAt, killedWall] = [performance.now(), Date.now()];
        expect(Number(/^:(\d+)/.exec(killed)?.[1])).toBeGreaterThanOrEqual(WORKERS);
        await randomMutation();
        await randomMutation();
        await recovery(`pub/sub kill ${round} (cycle ${cycle})`, killedAt, killedWall);
        enter('after-kill');
        await mutateFor(1000);
      }
    }

    enter('final');
    await mutateFor(3000);
    await queue;
    await Promise.all(deferred);

    const finals = await Promise.all(workers.map((w) => w.stop()));
    await until('workers exiting', 10_000, async () => workers.every((w) => w.exit !== undefined));
    const wall = performance.now() - wallStart;

    const total = emptyFigures();
    for (const { figures } of phases) addFigures(total, figures);
    const byPhase = new Map<string, Figures>();
    for (const { name, figures } of phases) {
      const sum = byPhase.get(name) ?? emptyFigures();
      addFigures(sum, figures);
      byPhase.set(name, sum);
    }
    const row = (name: string, f: Figures) =>
      `${name.padEnd(14)} ${String(f.calls).padStart(7)} ${String(f.fellBack).padStart(9)} ${String(f.stale).padStart(6)} ` +
      `${String(f.wrong).padStart(6)} ${f.maxLatency.toFixed(1).padStart(8)} ${f.maxWait.toFixed(1).padStart(8)} ` +
      `${String(f.mutations).padStart(5)} ${String(f.blindMutations).padStart(6)}`;
    console.log(
      [
        `chaos suite: ${WORKERS} workers x ${LANES} lanes x 2 families, timeout ${TIMEOUT} ms, method ${METHOD_MS} ms, ` +
          `${(wall / 1000).toFixed(1)} s of traffic`,
        `phase            calls fell-back  stale  wrong   max ms  wait ms  muts  blind`,
        ...[...byPhase].map(([name, f]) => row(name, f)),
        row('TOTAL', total),
        `calls made ${total.calls}, fell back to the method ${total.fellBack}, stale reads ${total.stale}, ` +
          `wrong values ${total.wrong}, max latency ${total.maxLatency.toFixed(1)} ms ` +
          `(max beyond the method ${total.maxWait.toFixed(1)} ms, allowed ${LATENCY_ALLOWANCE})`,
        `detection <= ${timings.maxDetection.toFixed(0)} ms, invalidation applied everywhere <= ` +
          `${timings.maxPropagation.toFixed(0)} ms, mutation <= ${timings.maxMutation.toFixed(0)} ms, ` +
          `recovery (links and buses up) <= ${timings.maxRecovery.toFixed(0)} ms, ` +
          `hits resumed <= ${timings.maxHitsResumed.toFixed(0)} ms (bound ${RECOVERY_BOUND}); ` +
          `${commitDelays.length} blind mutations committed <= ` +
          `${Math.max(0, ...commitDelays).toFixed(0)} ms after they returned`,
        ...finals.map(
          (f, i) =>
            `worker ${i}: tiered hits ${f.tiered.hits} loads ${f.tiered.loads} store errors ${f.tiered.storeErrors}; ` +
            `plain hits ${f.plainCache.hits} loads ${f.plainCache.loads} store errors ${f.plainCache.storeErrors}; ` +
            `L2 timeouts ${f.l2Stats.timeouts} skipped ${f.l2Stats.skipped}; plain timeouts ${f.plainStats.timeouts} ` +
            `skipped ${f.plainStats.skipped}; bus resets ${f.resets}, publish failures ${f.publishFailures}`,
        ),
        ...[...staleCauses].map(([cause, count]) => `stale reads ${String(count).padStart(5)}: ${cause}`),
        ...Object.entries(problems).flatMap(([kind, list]) => list.map((p) => `${kind}: ${p}`)),
      ].join('\n'),
    );

    // Every phase carried traffic, the faults were real (calls fell back) and the cache served hits.
    // (Killed subscribers reconnect in milliseconds: that window is short by nature.)
    for (const name of ['healthy', 'stopped', 'restarted', 'paused', 'resumed', 'slowed', 'after-kill', 'final']) {
      expect({ name, enough: (byPhase.get(name)?.calls ?? 0) >= 100 }).toEqual({ name, enough: true });
    }
    // The slowdowns were noticed: some mutations ran while their worker's link had marked Redis unavailable.
    expect((byPhase.get('slowed') as Figures).blindMutations).toBeGreaterThan(0);
    // Once every worker noticed the outage, every call ran the method.
    for (const name of ['stopped', 'paused']) {
      const f = byPhase.get(name) as Figures;
      expect({ name, fellBack: f.fellBack }).toEqual({ name, fellBack: f.calls });
    }
    expect(total.calls - total.fellBack).toBeGreaterThan(total.calls / 2);
    expect(total.mutations).toBeGreaterThan(50);

    expect(problems.unhandled).toEqual([]);
    expect(workers.map((w) => w.stderr)).toEqual(workers.map(() => ''));
    expect(workers.map((w) => w.exit)).toEqual(workers.map(() => ({ code: 0, signal: null })));
    expect(finals.map((f) => f.unhandled)).toEqual(workers.map(() => 0));
    expect(problems.wrong).toEqual([]);
    expect(total.wrong).toBe(0);
    expect(problems.slow).toEqual([]);
    expect(total.maxWait).toBeLessThanOrEqual(LATENCY_ALLOWANCE);
    expect(problems.unpropagated).toEqual([]);
    expect(problems.late).toEqual([]);
    expect(problems.recovery).toEqual([]);
    expect(problems.stale).toEqual([]);
    expect(total.stale).toBe(0);
  });
});
