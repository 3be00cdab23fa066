import { describe, expect, it } from '@jest/globals';
import type { Request } from 'autocannon';
import { StaleChecker } from '../../bench/e2e/stale.js';
import { handlers, Tally, Workload, type Operation } from '../../bench/e2e/workload.js';

describe('StaleChecker on constructed timelines', () => {
  it('flags a read sent after a write completed that returns an older version', () => {
    const checker = new StaleChecker();
    checker.recordWrite(7, 2, 100);
    expect(checker.checkProduct(7, 1, 101)).toBe(true);
    expect(checker.checkProduct(7, 2, 101)).toBe(false);
    expect(checker.checkProduct(7, 3, 101)).toBe(false); // a later write may already show
    expect(checker.stale).toBe(1);
    expect(checker.productReads).toBe(3);
    expect(checker.examples).toEqual([{ kind: 'product', id: 7, got: 1, expected: 2, ackedMsBefore: 1 }]);
  });

  it('does not flag a read that overlapped the write: sent before (or as) the write completed', () => {
    const checker = new StaleChecker();
    checker.recordWrite(7, 2, 100);
    expect(checker.checkProduct(7, 1, 99)).toBe(false);
    expect(checker.checkProduct(7, 1, 100)).toBe(false); // completed strictly before the read started, or not at all
    expect(checker.stale).toBe(0);
  });

  it('keeps the history: a read between two writes is held to the first, not the latest', () => {
    const checker = new StaleChecker();
    checker.recordWrite(7, 5, 10);
    checker.recordWrite(7, 6, 20);
    expect(checker.required(7, 15)).toBe(5);
    expect(checker.checkProduct(7, 4, 15)).toBe(true); // older than v5, acknowledged at 10
    expect(checker.checkProduct(7, 5, 15)).toBe(false); // v6 was not acknowledged yet
    expect(checker.checkProduct(7, 5, 25)).toBe(true);
    expect(checker.required(7, 5)).toBeUndefined();
    expect(checker.staleProducts).toBe(2);
  });

  it('holds reads to the highest version acknowledged, whatever order overlapping writes were acknowledged in', () => {
    const checker = new StaleChecker();
    // Two overlapping PUTs: v7's response arrived before v6's.
    checker.recordWrite(3, 7, 30);
    checker.recordWrite(3, 6, 40);
    expect(checker.required(3, 45)).toBe(7);
    expect(checker.checkProduct(3, 6, 45)).toBe(true);
    // A completion time from a clock that went backwards is sorted in.
    checker.recordWrite(3, 9, 35);
    expect(checker.required(3, 36)).toBe(9);
    expect(checker.required(3, 45)).toBe(9);
    expect(checker.required(3, 31)).toBe(7);
  });

  it('keeps products apart', () => {
    const checker = new StaleChecker();
    checker.recordWrite(1, 9, 10);
    expect(checker.checkProduct(2, 1, 50)).toBe(false);
    expect(checker.required(2, 50)).toBeUndefined();
  });

  it('counts a listing with stale products once, and names the product in the example', () => {
    const checker = new StaleChecker();
    checker.recordWrite(1, 3, 10);
    checker.recordWrite(2, 4, 10);
    const page = [
      { id: 1, version: 2 },
      { id: 2, version: 3 },
      { id: 5, version: 1 },
    ];
    expect(checker.checkListing(page, 12)).toBe(true);
    expect(checker.checkListing(page, 9)).toBe(false);
    expect(checker.staleListings).toBe(1);
    expect(checker.listingReads).toBe(2);
    expect(checker.stale).toBe(1);
    expect(checker.examples[0]).toEqual({ kind: 'listing', id: 1, got: 2, expected: 3, ackedMsBefore: 2 });
  });
});

/** Drives the request handlers the way autocannon does on one connection: setup, then the response. */
function connection(workload: Workload, checker: StaleChecker, tally: Tally, clock: { now: number }) {
  const h = handlers(workload, checker, tally, () => clock.now);
  const context: object = {};
  return {
    send(): Request {
      return h.setupRequest({ method: 'GET', path: '/', headers: {} }, context);
    },
    answer(status: number, body: unknown): void {
      h.onResponse(status, typeof body === 'string' ? body : JSON.stringify(body), context);
    },
  };
}

describe('the request handlers (autocannon setupRequest / onResponse)', () => {
  const options = { products: 1_000, categories: ['books', 'games'], pages: 10, seed: 1 };

  it('sends 90% reads by id, 5% listings and 5% writes with a JSON body', () => {
    const workload = new Workload(options);
    const counts = { get: 0, list: 0, put: 0 };
    for (let i = 0; i < 40_000; i++) counts[workload.next().kind]++;
    expect(counts.get / 40_000).toBeCloseTo(0.9, 2);
    expect(counts.list / 40_000).toBeCloseTo(0.05, 2);
    expect(counts.put / 40_000).toBeCloseTo(0.05, 2);

    const tally = new Tally();
    const client = connection(new Workload(options), new StaleChecker(), tally, { now: 0 });
    const requests = Array.from({ length: 200 }, () => client.send());
    const put = requests.find((r) => r.method === 'PUT')!;
    expect(put.path).toMatch(/^\/products\/\d+$/);
    expect(put.headers?.['content-type']).toBe('application/json');
    expect(JSON.parse(String(put.body))).toEqual({ priceCents: expect.any(Number) });
    expect(requests.find((r) => r.path?.startsWith('/products?'))?.path).toMatch(
      /^\/products\?category=(books|games)&page=\d+$/,
    );
    expect(requests.filter((r) => r.method === 'GET').every((r) => r.body === '')).toBe(true);
  });

  it('records acknowledged writes and flags a later read of an older version, on another connection', () => {
    const workload = new Workload(options);
    const checker = new StaleChecker();
    const tally = new Tally();
    const clock = { now: 0 };
    const writer = connection(workload, checker, tally, clock);
    const reader = connection(workload, checker, tally, clock);
    // Find a write, acknowledge it at t = 10 with version 4.
    let put: Request;
    do {
      clock.now++;
      put = writer.send();
      if (put.method !== 'PUT') writer.answer(200, { id: Number(put.path!.split('/')[2]), version: 1 });
    } while (put.method !== 'PUT');
    const id = Number(put.path!.split('/')[2]);
    clock.now = 10;
    writer.answer(200, { id, version: 4 });
    expect(checker.required(id, 11)).toBe(4);
    // A read of that product sent at t = 11 that returns version 3 is stale; one returning 4 is not.
    let get: Request;
    do {
      clock.now = 11;
      get = reader.send();
      const op = get.path!;
      if (op !== `/products/${id}`) reader.answer(404, 'skip');
    } while (get.path !== `/products/${id}`);
    reader.answer(200, { id, version: 3 });
    expect(checker.staleProducts).toBe(1);
    expect(tally.statuses.get(404)).toBeGreaterThan(0);
  });

  it('counts non-2xx statuses and malformed bodies as errors, and checks nothing of them', () => {
    const checker = new StaleChecker();
    const tally = new Tally();
    const client = connection(new Workload(options), checker, tally, { now: 5 });
    client.send();
    client.answer(500, 'boom');
    client.send();
    client.answer(200, 'not json');
    client.send();
    client.answer(200, { id: -1 });
    expect(tally.statuses.get(500)).toBe(1);
    expect(tally.malformed).toBe(2);
    expect(tally.errors).toBe(3);
    expect(tally.firstMalformed).toBe('not json');
    expect(tally.latencies).toEqual([0, 0, 0]);
    expect(checker.productReads + checker.listingReads).toBe(0);
  });

  it('generates the same operations for the same seed', () => {
    const a = new Workload(options);
    const b = new Workload(options);
    const ops = (w: Workload): Operation[] => Array.from({ length: 100 }, () => w.next());
    expect(ops(a)).toEqual(ops(b));
  });
});
