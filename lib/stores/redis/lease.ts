/**
 * Leases: on a miss, the read that starts a load also takes the key's lease
 * (`SET NX PX` of `<prefix>:{<path>}:l:<generation>:<key>`), so one caller in
 * all processes loads while the others wait for its value.
 */
import type { StoreKey } from '../../keys/keys.js';
import { messages } from '../../util/messages.js';
import type { LeaseRead } from '../contract.js';
import { newGeneration, suffixOf } from './keyspace.js';
import { loadToken, readForLoad, stamped } from './load-read.js';
import { entriesOf } from './reader.js';
import type { NamespaceScope } from './scope.js';
import { RELEASE_LEASE } from './scripts/release-lease.js';
import { UNGUARDABLE } from './write-guard.js';

/** A lease {@link getOrLease} took: its key and the id it holds it with. */
class RedisLease {
  constructor(
    readonly key: string,
    readonly id: string,
  ) {}
}

/**
 * `getForLoad` that also takes the key's lease on a miss, in the same script
 * call, unless another caller holds it (`held`). When Redis is unavailable: a
 * miss without lease, whose write stores nothing.
 */
export async function getOrLease(scope: NamespaceScope, key: StoreKey, ttl: number): Promise<LeaseRead> {
  const suffix = suffixOf(key);
  const id = newGeneration();
  const read = await readForLoad(scope, 'getOrLease', key, '1', suffix, [String(Math.max(1, Math.ceil(ttl))), id]);
  if (read === undefined) return { entry: undefined, token: UNGUARDABLE };
  if (typeof read.row === 'string') {
    const [entry] = await entriesOf(scope, 'getOrLease', [key], [read.row]);
    if (entry !== undefined) return { entry };
    // A tagged entry that turned out invalid (Cluster): load without a lease, with a token of its own.
    if (read.token === undefined) return { entry: undefined, token: await loadToken(scope, key) };
  }
  if (read.token === undefined) return { entry: undefined, token: UNGUARDABLE };
  if (read.held === true) return { entry: undefined, held: true };
  const lease = new RedisLease(`${scope.base}l:${read.token.generation}:${suffix}`, id);
  return { entry: undefined, token: await stamped(scope, read.token), lease };
}

/** Ends a lease {@link getOrLease} took, if it is still the caller's (not expired and taken over). */
export async function releaseLease(scope: NamespaceScope, lease: unknown): Promise<void> {
  if (!(lease instanceof RedisLease)) throw new TypeError(messages.BAD_LEASE_HANDLE(scope.where, lease));
  const connection = scope.connection;
  if (!connection.available()) {
    connection.skip();
    return;
  }
  scope.outcome(
    'releaseLease',
    await connection.exec(scope.where, 'releaseLease', scope.name, () =>
      RELEASE_LEASE.run(connection.client, [lease.key], [lease.id]),
    ),
  );
}
