import { randomUUID } from 'node:crypto';
import { PROCESS_LABEL } from '../invalidation-log.js';
import { EventEmitter } from 'node:events';
import type { Cluster, Redis, RedisOptions } from 'ioredis';
import { parseDuration, type Duration } from '../../util/duration.js';
import { messages } from '../../util/messages.js';
import { assertKnownOptions, nonEmptyString, positiveInt } from '../../util/options.js';
import type { Clock } from '../contract.js';
import { duplicateClient, loadIoredis, quitClient } from '../redis/client.js';
import type { RedisClient, RedisConnectionOptions } from '../redis/types.js';
import { CircuitBreaker, reconnectDelay } from '../resilience/circuit-breaker.js';
import { withDeadline } from '../resilience/deadline.js';
import { ReplayQueue, type ReplayId } from '../resilience/replay-queue.js';
import { BusMessageError } from './bus-errors.js';
import { busMessageProblem, MAX_BUS_MESSAGE_LENGTH, type BusMessage, type InvalidationBus } from './bus-message.js';

/**
 * Options of a {@link RedisBus}.
 *
 * @example
 * ```ts
 * new RedisBus({ url: 'redis://127.0.0.1:6379', channel: 'shop:memokit' });
 * ```
 */
export interface RedisBusOptions {
  /**
   * Redis URL for the publisher and subscriber connections. Give `url`,
   * `redis` (or both), or `client`: a bus with none of them is an error.
   */
  url?: string;
  /** ioredis options (combined with `url`). */
  redis?: RedisConnectionOptions;
  /**
   * An existing ioredis `Redis` or `Cluster` client: the bus opens its
   * publisher and subscriber connections with `client.duplicate()` (same
   * servers, same options), closes those on {@link RedisBus.close} and leaves
   * `client` open. Not combined with `url` or `redis`.
   *
   * @default undefined
   */
  client?: RedisClient;
  /**
   * The pub/sub channel; processes sharing a cache must use the same one.
   *
   * @default 'memokit:bus'
   */
  channel?: string;
  /**
   * Longest wait for a publish or a heartbeat answer.
   *
   * @default 250 (ms)
   */
  timeout?: number;
  /**
   * How often the subscriber connection is PINGed. A frozen Redis (paused,
   * overloaded, a half-open connection) keeps the socket open, so without it
   * a process serving from L1 would not notice the outage; a missed answer
   * resets L1 like a disconnect.
   *
   * @default 1000 (ms)
   */
  heartbeat?: number;
  /**
   * Most publishers whose sequence numbers are remembered; past it the one
   * heard from longest ago is forgotten. A forgotten publisher that speaks
   * again with a number other than 1 resets L1 (its gap cannot be checked),
   * so gaps of live peers are never missed.
   *
   * @default 10000
   */
  maxPublishers?: number;
  /**
   * How long a publisher not heard from is remembered (its process may have
   * ended); forgotten as for {@link RedisBusOptions.maxPublishers}.
   *
   * @default '1h'
   */
  publisherTtl?: Duration;
  /**
   * Where the bus reads time (for {@link RedisBusOptions.publisherTtl}).
   * Inject a fake clock in tests instead of sleeping.
   *
   * @default performance
   */
  clock?: Clock;
}

/** Every option of {@link RedisBusOptions}: anything else is a mistake. */
const BUS_OPTIONS = [
  'url',
  'redis',
  'client',
  'channel',
  'timeout',
  'heartbeat',
  'maxPublishers',
  'publisherTtl',
  'clock',
] as const satisfies readonly (keyof RedisBusOptions)[];

/** Most failed publishes kept for {@link RedisBus} to send again (past it, one reset for every peer). */
const MAX_UNSENT = 1000;

/** A publisher's last sequence number and when it was heard (bus clock). */
interface Heard {
  seq: number;
  at: number;
}

/**
 * An {@link InvalidationBus} over Redis pub/sub: one publisher and one
 * subscriber connection. Each process numbers its messages; a subscriber that
 * sees a gap, or loses its connection, emits `reset`. Anything on the channel
 * that is not a valid {@link BusMessage} is dropped, counted in
 * `invalidMessages` and emitted as `'invalid'` (a {@link BusMessageError},
 * code `E_INVALID_BUS_MESSAGE`); it never reaches `'message'` listeners.
 *
 * @example
 * ```ts
 * const bus = new RedisBus({ url: process.env.REDIS_URL, channel: 'shop:memokit' });
 * await bus.ready();
 * ```
 */
export class RedisBus extends EventEmitter implements InvalidationBus {
  /** `host#pid#<8 random hex>`: peers' records of this process's invalidations name it. */
  readonly instanceId = `${PROCESS_LABEL}#${randomUUID().slice(0, 8)}`;
  readonly #channel: string;
  readonly #timeout: number;
  readonly #pub: Redis | Cluster;
  readonly #sub: Redis | Cluster;
  /** Publishers by id, the one heard from longest ago first. */
  readonly #lastSeq = new Map<string, Heard>();
  readonly #maxPublishers: number;
  readonly #publisherTtl: number;
  readonly #clock: Clock;
  /** A publisher was forgotten since the subscription started: an unknown one may have a gap. */
  #forgot = false;
  #seq = 0;
  #up = false;
  #closed = false;
  #beating = false;
  readonly #heartbeat: ReturnType<typeof setInterval>;
  /**
   * Publishes that failed or were not sent (Redis known down for the publisher). They are sent
   * again, renumbered, once the publisher answers: peers then see a gap in this process's sequence
   * numbers and drop their L1.
   */
  publishFailures = 0;
  /** Messages on the channel that were not valid bus messages (dropped, each reported as an `'invalid'` event). */
  invalidMessages = 0;
  /** Gaps seen in a peer's sequence numbers (each made the tiered store drop its L1). */
  gaps = 0;
  /**
   * Publishes that returned with their message kept, not sent, because the
   * publisher connection was known down (sent later, in order).
   */
  publishSkipped = 0;
  /**
   * Trips when the publisher stops answering (a publish timed out): later publishes fail fast until a
   * PING answers. No timer of its own: the heartbeat retries, and so does a publish whose
   * invalidation Redis acknowledged (see {@link RedisBus.publish}).
   */
  readonly #publisher = new CircuitBreaker();
  /** Messages that could not be published, sent again (in order) once the publisher answers. */
  readonly #unsent = new ReplayQueue<Omit<BusMessage, 'v' | 'from' | 'seq'>>(MAX_UNSENT);
  /** The flush running, if any (see {@link RedisBus.#flush}). */
  #flushing: Promise<void> | undefined = undefined;

  constructor(options: RedisBusOptions) {
    super();
    const where = 'new RedisBus()';
    assertKnownOptions(where, options, BUS_OPTIONS);
    // The public type is memokit's structural RedisClient (no ioredis types in the .d.ts); duplicate() is checked below.
    const client = options.client as Redis | Cluster | undefined;
    if (client === undefined && options.url === undefined && options.redis === undefined) {
      throw new TypeError(messages.REDIS_CONNECTION_OPTIONS(where, []));
    }
    if (client !== undefined && (options.url !== undefined || options.redis !== undefined)) {
      throw new TypeError(messages.BUS_CLIENT_COMBINED(where, options.url !== undefined ? 'url' : 'redis'));
    }
    if (
      client !== undefined &&
      (typeof client !== 'object' || client === null || typeof client.duplicate !== 'function')
    ) {
      throw new TypeError(messages.BAD_BUS_CLIENT(where, client));
    }
    this.#channel = nonEmptyString(where, 'channel', options.channel, 'memokit:bus');
    this.#timeout = parseDuration(options.timeout ?? 250, where, 'timeout');
    const heartbeat = parseDuration(options.heartbeat ?? 1000, where, 'heartbeat');
    this.#maxPublishers = positiveInt(where, 'maxPublishers', options.maxPublishers, 10_000);
    this.#publisherTtl = parseDuration(options.publisherTtl ?? '1h', where, 'publisherTtl');
    this.#clock = options.clock ?? performance;
    // The subscriber keeps its offline queue so that (re)subscribing waits for the connection.
    const subOverrides: RedisOptions = { enableOfflineQueue: true, autoResubscribe: false };
    if (client !== undefined) {
      // The same servers and options as the caller's client (a Cluster stays a Cluster).
      this.#pub = duplicateClient(client);
      this.#sub = duplicateClient(client, subOverrides);
    } else {
      const { Redis: RedisClient } = loadIoredis(where);
      const base: RedisOptions = {
        enableOfflineQueue: false,
        connectTimeout: 2000,
        maxRetriesPerRequest: 0,
        retryStrategy: reconnectDelay,
        ...options.redis,
      };
      this.#pub = options.url === undefined ? new RedisClient(base) : new RedisClient(options.url, base);
      const subOptions: RedisOptions = { ...base, ...subOverrides };
      this.#sub = options.url === undefined ? new RedisClient(subOptions) : new RedisClient(options.url, subOptions);
    }
    this.#pub.on('ready', () => {
      if (!this.#unsent.empty) void this.#flush();
    });
    this.#pub.on('error', () => undefined);
    this.#sub.on('error', () => undefined);
    this.#sub.on('message', (channel: string, text: unknown) => {
      if (channel === this.#channel) this.#receive(text);
    });
    this.#sub.on('close', () => this.#down('subscriber connection closed'));
    this.#sub.on('ready', () => this.#subscribe());
    this.#heartbeat = setInterval(() => void this.#beat(), heartbeat);
    this.#heartbeat.unref();
  }

  /** PINGs the subscriber connection; no answer within `timeout` means messages may be lost. */
  async #beat(): Promise<void> {
    // A publisher known down (or with messages to send again) is probed on the same beat.
    if (this.#publisher.tripped || !this.#unsent.empty) void this.#flush();
    if (this.#beating || this.#closed || this.#sub.status !== 'ready') return;
    this.#beating = true;
    try {
      await withDeadline(this.#sub.ping(), this.#timeout, 'heartbeat');
      // Answering again after a missed beat: the subscription survived, but start over from an empty L1.
      if (!this.#up && !this.#closed) this.#subscribe();
    } catch {
      this.#down('heartbeat not answered');
    } finally {
      this.#beating = false;
    }
  }

  get up(): boolean {
    return this.#up;
  }

  /** Resolves `true` once subscribed (or `false` after `timeout` ms). */
  ready(timeout = 5000): Promise<boolean> {
    if (this.#up) return Promise.resolve(true);
    let onUp = (): void => undefined;
    const up = new Promise<boolean>((resolve) => this.once('up', (onUp = () => resolve(true))));
    return withDeadline(up, timeout, 'ready').catch(() => {
      this.off('up', onUp);
      return false;
    });
  }

  #subscribe(): void {
    if (this.#closed) return;
    this.#sub.subscribe(this.#channel).then(
      () => {
        if (this.#closed) return;
        // Whatever was published while we were not subscribed is lost: start from an empty L1.
        this.#lastSeq.clear();
        this.#forgot = false;
        this.emit('reset', 'subscribed');
        this.#up = true;
        this.emit('up');
      },
      () => this.#down('subscribe failed'),
    );
  }

  #down(reason: string): void {
    if (!this.#up) return;
    this.#up = false;
    this.emit('reset', reason);
  }

  /** How many publishers' sequence numbers are remembered (at most `maxPublishers`). */
  get publishers(): number {
    return this.#lastSeq.size;
  }

  /** Counts, reports and drops a message that is not a valid bus message. */
  #invalid(why: string): void {
    this.invalidMessages++;
    const error = new BusMessageError(messages.BUS_MESSAGE_INVALID(this.#channel, why));
    if (this.listenerCount('invalid') > 0) this.emit('invalid', error);
  }

  #receive(text: unknown): void {
    if (typeof text !== 'string') return this.#invalid('not text');
    if (text.length > MAX_BUS_MESSAGE_LENGTH) {
      this.#invalid(`longer than ${MAX_BUS_MESSAGE_LENGTH} characters, not parsed`);
      // It may have been an invalidation too large to read: drop L1 rather than risk serving what it removed.
      this.emit('reset', 'a message too long to read');
      return;
    }
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      return this.#invalid('not JSON');
    }
    const problem = busMessageProblem(message);
    if (problem !== undefined) return this.#invalid(problem);
    const valid = message as BusMessage;
    if (valid.from === this.instanceId) return;
    const now = this.#clock.now();
    this.#forget(now);
    const heard = this.#lastSeq.get(valid.from);
    if (heard === undefined) {
      this.#remember(valid.from, valid.seq, now);
      // Its first message (1), or one from before the subscription; but if it may be a forgotten publisher, its
      // gap cannot be checked: drop L1.
      if (valid.seq !== 1 && this.#forgot) {
        this.emit('reset', `message ${valid.seq} from ${valid.from}, a publisher not remembered`);
      }
    } else {
      const last = heard.seq;
      // Moved to the end: the map stays ordered by when each publisher was heard.
      this.#lastSeq.delete(valid.from);
      heard.seq = valid.seq;
      heard.at = now;
      this.#lastSeq.set(valid.from, heard);
      // A gap: drop L1, then still deliver this message (it may have to be applied in Redis: `applied: false`).
      if (valid.seq !== last + 1) {
        this.gaps++;
        this.emit('reset', `gap in messages from ${valid.from}: ${last} then ${valid.seq}`);
      }
    }
    this.emit('message', valid);
  }

  #remember(from: string, seq: number, now: number): void {
    this.#lastSeq.set(from, { seq, at: now });
    if (this.#lastSeq.size <= this.#maxPublishers) return;
    const oldest = this.#lastSeq.keys().next();
    if (oldest.done !== true) this.#lastSeq.delete(oldest.value);
    this.#forgot = true;
  }

  /** Forgets publishers not heard from for `publisherTtl` (the oldest are first). */
  #forget(now: number): void {
    for (const [id, heard] of this.#lastSeq) {
      if (now - heard.at <= this.#publisherTtl) return;
      this.#lastSeq.delete(id);
      this.#forgot = true;
    }
  }

  /** Whether publishes are sent now: the publisher is connected and has not stopped answering. */
  get publishing(): boolean {
    return !this.#closed && !this.#publisher.tripped && this.#pub.status === 'ready';
  }

  /**
   * Sends `message` to every other process, bounded by `timeout`. Never
   * rejects. While the publisher connection is known down (not connected, or
   * a publish timed out and no PING was answered since) the message is kept,
   * to be sent in order once the publisher answers (past {@link MAX_UNSENT}
   * of them, one `tags` message that makes every peer drop its L1 instead);
   * peers then see a gap in sequence numbers and drop their L1.
   *
   * A message whose invalidation Redis acknowledged (not `applied: false`)
   * shows that Redis answers now: the publish then PINGs the publisher at
   * once and sends what it kept before resolving, rather than leaving the
   * peers' L1 stale until the next heartbeat. A message Redis did not
   * acknowledge returns at once (this process's link is down: waiting again
   * would be a second timeout), so a publish waits for the timeout at most
   * once per outage.
   */
  async publish(message: Omit<BusMessage, 'v' | 'from' | 'seq'>): Promise<void> {
    if (this.#closed) return;
    if (this.publishing && this.#unsent.empty) {
      if (!(await this.#send(message))) this.#keep(message);
      return;
    }
    // Known down, or older messages still waiting: this one goes after those. Its number is used up
    // now, so peers see a gap when the kept messages go out, and drop their L1.
    this.#seq++;
    const kept = this.#keep(message);
    if (message.applied !== false) await this.#flush();
    else if (this.publishing) void this.#flush();
    // Still waiting: its own entry, or (past the bound) the catch-all that stands for it.
    if (kept === undefined ? this.#unsent.overflowed : this.#unsent.has(kept)) {
      this.publishSkipped++;
      this.publishFailures++;
    }
  }

  /** The sequence number this bus gave its latest message (0: none yet); kept messages are renumbered when sent. */
  get sequence(): number {
    return this.#seq;
  }

  /** One PUBLISH bounded by `timeout`; `false` if it failed (a timeout marks the publisher down). */
  async #send(message: Omit<BusMessage, 'v' | 'from' | 'seq'>): Promise<boolean> {
    const full: BusMessage = { v: 1, from: this.instanceId, seq: ++this.#seq, ...message };
    try {
      await withDeadline(this.#pub.publish(this.#channel, JSON.stringify(full)), this.#timeout, 'publish');
      return true;
    } catch {
      this.publishFailures++;
      this.#publisher.trip();
      return false;
    }
  }

  /** Keeps `message` to send later; its id in the queue (`undefined` past the bound: see {@link RedisBus.#flush}). */
  #keep(message: Omit<BusMessage, 'v' | 'from' | 'seq'>): ReplayId | undefined {
    // Past the bound, one catch-all message replaces them all (see #flush).
    return this.#unsent.overflowed ? undefined : this.#unsent.add(message);
  }

  /**
   * PINGs the publisher (bounded) if it is known down; once it answers,
   * sends the kept messages in order. Callers share the flush running.
   */
  #flush(): Promise<void> {
    if (this.#closed || this.#pub.status !== 'ready') return Promise.resolve();
    // Nothing to do: #drain would end without waiting, before #flushing is set.
    if (!this.#publisher.tripped && this.#unsent.empty) return Promise.resolve();
    this.#flushing ??= this.#drain();
    return this.#flushing;
  }

  async #drain(): Promise<void> {
    const unsent = this.#unsent;
    try {
      if (this.#publisher.tripped) {
        await withDeadline(this.#pub.ping(), this.#timeout, 'ping');
        this.#publisher.reset();
      }
      if (unsent.overflowed) {
        // Too many to send each: a tag invalidation of no tag makes every peer drop its whole L1.
        if (!(await this.#send({ op: 'tags', tags: [] }))) return;
        unsent.clearOverflow();
      }
      for (let next = unsent.first(); next !== undefined && !this.#closed; next = unsent.first()) {
        if (!(await this.#send(next[1]))) return;
        unsent.remove(next[0], next[1]);
      }
    } catch {
      // Still not answering: the next heartbeat tries again.
    } finally {
      // Cleared before the promise settles: a message kept from here on starts a new flush.
      this.#flushing = undefined;
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#up = false;
    clearInterval(this.#heartbeat);
    await Promise.allSettled([quitClient(this.#pub), quitClient(this.#sub)]);
  }
}
