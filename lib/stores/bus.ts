import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { EventEmitter } from 'node:events';
import type { Redis, RedisOptions } from 'ioredis';
import { MemokitError } from '../errors.js';
import { messages } from '../messages.js';
import type { RedisConnectionOptions } from './redis-types.js';

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
}

const load = (where: string): typeof import('ioredis') => {
  try {
    return createRequire(import.meta.url)('ioredis') as typeof import('ioredis');
  } catch (error) {
    throw new MemokitError('E_MISSING_PEER', messages.IOREDIS_MISSING(where), { cause: error });
  }
};

const isMessage = (value: unknown): value is BusMessage => {
  const m = value as Partial<BusMessage> | null;
  return (
    typeof m === 'object' &&
    m !== null &&
    m.v === 1 &&
    typeof m.from === 'string' &&
    Number.isSafeInteger(m.seq) &&
    (m.op === 'delete' || m.op === 'clear' || m.op === 'tags')
  );
};

/**
 * An {@link InvalidationBus} over Redis pub/sub: one publisher and one
 * subscriber connection. Each process numbers its messages; a subscriber that
 * sees a gap, or loses its connection, emits `reset`.
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
  readonly #pub: Redis;
  readonly #sub: Redis;
  readonly #lastSeq = new Map<string, number>();
  #seq = 0;
  #up = false;
  #closed = false;
  #beating = false;
  readonly #heartbeat: ReturnType<typeof setInterval>;
  /** Publishes that failed (other processes may keep stale L1 entries until their own reset). */
  publishFailures = 0;

  constructor(options: RedisBusOptions) {
    super();
    const where = 'new RedisBus()';
    const { Redis: RedisClient } = load(where);
    this.#channel = options.channel ?? 'memokit:bus';
    this.#timeout = options.timeout ?? 250;
    const base: RedisOptions = {
      enableOfflineQueue: false,
      connectTimeout: 2000,
      maxRetriesPerRequest: 0,
      retryStrategy: (times: number) => Math.min(50 * 2 ** Math.min(times, 5), 1000),
      ...options.redis,
    };
    this.#pub = options.url === undefined ? new RedisClient(base) : new RedisClient(options.url, base);
    // The subscriber keeps its offline queue so that (re)subscribing waits for the connection.
    const subOptions: RedisOptions = { ...base, enableOfflineQueue: true, autoResubscribe: false };
    this.#sub = options.url === undefined ? new RedisClient(subOptions) : new RedisClient(options.url, subOptions);
    this.#pub.on('error', () => undefined);
    this.#sub.on('error', () => undefined);
    this.#sub.on('message', (channel: string, text: string) => {
      if (channel === this.#channel) this.#receive(text);
    });
    this.#sub.on('close', () => this.#down('subscriber connection closed'));
    this.#sub.on('ready', () => this.#subscribe());
    this.#heartbeat = setInterval(() => void this.#beat(), options.heartbeat ?? 1000);
    this.#heartbeat.unref();
  }

  /** PINGs the subscriber connection; no answer within `timeout` means messages may be lost. */
  async #beat(): Promise<void> {
    if (this.#beating || this.#closed || this.#sub.status !== 'ready') return;
    this.#beating = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await Promise.race([
        this.#sub.ping(),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('heartbeat timed out')), this.#timeout);
        }),
      ]);
      // Answering again after a missed beat: the subscription survived, but start over from an empty L1.
      if (!this.#up && !this.#closed) this.#subscribe();
    } catch {
      this.#down('heartbeat not answered');
    } finally {
      clearTimeout(timer);
      this.#beating = false;
    }
  }

  get up(): boolean {
    return this.#up;
  }

  /** Resolves `true` once subscribed (or `false` after `timeout` ms). */
  ready(timeout = 5000): Promise<boolean> {
    if (this.#up) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.off('up', onUp);
        resolve(false);
      }, timeout);
      const onUp = (): void => {
        clearTimeout(timer);
        resolve(true);
      };
      this.once('up', onUp);
    });
  }

  #subscribe(): void {
    if (this.#closed) return;
    this.#sub.subscribe(this.#channel).then(
      () => {
        if (this.#closed) return;
        // Whatever was published while we were not subscribed is lost: start from an empty L1.
        this.#lastSeq.clear();
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

  #receive(text: string): void {
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      return;
    }
    if (!isMessage(message) || message.from === this.instanceId) return;
    const last = this.#lastSeq.get(message.from);
    this.#lastSeq.set(message.from, message.seq);
    if (last !== undefined && message.seq !== last + 1) {
      this.emit('reset', `gap in messages from ${message.from}: ${last} then ${message.seq}`);
      return;
    }
    this.emit('message', message);
  }

  async publish(message: Omit<BusMessage, 'v' | 'from' | 'seq'>): Promise<void> {
    const full: BusMessage = { v: 1, from: this.instanceId, seq: ++this.#seq, ...message };
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await Promise.race([
        this.#pub.publish(this.#channel, JSON.stringify(full)),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('publish timed out')), this.#timeout);
        }),
      ]);
    } catch {
      this.publishFailures++;
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#up = false;
    clearInterval(this.#heartbeat);
    await Promise.allSettled([quit(this.#pub), quit(this.#sub)]);
  }
}

async function quit(client: Redis): Promise<void> {
  try {
    await client.quit();
  } catch {
    client.disconnect();
  }
}
