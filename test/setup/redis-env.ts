/**
 * What Redis tests need from the global setup: the server's URL, unique key
 * prefixes, and clients that are always closed.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { RedisStore, type RedisStoreOptions } from '../../lib/stores/redis/index.js';

/** The Redis every suite shares (a private server, or REDIS_URL). */
export function testRedisUrl(): string {
  const url = process.env.MEMOKIT_TEST_REDIS_URL;
  if (url === undefined || url === '') {
    throw new Error(
      'MEMOKIT_TEST_REDIS_URL is not set: run the tests through jest (npm test), whose globalSetup ' +
        '(test/setup/redis-server.ts) starts a private redis-server.',
    );
  }
  return url;
}

/** A key prefix no other test uses, so suites never see each other's keys. */
export function uniquePrefix(label: string): string {
  return `t-${label}-${randomBytes(4).toString('hex')}`;
}

/** A plain ioredis client for inspecting what the store wrote. */
export function rawClient(url = testRedisUrl()): Redis {
  const client = new Redis(url, { maxRetriesPerRequest: 1 });
  client.on('error', () => {});
  return client;
}

/** The Redis keys under `prefix` that hold stored entries (string values in memokit's envelope). */
export async function entryKeys(raw: Redis, prefix: string): Promise<string[]> {
  const out: string[] = [];
  for (const key of await raw.keys(`${prefix}:*`)) {
    if ((await raw.type(key)) === 'string' && (await raw.get(key))?.startsWith('mk1|') === true) out.push(key);
  }
  return out;
}

/**
 * Store timeout of {@link connectedStore} unless a test gives its own. The
 * suites that use it check values, keys and guards, not timing: with the
 * library's 250 ms default, one call stalled by a loaded CI machine (jest
 * workers and Redis on 2 cores) marks the store down and fails the next test
 * cases for reasons that are not theirs. Tests of timeouts pass their own.
 */
const TEST_STORE_TIMEOUT = 2000;

/** A RedisStore on the shared server with a unique prefix, connected. */
export async function connectedStore(options: Partial<RedisStoreOptions> & { label: string }): Promise<RedisStore> {
  const { label, ...rest } = options;
  const store = new RedisStore({
    url: testRedisUrl(),
    prefix: uniquePrefix(label),
    timeout: TEST_STORE_TIMEOUT,
    ...rest,
  });
  if (!(await store.ready(5000))) {
    await store.close();
    throw new Error(`RedisStore for ${label} did not connect to ${testRedisUrl()} within 5 s`);
  }
  return store;
}

/** Polls `check` every `everyMs` until it returns true; fails after `withinMs`. */
export async function eventually(
  check: () => Promise<boolean> | boolean,
  withinMs = 2000,
  everyMs = 10,
): Promise<void> {
  const deadline = performance.now() + withinMs;
  for (;;) {
    if (await check()) return;
    if (performance.now() > deadline) throw new Error(`condition not met within ${withinMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
