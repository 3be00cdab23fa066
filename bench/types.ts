/**
 * The contract between the bench runner, its child processes and the cases.
 *
 * A case is one row of one group's table: one library (or the floor) measured
 * on one workload. Cases are listed in `bench/cases/index.ts`; each names the
 * module that implements it, which the child process imports lazily, so a
 * child only ever loads the one library it measures.
 */

/** What a group measures, and so how its child runs and how its rows compare. */
export type Metric =
  /** Calls per second of CPU time, higher is better; ratio = case / floor. */
  | 'throughput'
  /** 1,000 concurrent calls on a cold key: wall time over the loader's own, lower is better. */
  | 'stampede'
  /** Heap bytes per cached entry, lower is better; ratio = case / floor. */
  | 'memory';

/** A target on a case's ratio. `min` for higher-is-better metrics, `max` for lower-is-better ones. */
export interface Target {
  readonly min?: number;
  readonly max?: number;
  /** Stampede only: every trial must run the loader exactly this many times (no noise margin). */
  readonly loaderCalls?: number;
  /** Shown and reported, but a miss never fails the run (targets the bench cannot hold steadily). */
  readonly informational?: boolean;
}

/** One table. */
export interface Group {
  readonly id: string;
  /** Table heading. */
  readonly title: string;
  /** What is measured and against what, one paragraph of markdown. */
  readonly description: string;
  readonly metric: Metric;
  /**
   * Relative noise margin for `--quick` (and the exit code of full runs): a
   * case fails only when its ratio misses the target by more than this fraction.
   */
  readonly noiseMargin: number;
  /** Throughput warm-up and measurement windows (CPU ms) of this group, when they differ from the run's. */
  readonly warmupMs?: number;
  readonly measureMs?: number;
  /** Rounds for this group, when fewer than the run's (deterministic metrics). */
  readonly maxRounds?: number;
  /** Rounds for peer-library rows of this group, when fewer than the run's `peerRounds`. */
  readonly maxPeerRounds?: number;
}

/** One row of one group's table. */
export interface BenchCase {
  /** Stable identifier, `group/name`, passed to the child process. */
  readonly id: string;
  readonly group: string;
  /** The row label. */
  readonly label: string;
  /**
   * For groups rendered as a matrix (key derivation): the column. Ratios are
   * then relative to the floor of the same column.
   */
  readonly column?: string;
  /**
   * `floor`: the hand-written baseline the group's ratios are relative to
   * (at most one per group). `subject`: memokit. `reference`: a peer library.
   */
  readonly role: 'floor' | 'subject' | 'reference';
  readonly target?: Target;
  /**
   * The id of the floor case this row's ratio is relative to, when the group has several floors
   * (default: the group's first floor of the same column; a floor is relative to itself).
   */
  readonly floor?: string;
  /**
   * Throughput only: which clock the row's calls/s figure uses. `cpu` (default): CPU time of the
   * process. `wall`: wall time, for rows that wait on another process (Redis), whose CPU time would
   * leave out the time spent waiting for replies.
   */
  readonly clock?: 'cpu' | 'wall';
  /** Needs the runner's private redis-server (skipped, with a message, when redis-server is not installed). */
  readonly needsRedis?: boolean;
  /** Also run by `--quick`. */
  readonly quick?: boolean;
  /** The case's implementation: imports its library (in the child only) and returns its setup. */
  readonly load: () => Promise<Prepare>;
}

/** Builds the measured objects, in the child process dedicated to the case. */
export type Prepare = () => Promise<Prepared>;

export type Prepared = PreparedThroughput | PreparedStampede | PreparedMemory;

export interface PreparedThroughput {
  readonly metric: 'throughput';
  /** Calls made by one iteration of {@link PreparedThroughput.run} (1,000 for the concurrent case). */
  readonly callsPerIteration: number;
  /**
   * Runs `iterations` iterations; must not return before the last call settled.
   * The harness calls it in batches and times the batches.
   */
  run(iterations: number): Promise<void>;
  /** Throws when the case did not exercise the path it claims to (a "hit path" that missed...). */
  verify?(): void | Promise<void>;
}

export interface PreparedStampede {
  readonly metric: 'stampede';
  /** One trial: `concurrency` concurrent calls on the never-used key `key`; resolves when all settled. */
  stampede(key: number, concurrency: number): Promise<void>;
  /** The loader alone, awaited once (the reference wall time). Not counted in {@link PreparedStampede.loaderCalls}. */
  loaderAlone(key: number): Promise<void>;
  /** Loader runs so far caused by {@link PreparedStampede.stampede}. */
  loaderCalls(): number;
}

export interface PreparedMemory {
  readonly metric: 'memory';
  /** Caches `entries` distinct small objects, one call per key; resolves when all settled. */
  fill(entries: number): Promise<void>;
  /** Runs after measuring: throws when the entries are not all cached. */
  verify?(entries: number): void | Promise<void>;
}

/** Settings handed to a child, as JSON in argv. */
export interface ChildSettings {
  readonly warmupMs: number;
  readonly measureMs: number;
  /** Stampede trials per process. */
  readonly trials: number;
  /** Memory: entries cached. */
  readonly entries: number;
}

/** What a child prints for one round (one JSON line on stdout). */
export type RoundResult =
  | {
      readonly id: string;
      readonly metric: 'throughput';
      /** Calls per second of CPU time of the process (see `child.ts`). */
      readonly opsPerSec: number;
      /** Calls per second of wall time. */
      readonly opsPerWallSec: number;
      /** CPU time over wall time while measuring: below ~0.95, the process was kept waiting by other load. */
      readonly cpuShare: number;
      readonly calls: number;
    }
  | {
      readonly id: string;
      readonly metric: 'stampede';
      /** Median wall time of a trial, ms. */
      readonly wallMs: number;
      /** Median wall time of the loader alone, ms. */
      readonly loaderMs: number;
      /** Loader runs of each trial. */
      readonly loaderCalls: readonly number[];
    }
  | { readonly id: string; readonly metric: 'memory'; readonly bytesPerEntry: number; readonly entries: number };

/** A round's result as the runner keeps it: which round it was, for pairing rows measured side by side. */
export type Sample = RoundResult & { readonly round: number };
