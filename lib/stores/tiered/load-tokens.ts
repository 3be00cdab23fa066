/**
 * The token of a load through a tiered store: the L1 write at its end needs
 * the same epoch and namespace counter; `l2` is the L2's own token, which L2
 * checks.
 */
export interface TieredToken {
  readonly epoch: number;
  readonly counter: number;
  readonly l2: unknown;
}

/**
 * Whether a load may still fill L1: each namespace counts its invalidations
 * (local and remote), and the epoch counts the times L1 was dropped whole. A
 * load whose token was taken before either moved was overtaken by an
 * invalidation, so its value (maybe stale) does not go into L1.
 *
 * @example
 * ```ts
 * const tokens = new LoadTokens();
 * const token = tokens.take('["users"]', undefined);
 * tokens.bump('["users"]');
 * tokens.valid(token, '["users"]'); // false
 * ```
 */
export class LoadTokens {
  /** Bumped whenever L1 was dropped: tokens taken before are void. */
  #epoch = 0;
  /** Invalidations per namespace id. */
  readonly #counters = new Map<string, number>();

  /** Records an invalidation of namespace `id`: tokens of loads in flight there are void. */
  bump(id: string): void {
    this.#counters.set(id, this.#counter(id) + 1);
  }

  /** Voids every token taken so far, in every namespace (L1 was dropped, or a tag invalidated). */
  voidAll(): void {
    this.#epoch++;
  }

  /** A token for a load in namespace `id` starting now, carrying the L2's own `l2` token. */
  take(id: string, l2: unknown): TieredToken {
    return { epoch: this.#epoch, counter: this.#counter(id), l2 };
  }

  /** Whether nothing invalidated namespace `id` since `token` was taken. */
  valid(token: TieredToken, id: string): boolean {
    return token.epoch === this.#epoch && token.counter === this.#counter(id);
  }

  #counter(id: string): number {
    return this.#counters.get(id) ?? 0;
  }
}
