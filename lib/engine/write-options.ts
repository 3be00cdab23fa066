/**
 * The options a loaded (or written-through) value is stored with under a
 * method's freshness policy: its TTL from the value (`ttl` as a function),
 * its tags from the value, and `jitter`.
 */
import type { StoreSetOptions } from '../stores/contract.js';
import type { LoadPolicy } from './method.js';

/**
 * `options` with the TTL and tags `policy` derives from `value` and `args`,
 * and jitter applied (the same object when nothing changes); `false` when a
 * function of the policy threw (`failed` is told: the value is not stored).
 *
 * @internal
 * @example
 * ```ts
 * const options = derivedWriteOptions(policy.write, value, args, policy, (error) => report(error));
 * if (options !== false) await store.set(key, value, options);
 * ```
 */
export function derivedWriteOptions(
  options: StoreSetOptions | undefined,
  value: unknown,
  args: unknown[],
  policy: LoadPolicy,
  failed: (error: unknown) => void,
): StoreSetOptions | undefined | false {
  const { ttlOf, tagsOf, jitter } = policy.freshness ?? {};
  if (ttlOf === undefined && tagsOf === undefined && jitter === undefined) return options;
  let ttl = options?.ttl;
  let tags: readonly string[] | undefined;
  try {
    if (ttlOf !== undefined) ttl = ttlOf(value, args) ?? ttl;
    if (tagsOf !== undefined) tags = tagsOf(value, args);
  } catch (error) {
    failed(error);
    return false;
  }
  if (tags !== undefined) options = { ...options, tags };
  if (ttl === undefined) return options;
  if (jitter !== undefined) ttl = Math.max(1, ttl * (1 + jitter * (2 * Math.random() - 1)));
  return ttl === options?.ttl ? options : { ...options, ttl };
}
