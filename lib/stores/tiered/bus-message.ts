/**
 * The bus's wire format: what one process tells the others, the check every
 * received message passes before it is applied, and the interface a bus
 * implements (a {@link RedisBus} in ./bus.ts, or any other transport).
 */
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
  /**
   * The W3C `traceparent` of the span active where the invalidation was
   * made (where tracing is on), so a peer's record of it names that trace.
   * Untrusted like the rest: receivers use it only when it is well formed.
   */
  readonly trace?: string;
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
  /** Gaps seen in peers' sequence numbers so far, when the bus counts them. @default undefined */
  readonly gaps?: number;
  /** Sends a message to every other process. */
  publish(message: Omit<BusMessage, 'v' | 'from' | 'seq'>): Promise<void>;
  /** Resolves `true` once the subscription is live (or `false` after `timeout` ms). */
  ready?(timeout?: number): Promise<boolean>;
  on(event: 'message', listener: (message: BusMessage) => void): void;
  on(event: 'reset', listener: (reason: string) => void): void;
  close(): Promise<void>;
}

/** Longest message text read from the channel (UTF-16 units); anything longer is dropped unparsed. */
export const MAX_BUS_MESSAGE_LENGTH = 1024 * 1024;
/** Longest publisher id accepted (ours are `host#pid#<8 hex>`, at most about 90 characters). */
const MAX_FROM_LENGTH = 128;
const OPS: ReadonlySet<unknown> = new Set(['delete', 'clear', 'tags']);

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
