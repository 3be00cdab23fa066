/**
 * The connection a Redis store and its namespaces share: every call goes
 * through {@link RedisConnection.exec}, which skips it while Redis is
 * unavailable (a circuit breaker), bounds it by `timeout` (a deadline queue)
 * and counts and reports failures. Invalidations that failed during an outage
 * are replayed, in order, before calls resume (a replay queue).
 */
import { EventEmitter } from 'node:events';
import type { StoreKey } from '../../keys/keys.js';
import { channels } from '../../util/diagnostics.js';
import { messages } from '../../util/messages.js';
import { CircuitBreaker } from '../resilience/circuit-breaker.js';
import { DeadlineQueue, withDeadline, type Deadlined } from '../resilience/deadline.js';
import { ReplayQueue } from '../resilience/replay-queue.js';
import { watchClient } from './client.js';
import { RedisStoreError } from './errors.js';
import type { RedisClient } from './types.js';

const noop = (): void => {};
const isReplyError = (error: unknown): boolean => error instanceof Error && error.name === 'ReplyError';
/** Reply errors that mean the server cannot serve now (rather than that this call was wrong). */
const SERVER_DOWN = /^(LOADING|CLUSTERDOWN|MASTERDOWN|TRYAGAIN|BUSY)\b/;

/** An invalidation to send again once Redis answers (see {@link RedisConnection.remember}). @internal */
export interface Replay {
  /** Identity: a later replay with the same id replaces this one. */
  readonly id: string;
  readonly op: 'delete' | 'clear' | 'invalidateTags';
  /** The namespace's name (`''` for the root, or for tags), for messages. */
  readonly namespace: string;
  /** The namespace's path (empty for the root, or for tags). */
  readonly path: readonly string[];
  /** The key a delete removed. */
  readonly key?: StoreKey;
  readonly tags?: readonly string[];
  send(client: RedisClient): Promise<unknown>;
}

/** Most invalidations remembered while Redis is unavailable (then every namespace is cleared instead). */
const MAX_REPLAYS = 10_000;

/** A call {@link RedisConnection.exec} sent and has not settled yet. */
class PendingCall implements Deadlined {
  settled = false;
  deadline = 0;
  constructor(
    readonly reject: (error: unknown) => void,
    readonly where: string,
    readonly op: string,
    readonly namespace: string,
  ) {}
}

/** The connection shared by a store and its namespaces: availability, timeouts, figures, events. */
export class RedisConnection {
  readonly emitter = new EventEmitter();
  readonly client: RedisClient;
  /** Whether the store created the client (and so closes it). */
  readonly owned: boolean;
  readonly timeout: number;
  readonly counts = {
    errors: 0,
    timeouts: 0,
    failures: 0,
    connectionErrors: 0,
    skipped: 0,
    corrupt: 0,
    unserializable: 0,
    tooLarge: 0,
  };
  #closed = false;
  readonly #breaker: CircuitBreaker;
  readonly #calls: DeadlineQueue<PendingCall>;
  readonly #unwatch: () => void;
  readonly #onReady = (): void => this.#recover();
  /** The connection dropped (ioredis reconnects by itself): report it once and skip calls meanwhile. */
  readonly #onClose = (): void => {
    if (this.#closed || this.#breaker.tripped) return;
    this.#markDown(
      new RedisStoreError('E_REDIS_UNAVAILABLE', messages.REDIS_CONNECTION_LOST(this.label), 'connection', ''),
    );
  };
  readonly #onClientError = (error: unknown): void => {
    this.counts.connectionErrors++;
    this.emit(
      new RedisStoreError(
        'E_REDIS_CONNECTION',
        messages.REDIS_COMMAND_FAILED(this.label, 'connection', error),
        'connection',
        '',
        { cause: error },
      ),
    );
  };

  constructor(
    /** Names the store in messages: `RedisStore("<prefix>")`. */
    readonly label: string,
    client: RedisClient,
    owned: boolean,
    timeout: number,
    retryInterval: number,
  ) {
    this.client = client;
    this.owned = owned;
    this.timeout = timeout;
    this.#breaker = new CircuitBreaker({ retryInterval, onRetry: () => this.#probe() });
    this.#calls = new DeadlineQueue(timeout, this.#expired);
    this.#unwatch = watchClient(client, this.#onReady, this.#onClose);
    // ioredis logs "Unhandled error event" for clients without an error listener; ours report through the store.
    if (owned) client.on('error', this.#onClientError);
    // A lazyConnect client would never connect, since calls are skipped until it is ready.
    if (client.status === 'wait') client.connect().catch(noop);
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Calls are sent only while the client is ready and Redis has not stopped answering. */
  available(): boolean {
    return !this.#breaker.tripped && !this.#closed && this.client.status === 'ready';
  }

  skip(): void {
    this.counts.skipped++;
  }

  unavailable(where: string, op: string, namespace: string): RedisStoreError {
    this.counts.skipped++;
    const message = this.#closed
      ? messages.REDIS_STORE_CLOSED(where, op)
      : messages.REDIS_UNAVAILABLE(
          where,
          op,
          this.client.status === 'ready'
            ? 'it stopped answering; calls resume when it answers a PING'
            : `client status "${this.client.status}"`,
        );
    return new RedisStoreError('E_REDIS_UNAVAILABLE', message, op, namespace);
  }

  emit(error: RedisStoreError): void {
    this.counts.errors++;
    if (this.emitter.listenerCount('error') > 0) this.emitter.emit('error', error);
  }

  /**
   * Sends one call, bounded by `timeout`. Rejects with a {@link RedisStoreError}
   * when Redis is unavailable, too slow or rejects the call.
   */
  exec<T>(where: string, op: string, namespace: string, send: () => Promise<T>): Promise<T> {
    if (!this.available()) return Promise.reject(this.unavailable(where, op, namespace));
    return new Promise<T>((resolve, reject) => {
      const call = new PendingCall(reject, where, op, namespace);
      const calls = this.#calls;
      calls.track(call);
      send().then(
        (value) => {
          if (calls.settle(call)) resolve(value);
        },
        (cause: unknown) => {
          if (!calls.settle(call)) return;
          this.counts.failures++;
          const error = new RedisStoreError(
            'E_REDIS_COMMAND',
            messages.REDIS_COMMAND_FAILED(where, op, cause),
            op,
            namespace,
            { cause },
          );
          this.emit(error);
          if (!isReplyError(cause) || SERVER_DOWN.test((cause as Error).message)) this.#markDown(error);
          reject(error);
        },
      );
    });
  }

  /** A call got no answer within `timeout`: it rejects, and Redis is treated as unavailable. */
  readonly #expired = (call: PendingCall): void => {
    this.counts.timeouts++;
    const error = new RedisStoreError(
      'E_REDIS_TIMEOUT',
      messages.REDIS_TIMEOUT(call.where, call.op, this.timeout),
      call.op,
      call.namespace,
    );
    this.emit(error);
    this.#markDown(error);
    call.reject(error);
  };

  #markDown(error: RedisStoreError): void {
    if (this.#closed || !this.#breaker.trip()) return;
    this.emitter.emit('unavailable', error);
    if (channels.storeState.hasSubscribers)
      channels.storeState.publish({ store: this.label, state: 'unavailable', reason: error.message });
  }

  // Invalidations (deletes, clears, tag invalidations) that failed because Redis was unavailable or
  // too slow. Redis kept the entries they meant to remove, so they are sent again, in order, before
  // the store is back: no process reads those entries after this one has its connection back.
  // Bounded: past MAX_REPLAYS the queue gives way to clearing every namespace and tag this store knows.
  readonly #replays = new ReplayQueue<Replay>(MAX_REPLAYS);
  #recovering = false;
  /** Every invalidation this store could replay at once (set by the store: its namespaces and tags). */
  everything: () => Replay[] = () => [];
  /** Called with what was replayed, before the store is back (a tiered store tells its peers). */
  readonly replayed = new Set<(replays: readonly Replay[]) => Promise<void>>();

  /** Remembers an invalidation that failed while Redis is unavailable, to replay on recovery. */
  remember(replay: Replay): void {
    if (this.available() || this.#closed) return;
    // Not marked down (the client is between connections): the replay must happen before calls resume.
    if (!this.#breaker.tripped) {
      this.#markDown(
        new RedisStoreError('E_REDIS_UNAVAILABLE', messages.REDIS_CONNECTION_LOST(this.label), 'connection', ''),
      );
    }
    this.#replays.add(replay, replay.id);
  }

  /** Redis answers again: replays what failed meanwhile, then the store is back. */
  #recover(): void {
    if (!this.#breaker.tripped || this.#closed || this.#recovering) return;
    const queue = this.#replays;
    if (queue.empty) return this.#up();
    this.#recovering = true;
    const overflowed = queue.overflowed;
    const replays = overflowed ? this.everything() : queue.pending().map(([, replay]) => replay);
    this.#replay(replays).then(
      (done) => {
        this.#recovering = false;
        if (!done) return this.#breaker.retryLater();
        if (overflowed) queue.clearOverflow();
        for (const replay of replays) queue.remove(replay.id, replay);
        // Invalidations that failed while this replay ran go out before the store is back, too.
        if (!queue.empty) return this.#recover();
        this.#up();
      },
      () => {
        this.#recovering = false;
        this.#breaker.retryLater();
      },
    );
  }

  /** Sends `replays` in order; `false` as soon as one cannot be sent (Redis is still not answering). */
  async #replay(replays: readonly Replay[]): Promise<boolean> {
    for (const replay of replays) {
      if (this.#closed) return false;
      try {
        await withDeadline(replay.send(this.client), this.timeout, replay.op);
      } catch (cause) {
        // Redis refused it (a reply error): sending it again would not help; report it and go on.
        if (!isReplyError(cause)) return false;
        this.emit(
          new RedisStoreError(
            'E_REDIS_COMMAND',
            messages.REDIS_COMMAND_FAILED(this.label, replay.op, cause),
            replay.op,
            replay.namespace,
            { cause },
          ),
        );
      }
    }
    for (const listener of this.replayed) await listener(replays).catch(noop);
    return true;
  }

  #up(): void {
    if (this.#closed || !this.#breaker.reset()) return;
    this.emitter.emit('available');
    if (channels.storeState.hasSubscribers) channels.storeState.publish({ store: this.label, state: 'available' });
  }

  /** PINGs Redis (bounded by `timeout`); back up on PONG, else try again later. */
  #probe(): void {
    if (this.#closed || !this.#breaker.tripped) return;
    // Not connected: ioredis is reconnecting and its 'ready' event brings the store back.
    if (this.client.status !== 'ready') return this.#breaker.retryLater();
    withDeadline(this.client.ping(), this.timeout, 'ping').then(
      () => this.#recover(),
      () => this.#breaker.retryLater(),
    );
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#breaker.stop();
    this.#unwatch();
    if (!this.owned) return;
    try {
      if (this.client.status === 'ready') await withDeadline(this.client.quit(), this.timeout, 'quit').catch(noop);
    } finally {
      this.client.disconnect();
      this.client.off('error', this.#onClientError);
    }
  }
}
