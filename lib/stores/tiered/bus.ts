import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Cluster, Redis, RedisOptions } from 'ioredis';
import { parseDuration, type Duration } from '../../util/duration.js';
import { messages } from '../../util/messages.js';
import { positiveInt } from '../../util/options.js';
import type { Clock } from '../contract.js';
import { duplicateClient, loadIoredis, quitClient } from '../redis/client.js';
import type { RedisClient, RedisConnectionOptions } from '../redis/types.js';
import { CircuitBreaker, reconnectDelay } from '../resilience/circuit-breaker.js';
import { withDeadline } from '../resilience/deadline.js';
import { ReplayQueue } from '../resilience/replay-queue.js';
import { BusMessageError } from './bus-errors.js';

/**
 * What one process tells the others: drop these L1 entries.
 *
 * @example
 * ```ts
 * const message: BusMessage = { v: 1, from: 'a1', seq: 7, op: 'delete', ns: '["users"]', key: ['n', '42'] };
 * ```
 */
export interface BusMessage {
  readonly v: 1;
  /** Publisher's instance id. */
  readonly from: string;
  /** Publisher's sequence number, +1 per message: a gap means messages were lost. */
  readonly seq: number;
  readonly op: 'delete' | 'clear' | 'tags';
  /** Namespace id (JSON path); absent for tags. */
  readonly ns?: string;
  /** The key, type-tagged so 1 and "1" stay apart. */
  readonly key?: readonly ['n' | 's', string];
  readonly tags?: readonly string[];
  /**
   * `false`: the publisher could not apply this invalidation in Redis (its
   * own link timed out or is down, so Redis may still hold the entry).
   * Receivers apply it in Redis themselves before they read the key again.
   * Absent: Redis acknowledged it before it was published.
   */
  readonly applied?: false;
}

/**
 * Carries invalidations between processes. `up` is true while messages are
 * known to arrive; whenever it may have missed one (disconnect, reconnect,
 * sequence gap) it emits `reset`, and the tiered store drops its L1.
 *
 * @example
 * ```ts
 * bus.on('message', (m) => console.log(m.op));
 * bus.on('reset', () => console.log('L1 dropped'));
 * ```
 */
export interface InvalidationBus {
  /** This process's id (messages from it are not delivered back). */
  readonly instanceId: string;
  /** Whether the subscription is live. */
  readonly up: boolean;
  /** Sends a message to every other process. */
  publish(message: Omit<BusMessage, 'v' | 'from' | 'seq'>): Promise<void>;
  /** Resolves `true` once the subscription is live (or `false` after `timeout` ms). */
  ready?(timeout?: number): Promise<boolean>;
  on(event: 'message', listener: (message: BusMessage) => void): void;
  on(event: 'reset', listener: (reason: string) => void): void;
  close(): Promise<void>;
}

/**
 * Options of a {@link RedisBus}.
 *
 * @example
 * ```ts
 * new RedisBus({ url: 'redis://127.0.0.1:6379', channel: 'shop:memokit' });
 * ```
 */
export interface RedisBusOptions {
  /** Redis URL for the publisher and subscriber connections. */
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

/** Longest message text read from the channel (UTF-16 units); anything longer is dropped unparsed. */
const MAX_BUS_MESSAGE_LENGTH = 1024 * 1024;
/** Longest publisher id accepted (ours are UUIDs). */
const MAX_FROM_LENGTH = 128;
const OPS: ReadonlySet<unknown> = new Set(['delete', 'clear', 'tags']);
/** Most failed publishes kept for {@link RedisBus} to send again (past it, one reset for every peer). */
const MAX_UNSENT = 1000;

/**
 * What is wrong with a parsed bus message (`undefined`: it is a valid
 * {@link BusMessage}): every field is checked for its type, length and
 * allowed values, and for what its `op` needs (`delete`: `ns` and `key`;
 * `clear`: `ns`; `tags`: `tags`). Fields a later version may add are ignored.
 *
 * @example
 * ```ts
 * busMessageProblem({ v: 1, from: 'a', seq: 1, op: 'delete', ns: '[]', key: 5 }); // 'key is not ["n" | "s", text]'
 * ```
 * @internal
 */
export function busMessageProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not an object';
  const m = value as Record<string, unknown>;
  if (m.v !== 1) return 'v is not 1';
  if (typeof m.from !== 'string' || m.from === '' || m.from.length > MAX_FROM_LENGTH) {
    return `from is not an id of 1 to ${MAX_FROM_LENGTH} characters`;
  }
  if (typeof m.seq !== 'number' || !Number.isSafeInteger(m.seq) || m.seq < 1) return 'seq is not a positive integer';
  if (!OPS.has(m.op)) return 'op is not "delete", "clear" or "tags"';
  if (m.applied !== undefined && m.applied !== false) return 'applied is neither absent nor false';
  if (m.op === 'tags') {
    if (m.ns !== undefined || m.key !== undefined) return 'a tags message has an ns or a key';
    if (!Array.isArray(m.tags) || !m.tags.every((tag) => typeof tag === 'string'))
      return 'tags is not a list of strings';
    return undefined;
  }
  if (typeof m.ns !== 'string') return 'ns is not a string';
  if (m.tags !== undefined) return `a ${String(m.op)} message has tags`;
  if (m.op === 'clear') return m.key === undefined ? undefined : 'a clear message has a key';
  const key = m.key;
  if (!Array.isArray(key) || key.length !== 2 || typeof key[1] !== 'string') return 'key is not ["n" | "s", text]';
  if (key[0] === 's') return undefined;
  if (key[0] === 'n' && String(Number(key[1])) === key[1]) return undefined;
  return 'key is not ["n" | "s", text] (a number key must be a number\'s text)';
}

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
  readonly instanceId = randomUUID();
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
   * again once the publisher answers; meanwhile peers see a gap in this process's sequence numbers
   * on its next message and drop their L1.
   */
  publishFailures = 0;
  /** Messages on the channel that were not valid bus messages (dropped, each reported as an `'invalid'` event). */
  invalidMessages = 0;
  /** Publishes not sent at all because the publisher connection was known down (no timeout waited). */
  publishSkipped = 0;
  /**
   * Trips when the publisher stops answering (a publish timed out): later publishes fail fast until a
   * PING answers. No timer of its own: the heartbeat retries.
   */
  readonly #publisher = new CircuitBreaker();
  /** Messages that could not be published, sent again (in order) once the publisher answers. */
  readonly #unsent = new ReplayQueue<Omit<BusMessage, 'v' | 'from' | 'seq'>>(MAX_UNSENT);
  #flushing = false;

  constructor(options: RedisBusOptions) {
    super();
    const where = 'new RedisBus()';
    // The public type is memokit's structural RedisClient (no ioredis types in the .d.ts); duplicate() is checked below.
    const client = options.client as Redis | Cluster | undefined;
    if (client !== undefined && (options.url !== undefined || options.redis !== undefined)) {
      throw new TypeError(messages.BUS_CLIENT_COMBINED(where, options.url !== undefined ? 'url' : 'redis'));
    }
    if (
      client !== undefined &&
      (typeof client !== 'object' || client === null || typeof client.duplicate !== 'function')
    ) {
      throw new TypeError(messages.BAD_BUS_CLIENT(where, client));
    }
    this.#channel = options.channel ?? 'memokit:bus';
    this.#timeout = options.timeout ?? 250;
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
    this.#heartbeat = setInterval(() => void this.#beat(), options.heartbeat ?? 1000);
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
      if (valid.seq !== last + 1) this.emit('reset', `gap in messages from ${valid.from}: ${last} then ${valid.seq}`);
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
   * a publish timed out and no PING was answered since) it returns at once:
   * a publish waits for the timeout at most once per outage. A message that
   * could not be sent is sent again once the publisher answers (past
   * {@link MAX_UNSENT} of them, one `tags` message that makes every peer drop
   * its L1 instead), and peers notice the gap in sequence numbers meanwhile.
   */
  async publish(message: Omit<BusMessage, 'v' | 'from' | 'seq'>): Promise<void> {
    if (this.#closed) return;
    if (!this.publishing || !this.#unsent.empty) {
      // Known down (or older messages still waiting): in order, after those, without a wait.
      this.#seq++;
      this.publishSkipped++;
      this.publishFailures++;
      this.#keep(message);
      if (this.publishing) void this.#flush();
      return;
    }
    if (!(await this.#send(message))) this.#keep(message);
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

  #keep(message: Omit<BusMessage, 'v' | 'from' | 'seq'>): void {
    // Past the bound, one catch-all message replaces them all (see #flush).
    if (!this.#unsent.overflowed) this.#unsent.add(message);
  }

  /** PINGs the publisher (bounded); once it answers, sends the kept messages in order. */
  async #flush(): Promise<void> {
    if (this.#flushing || this.#closed || this.#pub.status !== 'ready') return;
    this.#flushing = true;
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
      this.#flushing = false;
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
