/**
 * The reads that start a load: one READ_FOR_LOAD script call returns the
 * entry, or on a miss a load token (see write-guard.ts), and for a lease
 * whether another caller holds it.
 */
import type { StoreKey } from '../../keys/keys.js';
import type { StoreEntry } from '../contract.js';
import { isOne, newGeneration } from './keyspace.js';
import { entriesOf } from './reader.js';
import type { NamespaceScope } from './scope.js';
import { READ_FOR_LOAD } from './scripts/read-for-load.js';
import { tagClockText } from './tags.js';
import { RedisLoadToken, UNGUARDABLE } from './write-guard.js';

/** What a load's read returns: the entry, or a token for the loaded value's write. */
export interface LoadRead {
  readonly entry: StoreEntry | undefined;
  readonly token: unknown;
}

/** What one READ_FOR_LOAD call found: a hit's row, or a miss's token (and whether the lease is held). */
export interface ScriptedLoadRead {
  readonly row: unknown;
  readonly token: RedisLoadToken | undefined;
  readonly held?: boolean;
}

/** One READ_FOR_LOAD call; `undefined` when Redis is unavailable or the call failed (already reported). */
export async function readForLoad(
  scope: NamespaceScope,
  op: string,
  key: StoreKey,
  read: '0' | '1',
  suffix: string,
  lease: readonly [ttl: string, id: string] | readonly [] = [],
): Promise<ScriptedLoadRead | undefined> {
  const connection = scope.connection;
  if (!connection.available()) {
    connection.skip();
    return undefined;
  }
  let reply: unknown;
  try {
    reply = await connection.exec(scope.where, op, scope.name, () =>
      READ_FOR_LOAD.run(connection.client, scope.keys, [
        newGeneration(),
        read,
        suffix,
        String(scope.context.maxValueSize),
        ...lease,
      ]),
    );
  } catch {
    return undefined;
  }
  if (!Array.isArray(reply)) return undefined;
  const [row, generation, deletes, time, stamp, held, fixed] = reply as unknown[];
  // A hit comes alone; a tagged one the script could not check (Cluster) may still turn out a miss.
  if (typeof row === 'string' && generation === undefined) {
    return { row, token: undefined };
  }
  scope.fixed(op, fixed);
  // A miss: `row` is false, or the marker of an entry the script deleted (another type, too large).
  scope.marker(op, key, row);
  if (typeof generation !== 'string' || typeof time !== 'string') return undefined;
  // The hit path builds entry keys with it (it checks it against the current one on every read).
  scope.generation = generation;
  const token = new RedisLoadToken(
    scope.generationKey,
    generation,
    String(deletes),
    time,
    typeof stamp === 'string' ? stamp : undefined,
  );
  return { row: undefined, token, held: isOne(held) };
}

/** On a Cluster, adds the tag clock to a token (a second call, once this store has seen tagged writes). */
export async function stamped(scope: NamespaceScope, token: RedisLoadToken): Promise<RedisLoadToken> {
  if (token.stamp !== undefined || !scope.context.tagged) return token;
  const stamp = await tagClockText(scope, 'loadToken').catch(() => undefined);
  return stamp === undefined
    ? token
    : new RedisLoadToken(token.scope, token.generation, token.deletes, token.time, stamp);
}

/** A load token for a load that does not read first (a refresh). */
export async function loadToken(scope: NamespaceScope, key: StoreKey): Promise<unknown> {
  const read = await readForLoad(scope, 'loadToken', key, '0', '');
  return read?.token === undefined ? UNGUARDABLE : stamped(scope, read.token);
}

/** `getForLoad` with one READ_FOR_LOAD script call (and the entry's remaining TTL). */
export async function getForLoadScripted(scope: NamespaceScope, key: StoreKey, suffix: string): Promise<LoadRead> {
  const read = await readForLoad(scope, 'getForLoad', key, '1', suffix);
  if (read === undefined) return { entry: undefined, token: UNGUARDABLE };
  if (typeof read.row === 'string') {
    const [entry] = await entriesOf(scope, 'getForLoad', [key], [read.row]);
    // A hit needs no token. An entry that turned out invalid (undecodable, or a tag checked here):
    // the token comes from a second call.
    if (entry !== undefined) return { entry, token: undefined };
    if (read.token === undefined) return { entry: undefined, token: await loadToken(scope, key) };
  }
  return { entry: undefined, token: read.token === undefined ? UNGUARDABLE : await stamped(scope, read.token) };
}
