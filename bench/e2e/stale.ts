/**
 * The client-side check for stale responses.
 *
 * A read is stale when the body it returned carries a product `version`
 * older than a version that a `PUT` of the same product had acknowledged
 * (its response received) before the read was sent. Reads that overlap a
 * write may return either version; only writes that completed before the
 * read started count, so every stale read the checker reports is a real one.
 *
 * Times are the client's: a read's start is taken just before its request is
 * written, a write's completion just after its response is parsed. Both err
 * on the side of reporting fewer stale reads, never more.
 */

/** A stale read, for the report. */
export interface StaleRead {
  readonly kind: 'product' | 'listing';
  readonly id: number;
  /** The version the response carried. */
  readonly got: number;
  /** The highest version acknowledged before the read started. */
  readonly expected: number;
  /** How long before the read's start that version was acknowledged (ms). */
  readonly ackedMsBefore: number;
}

interface Acks {
  /** Completion times, ascending. */
  readonly at: number[];
  /** The highest version acknowledged at or before `at[i]`. */
  readonly version: number[];
}

/** How many stale reads the checker keeps as examples. */
const EXAMPLES = 5;

export class StaleChecker {
  readonly #acks = new Map<number, Acks>();
  /** Product reads checked. */
  productReads = 0;
  /** Listing reads checked. */
  listingReads = 0;
  staleProducts = 0;
  staleListings = 0;
  /** The first few stale reads. */
  readonly examples: StaleRead[] = [];

  /** Stale reads of either kind. */
  get stale(): number {
    return this.staleProducts + this.staleListings;
  }

  /** A `PUT` of product `id` returned `version`; its response arrived at `completedAt`. */
  recordWrite(id: number, version: number, completedAt: number): void {
    let acks = this.#acks.get(id);
    if (acks === undefined) {
      acks = { at: [], version: [] };
      this.#acks.set(id, acks);
    }
    const { at, version: max } = acks;
    // Responses are handled in the order they arrive, so this is an append; a clock that went backwards is sorted in.
    let i = at.length;
    while (i > 0 && at[i - 1]! > completedAt) i--;
    at.splice(i, 0, completedAt);
    max.splice(i, 0, Math.max(version, i > 0 ? max[i - 1]! : -Infinity));
    for (let j = i + 1; j < max.length; j++) max[j] = Math.max(max[j]!, max[j - 1]!);
  }

  /**
   * The highest version of product `id` acknowledged strictly before `startedAt`, or undefined when no write of
   * it had completed by then.
   */
  required(id: number, startedAt: number): number | undefined {
    const found = this.#lookup(id, startedAt);
    return found === undefined ? undefined : found.acks.version[found.index];
  }

  /** The index of the last write of `id` completed strictly before `startedAt`. */
  #lookup(id: number, startedAt: number): { acks: Acks; index: number } | undefined {
    const acks = this.#acks.get(id);
    if (acks === undefined) return undefined;
    const { at } = acks;
    let lo = 0;
    let hi = at.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (at[mid]! < startedAt) lo = mid + 1;
      else hi = mid;
    }
    return lo === 0 ? undefined : { acks, index: lo - 1 };
  }

  #stale(kind: StaleRead['kind'], id: number, got: number, startedAt: number): boolean {
    const found = this.#lookup(id, startedAt);
    if (found === undefined) return false;
    const { at, version } = found.acks;
    const expected = version[found.index]!;
    if (got >= expected) return false;
    if (this.examples.length < EXAMPLES) {
      // When the expected version was first acknowledged.
      let first = found.index;
      while (first > 0 && version[first - 1] === expected) first--;
      this.examples.push({ kind, id, got, expected, ackedMsBefore: startedAt - at[first]! });
    }
    return true;
  }

  /** A `GET /products/:id` sent at `startedAt` returned `version`. Returns whether it was stale. */
  checkProduct(id: number, version: number, startedAt: number): boolean {
    this.productReads++;
    const stale = this.#stale('product', id, version, startedAt);
    if (stale) this.staleProducts++;
    return stale;
  }

  /**
   * A listing sent at `startedAt` returned these products. It is stale when any of them is (counted once).
   */
  checkListing(items: readonly { readonly id: number; readonly version: number }[], startedAt: number): boolean {
    this.listingReads++;
    let stale = false;
    for (const item of items) if (this.#stale('listing', item.id, item.version, startedAt)) stale = true;
    if (stale) this.staleListings++;
    return stale;
  }
}
