/**
 * Whether loads starting now must neither share nor store their values: set
 * while a cache transaction (the api layer's `withCacheTransaction`) is
 * active in the caller's async context, whose reads may see writes that are
 * not committed. Unset (no check at all on the miss path) until a
 * transaction first runs.
 *
 * @internal
 */
let isolated: (() => boolean) | undefined;

/**
 * Installs the check {@link loadsIsolated} runs.
 *
 * @internal
 */
export function isolateLoadsWhen(check: () => boolean): void {
  isolated = check;
}

/**
 * Whether a load starting in this async context must neither be shared with
 * other callers nor store its value.
 *
 * @internal
 */
export function loadsIsolated(): boolean {
  return isolated !== undefined && isolated();
}
