/**
 * Jest global teardown: stops the private redis-server the global setup
 * (test/setup/redis-server.ts) started, if any. Self-contained, like the setup.
 */
interface StoppableServer {
  stop(): Promise<void>;
}

export default async function globalTeardown(): Promise<void> {
  const holder = globalThis as { __MEMOKIT_TEST_REDIS__?: StoppableServer | undefined };
  const server = holder.__MEMOKIT_TEST_REDIS__;
  holder.__MEMOKIT_TEST_REDIS__ = undefined;
  await server?.stop();
}
