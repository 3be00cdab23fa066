import { deferred, type Deferred } from './deferred.js';

/**
 * A loader whose calls resolve at once with `v<n>` (the n-th call) while
 * `auto` is on, wait for the test to settle them (`pending`) once it is
 * off, and reject while `fail` is on.
 *
 * @example
 * ```ts
 * const { state, load } = controlledLoader();
 * state.auto = false;
 * const call = cache.getOrSet('k', load);
 * state.pending[0]!.resolve('v2');
 * ```
 */
export function controlledLoader() {
  const state = { loads: 0, auto: true, fail: false, pending: [] as Deferred<string>[] };
  const load = (): Promise<string> => {
    state.loads++;
    if (state.fail) return Promise.reject(new Error('backend down'));
    if (state.auto) return Promise.resolve(`v${state.loads}`);
    const d = deferred<string>();
    state.pending.push(d);
    return d.promise;
  };
  return { state, load };
}
