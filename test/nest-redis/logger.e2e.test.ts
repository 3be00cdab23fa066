/**
 * The module's state lines through Nest's Logger (context `memokit`): one
 * per change in how a store serves calls, never one per call, filtered by
 * the `logger` option. Real Nest applications over a Redis this suite starts
 * and stops (its own server: the shared one must stay up). Here, not in
 * test/nest: the NestJS 11 compatibility run copies test/nest alone, without
 * the Redis test setup.
 */
import 'reflect-metadata';
import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { Injectable, Logger } from '@nestjs/common';
import { AsyncTTL } from '../../lib/index.js';
import { TieredStore } from '../../lib/tiered.js';
import { CacheModule, CacheModuleOptionsError, CacheService } from '../../nest-module/index.js';
import type { RedisStore } from '../../lib/stores/redis/index.js';
import { rawCommand, startRedisServer, type RedisServer } from '../setup/redis-server.js';
import { eventually, uniquePrefix } from '../setup/redis-env.js';
import { bootstrap, closeAll } from '../nest/helpers.js';

let server: RedisServer;
beforeAll(async () => {
  server = await startRedisServer();
});
afterAll(async () => {
  await server.stop();
});

interface Line {
  readonly level: 'debug' | 'log' | 'warn' | 'error';
  readonly context: string | undefined;
  readonly message: string;
}

/** Records what every Nest Logger writes (level, context, message) instead of printing it. */
function captureLines(): { readonly lines: Line[]; restore(): void } {
  const lines: Line[] = [];
  const spies = (['debug', 'log', 'warn', 'error'] as const).map((level) =>
    jest.spyOn(Logger.prototype, level).mockImplementation(function (this: Logger, message: unknown) {
      lines.push({ level, context: (this as unknown as { context?: string }).context, message: String(message) });
    }),
  );
  return { lines, restore: () => spies.forEach((spy) => spy.mockRestore()) };
}

let capture: ReturnType<typeof captureLines>;
afterEach(async () => {
  await closeAll();
  capture.restore();
  if (!(await isUp())) await server.restart();
});

async function isUp(): Promise<boolean> {
  try {
    return (await rawCommand(server.port, 'PING', 300)).includes('PONG');
  } catch {
    return false;
  }
}

const memokitLines = (): Line[] => capture.lines.filter((line) => line.context === 'memokit');

@Injectable()
class Reports {
  loads = 0;

  @AsyncTTL({ ttl: '1m', store: 'shared' })
  async build(id: string, size = 10): Promise<string> {
    this.loads++;
    return `${id}:`.padEnd(size, 'x');
  }
}

describe('CacheModule logger', () => {
  it('writes one warn line when Redis goes down and one log line when it is back, whatever the calls', async () => {
    capture = captureLines();
    const url = `${server.url}/0?prefix=${uniquePrefix('nest-log')}&timeout=100ms&retryInterval=50ms`;
    const app = await bootstrap({ imports: [CacheModule.forRoot({ stores: { shared: url } })], providers: [Reports] });
    const reports = app.get(Reports);
    await reports.build('a');
    expect(memokitLines()).toEqual([]);

    await server.stop();
    await eventually(() => memokitLines().length > 0, 5000);
    for (let i = 0; i < 20; i++) await reports.build(`down${i}`); // run uncached: no line per call
    expect(memokitLines()).toEqual([
      {
        level: 'warn',
        context: 'memokit',
        message: expect.stringMatching(/^store "shared" \(redis\) is unavailable: .*until it answers again\.$/),
      },
    ]);

    await server.restart();
    await eventually(() => memokitLines().length > 1, 10_000);
    expect(memokitLines()[1]).toEqual({
      level: 'log',
      context: 'memokit',
      message: 'store "shared" (redis) answers again: cached methods use it.',
    });
    expect(memokitLines()).toHaveLength(2);
  });

  it("{ level: 'warn' } drops the recovery line; false writes nothing", async () => {
    capture = captureLines();
    const prefix = uniquePrefix('nest-log-level');
    const warnOnly = await bootstrap({
      imports: [
        CacheModule.forRoot({
          stores: { shared: `${server.url}/0?prefix=${prefix}a&timeout=100ms&retryInterval=50ms` },
          logger: { level: 'warn' },
        }),
      ],
      providers: [Reports],
    });
    const silent = await bootstrap({
      imports: [
        CacheModule.forRoot({
          stores: { shared: `${server.url}/0?prefix=${prefix}b&timeout=100ms&retryInterval=50ms` },
          logger: false,
        }),
      ],
      providers: [Reports],
    });
    await warnOnly.get(Reports).build('a');
    await silent.get(Reports).build('a');
    const redisOf = (app: typeof warnOnly) => app.get(CacheService).getStore('shared') as RedisStore;
    await server.stop();
    await eventually(() => !redisOf(warnOnly).redisStats().available && !redisOf(silent).redisStats().available, 5000);
    await server.restart();
    // Both back: a line for it would have been written as the store turned available.
    await eventually(() => redisOf(warnOnly).redisStats().available && redisOf(silent).redisStats().available, 10_000);
    expect(memokitLines().map((line) => line.level)).toEqual(['warn']); // one app's warn; no log, nothing from the silent one
  });

  it('writes the first value of a method too large for maxValueSize, once', async () => {
    capture = captureLines();
    const url = `${server.url}/0?prefix=${uniquePrefix('nest-log-large')}&maxValueSize=1kb`;
    const app = await bootstrap({ imports: [CacheModule.forRoot({ stores: { shared: url } })], providers: [Reports] });
    const reports = app.get(Reports);
    await reports.build('big1', 5000);
    await reports.build('big2', 5000);
    await reports.build('big1', 5000);
    expect(reports.loads).toBe(3); // not cached
    expect(memokitLines()).toEqual([
      {
        level: 'warn',
        context: 'memokit',
        message: expect.stringMatching(/^store "shared": a value of Reports\.build was not cached .*maxValueSize/),
      },
    ]);
  });

  it('writes when a tiered store drops its in-process copies because its bus lost Redis', async () => {
    capture = captureLines();
    const store = new TieredStore({
      redis: { url: server.url, prefix: uniquePrefix('nest-log-tiered'), timeout: 100, retryInterval: 50 },
    });
    try {
      const app = await bootstrap({
        imports: [CacheModule.forRoot({ stores: { shared: store }, logger: { level: 'debug' } })],
        providers: [Reports],
      });
      await app.get(Reports).build('a');
      expect(memokitLines()).toEqual([]);
      await server.stop();
      await eventually(() => memokitLines().some((line) => /dropped its in-process copies/.test(line.message)), 5000);
      const reset = memokitLines().find((line) => /dropped/.test(line.message));
      expect(reset).toMatchObject({ level: 'warn', message: expect.stringMatching(/^store "shared" dropped/) });
    } finally {
      await closeAll();
      await server.restart();
      await store.ready(5000); // closed once it answers again, as an application shuts down
      await store.close();
    }
  });

  it('a logger option it cannot read fails the bootstrap, naming the option', async () => {
    capture = captureLines();
    await expect(
      bootstrap({ imports: [CacheModule.forRoot({ logger: { level: 'loud' } as never })], providers: [] }),
    ).rejects.toThrow(CacheModuleOptionsError);
    await expect(
      bootstrap({ imports: [CacheModule.forRoot({ logger: 'warn' as never })], providers: [] }),
    ).rejects.toThrow(
      /option "logger" must be true, false or \{ level \} with level one of "debug", "log", "warn", "error"/,
    );
  });
});
