/**
 * One namespace's place in Redis (its keys, the label its messages use), its
 * script calls, and the reports of what those scripts found: entries of
 * another Redis type, entries over `maxValueSize`, undecodable entries, and
 * auxiliary keys they repaired.
 */
import type { StoreKey } from '../../keys/keys.js';
import { messages } from '../../util/messages.js';
import { CorruptEntryError } from '../../codec/errors.js';
import { ValueTooLargeError } from '../../codec/value-size.js';
import type { RedisConnection } from './connection.js';
import type { StoreContext } from './context.js';
import { RedisStoreError } from './errors.js';
import { BANG, generationKeyOf, suffixOf } from './keyspace.js';
import { DELETE_IF } from './scripts/delete-if.js';
import type { Script } from './scripts/loader.js';
import type { NamespaceNode } from '../namespace-tree.js';

const noop = (): void => {};

/** Keys (or tags) per script call, so one call never blocks Redis for long. */
export const BATCH = 500;

/** Names a namespace of the store with this prefix in messages: `RedisStore("shop").namespace("users/admins")`. */
export function namespaceWhere(prefix: string, node: NamespaceNode): string {
  const store = `RedisStore(${JSON.stringify(prefix)})`;
  return node.path.length === 0 ? store : `${store}.namespace(${JSON.stringify(node.name)})`;
}

/** A namespace of a Redis store, as its helpers (reads, writes, tags, leases) see it. */
export class NamespaceScope {
  /** What the store shares (the namespace tree aside: a scope never opens namespaces). */
  readonly context: Omit<StoreContext, 'tree'>;
  readonly connection: RedisConnection;
  /** The namespace's path (empty for the store's root). */
  readonly path: readonly string[];
  /** Path of the namespace, names joined by `/`. */
  readonly name: string;
  /** Where the namespace sits in the store's tree, with its limits now. */
  readonly node: NamespaceNode;
  /** `<prefix>:{/<path>}:g`. */
  readonly generationKey: string;
  /** `<prefix>:{<path>}:`: entry keys are this, a generation, `:` and the key suffix. */
  readonly base: string;
  /** Declared keys of this namespace's scripts: the generation key, and on a single node the tag record. */
  readonly keys: readonly string[];
  /** Names the namespace in messages. */
  readonly where: string;
  /** The generation the last fast read saw (`''` before any: no entry key has an empty generation). */
  generation = '';

  constructor(context: Omit<StoreContext, 'tree'>, node: NamespaceNode) {
    const path = node.path;
    this.context = context;
    this.connection = context.connection;
    this.node = node;
    this.path = path;
    this.name = node.name;
    this.generationKey = generationKeyOf(context.prefix, path);
    this.base = this.generationKey.slice(0, -1);
    this.keys = context.cluster ? [this.generationKey] : [this.generationKey, context.tagKey];
    this.where = namespaceWhere(context.prefix, node);
  }

  /**
   * The namespace's TTL in milliseconds (`undefined`: no expiry), read at
   * each write: a ttl first stated after the namespace was opened applies.
   */
  get ttl(): number | undefined {
    return this.node.ttl;
  }

  /** One script call on this namespace's keys; resolves its result (see {@link NamespaceScope.outcome}). */
  run(op: string, script: Script, args: readonly (string | number)[]): Promise<unknown> {
    const connection = this.connection;
    return connection
      .exec(this.where, op, this.name, () => script.run(connection.client, this.keys, args))
      .then((reply) => this.outcome(op, reply));
  }

  /** A write that stores nothing: still rejects like one when Redis is unavailable. */
  skip(op: string): Promise<unknown> {
    return this.connection.exec(this.where, op, this.name, () => Promise.resolve(0));
  }

  /** Reports what a script repaired and returns its result: its reply, or `[result, fixed]` (see SAFE). */
  outcome(op: string, reply: unknown): unknown {
    if (!Array.isArray(reply) || reply.length !== 2 || typeof reply[1] !== 'string') return reply;
    this.fixed(op, reply[1]);
    return reply[0] as unknown;
  }

  /** Counts and reports each letter of a script's `fixed` (see SAFE in scripts/fragments.ts). */
  fixed(op: string, fixed: unknown): void {
    if (typeof fixed !== 'string') return;
    for (const letter of fixed) {
      if (letter === 'e') {
        this.wrongType(op, 'value of another type than string');
        continue;
      }
      const what =
        letter === 'g'
          ? messages.REDIS_REPAIRED_GENERATION()
          : letter === 'd'
            ? messages.REDIS_REPAIRED_DELETE_LOG()
            : letter === 't'
              ? messages.REDIS_REPAIRED_TAG_RECORD()
              : messages.REDIS_REPAIRED_LEASE();
      this.context.repaired++;
      this.connection.emit(
        new RedisStoreError('E_BROKEN_KEY', messages.REDIS_KEY_REPAIRED(this.where, what), op, this.name),
      );
    }
  }

  /**
   * Reports a row that is a script's marker for an entry it deleted without
   * returning it (`!t<type>`: another Redis type; `!s<bytes>`: over
   * `maxValueSize`, not decoded). Whether `row` was one.
   */
  marker(op: string, key: StoreKey, row: unknown): boolean {
    if (typeof row !== 'string' || row.charCodeAt(0) !== BANG) return false;
    if (row.startsWith('!s')) {
      const size = Number(row.slice(2));
      const limit = this.context.maxValueSize;
      this.connection.counts.tooLarge++;
      const message = messages.REDIS_ENTRY_TOO_LARGE(this.where, JSON.stringify(key), size, limit);
      const error = new ValueTooLargeError(message, key, size, limit);
      this.connection.emit(new RedisStoreError('E_VALUE_TOO_LARGE', message, op, this.name, { cause: error }));
    } else {
      this.wrongType(op, row.slice(2));
    }
    return true;
  }

  /** Counts and reports an entry key that held another Redis type (the script deleted it). */
  wrongType(op: string, type: string): void {
    const cause = new CorruptEntryError(messages.REDIS_ENTRY_WRONG_TYPE(type));
    this.connection.counts.corrupt++;
    this.connection.emit(
      new RedisStoreError('E_CORRUPT_ENTRY', messages.REDIS_CORRUPT_ENTRY(this.where, cause), op, this.name, {
        cause,
      }),
    );
  }

  /** Counts and reports an entry that could not be decoded, and deletes it if it is still `text`. */
  corrupt(key: StoreKey, text: string, cause: unknown): void {
    this.connection.counts.corrupt++;
    this.connection.emit(
      new RedisStoreError('E_CORRUPT_ENTRY', messages.REDIS_CORRUPT_ENTRY(this.where, cause), 'get', this.name, {
        cause,
      }),
    );
    this.deleteIf(key, text);
  }

  /** Deletes `key` if its entry is still exactly `text` (no tombstone: this is not an invalidation). */
  deleteIf(key: StoreKey, text: string): void {
    if (!this.connection.available()) return;
    this.run('delete', DELETE_IF, [suffixOf(key), text]).catch(noop);
  }
}
