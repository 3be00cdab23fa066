/**
 * The e2e workload: which request comes next, and what its response says.
 *
 * 90% `GET /products/:id`, 5% `GET /products?category=…&page=…`, 5%
 * `PUT /products/:id`. Product ids follow Zipf's law (s = 1.0 by default) over
 * the whole catalog, ranks mapped to ids through a seeded permutation so the
 * popular products are spread over categories; listing pages follow Zipf's law
 * over the pages of a category (page 1 most read), categories uniform.
 */
import type { Request } from 'autocannon';
import { StaleChecker } from './stale.js';
import { seededRandom, shuffledIds, ZipfSampler, type Random } from './zipf.js';

export interface Mix {
  readonly get: number;
  readonly list: number;
  readonly put: number;
}

/** 90% reads by id, 5% listings, 5% writes. */
export const DEFAULT_MIX: Mix = { get: 0.9, list: 0.05, put: 0.05 };

export interface WorkloadOptions {
  /** Products in the catalog; ids are 1..products. */
  readonly products: number;
  /** Category names, as `GET /categories` lists them. */
  readonly categories: readonly string[];
  /** Pages per category the listings draw from (1..pages). */
  readonly pages: number;
  readonly seed: number;
  /** Zipf exponent. @default 1 */
  readonly s?: number;
  /** @default DEFAULT_MIX */
  readonly mix?: Mix;
}

export type Operation =
  | { readonly kind: 'get'; readonly id: number; readonly path: string }
  | { readonly kind: 'list'; readonly category: string; readonly page: number; readonly path: string }
  | { readonly kind: 'put'; readonly id: number; readonly path: string; readonly body: string };

export class Workload {
  readonly #random: Random;
  readonly #ids: Int32Array;
  readonly #products: ZipfSampler;
  readonly #pages: ZipfSampler;
  readonly #categories: readonly string[];
  readonly #mix: Mix;

  constructor(options: WorkloadOptions) {
    const { products, categories, pages, seed, s = 1, mix = DEFAULT_MIX } = options;
    if (categories.length === 0) throw new Error('e2e workload: no categories');
    const total = mix.get + mix.list + mix.put;
    if (Math.abs(total - 1) > 1e-9) throw new Error(`e2e workload: the mix must add up to 1, got ${total}`);
    this.#random = seededRandom(seed);
    this.#ids = shuffledIds(products, seededRandom(seed ^ 0x5eed));
    this.#products = new ZipfSampler(products, s, this.#random);
    this.#pages = new ZipfSampler(Math.max(1, pages), s, this.#random);
    this.#categories = categories;
    this.#mix = mix;
  }

  /** A product id, Zipf-distributed by popularity. */
  productId(): number {
    return this.#ids[this.#products.next() - 1]!;
  }

  next(): Operation {
    const u = this.#random();
    if (u < this.#mix.get) {
      const id = this.productId();
      return { kind: 'get', id, path: `/products/${id}` };
    }
    if (u < this.#mix.get + this.#mix.list) {
      const category = this.#categories[Math.floor(this.#random() * this.#categories.length)]!;
      const page = this.#pages.next();
      return { kind: 'list', category, page, path: `/products?category=${encodeURIComponent(category)}&page=${page}` };
    }
    const id = this.productId();
    const priceCents = 100 + Math.floor(this.#random() * 100_000);
    return { kind: 'put', id, path: `/products/${id}`, body: JSON.stringify({ priceCents }) };
  }
}

/** Per-run tallies of what the responses said, besides staleness. */
export class Tally {
  /** Responses by operation kind (any status). */
  readonly responses = { get: 0, list: 0, put: 0 };
  /** Responses whose status was not 2xx, by status. */
  readonly statuses = new Map<number, number>();
  /** 2xx responses whose body was not what the contract says (unparseable, no integer version, wrong id). */
  malformed = 0;
  /** The first malformed body, for the error message. */
  firstMalformed: string | undefined;
  /** Response times (ms, client side: request written → response parsed). */
  latencies: number[] = [];

  get errors(): number {
    let n = this.malformed;
    for (const count of this.statuses.values()) n += count;
    return n;
  }
}

interface Versioned {
  readonly id: number;
  readonly version: number;
}

function isVersioned(value: unknown): value is Versioned {
  if (typeof value !== 'object' || value === null) return false;
  const { id, version } = value as Record<string, unknown>;
  return Number.isSafeInteger(id) && Number.isSafeInteger(version);
}

function parse(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}

/** What the client keeps per connection between a request and its response. */
interface InFlight {
  op?: Operation;
  startedAt?: number;
}

export interface Handlers {
  /** Sets up each request (autocannon calls it just before writing the request). */
  setupRequest(request: Request, context: object): Request;
  /** Checks each response (autocannon calls it as soon as the response is parsed). */
  onResponse(status: number, body: string, context: object): void;
}

/**
 * The per-request logic, free of autocannon: choose the next operation, and check each response against the
 * stale checker. `now` is the client's clock (ms).
 */
export function handlers(
  workload: Workload,
  checker: StaleChecker,
  tally: Tally,
  now: () => number = () => performance.now(),
): Handlers {
  const malformed = (body: string): void => {
    tally.malformed++;
    tally.firstMalformed ??= body.slice(0, 300);
  };
  return {
    setupRequest(request, context) {
      const op = workload.next();
      const flight = context as InFlight;
      flight.op = op;
      flight.startedAt = now();
      if (op.kind === 'put') {
        return {
          ...request,
          method: 'PUT',
          path: op.path,
          body: op.body,
          headers: { ...request.headers, 'content-type': 'application/json' },
        };
      }
      return { ...request, method: 'GET', path: op.path, body: '' };
    },
    onResponse(status, body, context) {
      const { op, startedAt } = context as InFlight;
      if (op === undefined || startedAt === undefined) return;
      const done = now();
      tally.latencies.push(done - startedAt);
      tally.responses[op.kind]++;
      if (status < 200 || status > 299) {
        tally.statuses.set(status, (tally.statuses.get(status) ?? 0) + 1);
        return;
      }
      const value = parse(body);
      switch (op.kind) {
        case 'get':
          if (!isVersioned(value) || value.id !== op.id) return malformed(body);
          checker.checkProduct(op.id, value.version, startedAt);
          return;
        case 'put':
          if (!isVersioned(value) || value.id !== op.id) return malformed(body);
          checker.recordWrite(op.id, value.version, done);
          return;
        case 'list':
          if (!Array.isArray(value) || !value.every(isVersioned)) return malformed(body);
          checker.checkListing(value, startedAt);
          return;
      }
    },
  };
}
