/**
 * A deterministic scheduler for interleaving exploration.
 *
 * Every await point that matters (a caller arriving, a database read taking its
 * snapshot or returning, a write committing, a slow store operation landing) is
 * a gate registered with {@link Scheduler.point}. The scheduler releases one
 * enabled gate at a time, in the order a {@link Chooser} picks, and lets every
 * microtask that release caused run to completion (one `setImmediate` turn)
 * before it picks the next one. Nothing races: the only nondeterminism is the
 * chooser's, so an ordering can be replayed from its list of choices.
 *
 * {@link exploreAll} enumerates every ordering by depth-first search over the
 * choice points (stateless model checking: each ordering is a fresh run of the
 * scenario); {@link exploreRandom} runs seeded random orderings for scenarios
 * too large to enumerate.
 */
import { deferred } from '../../helpers/deferred.js';

/** Picks one of `options` enabled gates (an index in `[0, options)`). */
export type Chooser = (options: number) => number;

interface Gate {
  readonly label: string;
  /** Gates sharing a queue are released first-in first-out (a store that applies commands in order). */
  readonly queue: string | undefined;
  readonly release: () => void;
}

/** One macrotask turn: every microtask queued so far, and every one they queue, has run. */
export const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class Scheduler {
  readonly #pending: Gate[] = [];
  #manual = false;
  #time = 0;
  /** Labels of the released gates, in order: the ordering this run explored. */
  readonly schedule: string[] = [];

  /** A logical timestamp: strictly increasing, shared by everything in one run. */
  stamp(): number {
    return ++this.#time;
  }

  /**
   * An await point. While the scheduler is driving, the returned promise
   * resolves when the chooser picks this gate; otherwise (setup, teardown) at once.
   */
  point(label: string, queue?: string): Promise<void> {
    if (!this.#manual) return Promise.resolve();
    const gate = deferred<void>();
    this.#pending.push({ label, queue, release: () => gate.resolve() });
    return gate.promise;
  }

  /** Pending gates that may be released now: all unqueued ones, and the head of each queue. */
  #enabled(): Gate[] {
    const heads = new Set<string>();
    const enabled: Gate[] = [];
    for (const gate of this.#pending) {
      if (gate.queue === undefined) enabled.push(gate);
      else if (!heads.has(gate.queue)) {
        heads.add(gate.queue);
        enabled.push(gate);
      }
    }
    return enabled;
  }

  /** From now on, await points wait for {@link Scheduler.drive} to release them. */
  hold(): void {
    this.#manual = true;
  }

  /** Releases gates in the chooser's order until none is pending, then lets points pass again. */
  async drive(choose: Chooser, maxSteps = 500): Promise<void> {
    if (!this.#manual) throw new Error('scheduler: call hold() before starting the actors');
    try {
      await settle();
      for (let step = 0; this.#pending.length > 0; step++) {
        if (step >= maxSteps) throw new Error(`scheduler: more than ${maxSteps} steps, a livelock?`);
        const enabled = this.#enabled();
        const picked = choose(enabled.length);
        const gate = enabled[picked];
        if (gate === undefined) throw new Error(`scheduler: choice ${picked} out of ${enabled.length}`);
        this.#pending.splice(this.#pending.indexOf(gate), 1);
        this.schedule.push(gate.label);
        gate.release();
        await settle();
      }
    } finally {
      this.#manual = false;
    }
  }
}

/** What an exploration did: how many orderings it ran, and how many of them were distinct. */
export interface Exploration {
  readonly runs: number;
  readonly distinct: number;
}

/** Runs one ordering with the given chooser and returns its schedule (released gate labels). */
export type RunOnce = (choose: Chooser) => Promise<readonly string[]>;

/**
 * Every ordering, depth-first: replays the prefix of choices that led to the
 * last unexplored branch, then takes the first option at every new choice point.
 */
export async function exploreAll(run: RunOnce, limit = 200_000): Promise<Exploration> {
  let prefix: number[] = [];
  const schedules = new Set<string>();
  let runs = 0;
  for (;;) {
    const trace: { choice: number; options: number }[] = [];
    const choose: Chooser = (options) => {
      const depth = trace.length;
      const choice = depth < prefix.length ? prefix[depth]! : 0;
      if (choice >= options) {
        throw new Error(`explorer: replay diverged at depth ${depth} (choice ${choice} of ${options}): nondeterminism`);
      }
      trace.push({ choice, options });
      return choice;
    };
    const schedule = await run(choose);
    runs++;
    schedules.add(schedule.join(' | '));
    if (runs > limit) throw new Error(`explorer: more than ${limit} orderings; use exploreRandom`);
    let depth = trace.length - 1;
    while (depth >= 0 && trace[depth]!.choice + 1 >= trace[depth]!.options) depth--;
    if (depth < 0) return { runs, distinct: schedules.size };
    prefix = [...trace.slice(0, depth).map((t) => t.choice), trace[depth]!.choice + 1];
  }
}

/** A small, fast, seedable PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** `count` orderings, the n-th picking uniformly at random with seed `firstSeed + n`. */
export async function exploreRandom(run: RunOnce, count: number, firstSeed = 1): Promise<Exploration> {
  const schedules = new Set<string>();
  for (let n = 0; n < count; n++) {
    const random = prng(firstSeed + n);
    const seed = firstSeed + n;
    let schedule: readonly string[];
    try {
      schedule = await run((options) => Math.floor(random() * options));
    } catch (error) {
      if (error instanceof Error) error.message = `[seed ${seed}] ${error.message}`;
      throw error;
    }
    schedules.add(schedule.join(' | '));
  }
  return { runs: count, distinct: schedules.size };
}

/** The number of interleavings of independent sequences of these lengths: (Σn)! / Πn!. */
export function multinomial(lengths: readonly number[]): number {
  let result = 1;
  let total = 0;
  for (const n of lengths) {
    for (let k = 1; k <= n; k++) {
      total++;
      result = (result * total) / k;
    }
  }
  return Math.round(result);
}
