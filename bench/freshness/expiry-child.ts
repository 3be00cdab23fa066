/**
 * One configuration of the "Expiry under load" benchmark, in its own process:
 * `node expiry-child.js <id> <seconds>` prints one JSON line with the
 * latency histogram, the calls and the loader calls.
 */
import { BentoCache, bentostore } from 'bentocache';
import { memoryDriver } from 'bentocache/drivers/memory';
import { createCache } from 'cache-manager';
import { createKeyv } from 'cacheable';
import { AsyncTTL, type AsyncTTLOptions } from '../../lib/index.js';
import { LatencyHistogram } from './expiry-report.js';

export const CALLERS = 200;
export const LOAD_MS = 50;
export const TTL_MS = 1_000;
export const REFRESH_AHEAD = 0.8;
/** A caller yields to the event loop (timers, the reload) every this many calls. */
const YIELD_EVERY = 100;

let loaderCalls = 0;
/** Loads that have finished: a call during which this changed waited for a load (a hit settles in microtasks). */
let loadsSettled = 0;
const load = (): Promise<number> =>
  new Promise((resolve) => {
    loaderCalls++;
    setTimeout(() => {
      loadsSettled++;
      resolve(loaderCalls);
    }, LOAD_MS);
  });

function memokit(options: AsyncTTLOptions<[string], number>): () => Promise<number> {
  class Hot {
    @AsyncTTL(options)
    async get(_key: string): Promise<number> {
      return load();
    }
  }
  const hot = new Hot();
  return () => hot.get('hot');
}

/** The getter of each configuration. */
const CONFIGURATIONS: Record<string, () => () => Promise<unknown>> = {
  baseline: () => memokit({ ttl: '1h' }),
  none: () => memokit({ ttl: TTL_MS }),
  swr: () => memokit({ ttl: TTL_MS, staleWhileRevalidate: '10s' }),
  ahead: () => memokit({ ttl: TTL_MS, refreshAhead: REFRESH_AHEAD }),
  bentocache: () => {
    const bento = new BentoCache({ default: 'memory', stores: { memory: bentostore().useL1Layer(memoryDriver({})) } });
    return () => bento.getOrSet({ key: 'hot', factory: load, ttl: TTL_MS, grace: '10s', timeout: 0 });
  },
  'cache-manager': () => {
    const cache = createCache({ stores: [createKeyv()], ttl: TTL_MS, refreshThreshold: TTL_MS * 0.2 });
    return () => cache.wrap('hot', load);
  },
};

export const CONFIGURATION_IDS = Object.keys(CONFIGURATIONS);

async function main(): Promise<void> {
  const [id = '', secondsArg = '10'] = process.argv.slice(2);
  const make = CONFIGURATIONS[id];
  if (make === undefined) throw new Error(`expiry bench: unknown configuration ${JSON.stringify(id)}`);
  const seconds = Number(secondsArg);
  const get = make();
  await get(); // the cold load, outside the measurement
  const histogram = new LatencyHistogram();
  let calls = 0;
  let waited = 0;
  const end = performance.now() + seconds * 1000;
  const caller = async (): Promise<void> => {
    let n = 0;
    while (performance.now() < end) {
      const started = performance.now();
      const settled = loadsSettled;
      await get();
      histogram.record(performance.now() - started);
      if (loadsSettled !== settled) waited++;
      calls++;
      if (++n % YIELD_EVERY === 0) await new Promise((resolve) => setImmediate(resolve));
    }
  };
  await Promise.all(Array.from({ length: CALLERS }, caller));
  process.stdout.write(`${JSON.stringify({ histogram: histogram.toJSON(), calls, waited, loaderCalls, seconds })}\n`);
  process.exit(0); // peers keep timers (bentocache's, cache-manager's refresh) alive
}

if (process.argv[1]?.endsWith('expiry-child.js') === true) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  });
}
