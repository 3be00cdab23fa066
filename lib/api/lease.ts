import type { LeaseSettings } from '../engine/index.js';
import { parseDuration, type Duration } from '../util/duration.js';
import { messages } from '../util/messages.js';
import { assertKnownOptions } from '../util/options.js';

/**
 * Bounds of the cross-process lease (the `lease` option of the decorators
 * and of `Cache`).
 *
 * @example
 * ```ts
 * const lease: LeaseOptions = { ttl: '30s', wait: '10s' };
 * ```
 */
export interface LeaseOptions {
  /**
   * How long a process may hold a key's lease; past it (its load is slow or
   * the process died) another process takes the lease over.
   *
   * @default '10s'
   */
  ttl?: Duration;
  /**
   * How long a call waits for another process's load before running the
   * method itself (a lease that ends meanwhile is taken over at once).
   *
   * @default the lease's ttl
   */
  wait?: Duration;
}

const DEFAULT_LEASE_TTL = '10s';
const LEASE_OPTIONS = ['ttl', 'wait'] as const;

/** Validates a `lease` option (decorators, `Cache`): milliseconds, or `undefined` when off. */
export function leaseOf(where: string, lease: unknown): LeaseSettings | undefined {
  if (lease === undefined || lease === false) return undefined;
  if (lease === true) lease = {};
  if (typeof lease !== 'object' || lease === null || Array.isArray(lease)) {
    throw new TypeError(messages.BAD_LEASE(where, lease));
  }
  const raw = lease as Record<string, unknown>;
  assertKnownOptions(`${where}: option "lease"`, raw, LEASE_OPTIONS);
  const ttl = parseDuration((raw.ttl ?? DEFAULT_LEASE_TTL) as Duration, where, 'lease.ttl');
  const wait = raw.wait === undefined ? ttl : parseDuration(raw.wait as Duration, where, 'lease.wait');
  return { ttl, wait };
}
