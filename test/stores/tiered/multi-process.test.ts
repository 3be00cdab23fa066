import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildSampleApp, type SampleAppBuild } from '../../sample-app/helpers.js';
import { rawClient, testRedisUrl, uniquePrefix } from '../../setup/redis-env.js';

/**
 * A worker process: a decorated repository method cached in a TieredStore on
 * the shared Redis; its "database" is a plain Redis key. It answers JSON
 * commands on stdin: read (through the cache), peek (L1 only), write (update
 * the database, then invalidateCache).
 */
const WORKER = `
import { createInterface } from 'node:readline';
import { Redis } from 'ioredis';
import { AsyncLRU, invalidateCache } from 'memokit';
import { TieredStore } from 'memokit/tiered';

const [url, prefix] = process.argv.slice(2);
const store = new TieredStore({ redis: { url, prefix }, l1Ttl: '1m' });
if (!(await store.ready(5000))) throw new Error('not ready');
const db = new Redis(url);
let loads = 0;

class Repo {
  async get(id) {
    loads++;
    return db.get(prefix + ':db:' + id);
  }
}
const descriptor = Object.getOwnPropertyDescriptor(Repo.prototype, 'get');
Object.defineProperty(Repo.prototype, 'get', AsyncLRU({ store })(Repo.prototype, 'get', descriptor));
const repo = new Repo();

const reply = (message) => process.stdout.write(JSON.stringify(message) + '\\n');
for await (const line of createInterface({ input: process.stdin })) {
  const { id, cmd, value } = JSON.parse(line);
  if (cmd === 'read') reply({ id, value: await repo.get('item'), loads });
  else if (cmd === 'l1') reply({ id, value: store.namespace('Repo.get').sync.get('item')?.value ?? null, loads });
  else if (cmd === 'write') {
    await db.set(prefix + ':db:item', value);
    await invalidateCache(repo.get, 'item');
    reply({ id, loads });
  } else if (cmd === 'exit') break;
}
await store.close();
db.disconnect();
`;

interface Reply {
  id: number;
  value?: string | null;
  loads: number;
}

class Worker {
  readonly #child: ChildProcessWithoutNullStreams;
  readonly #waiting = new Map<number, (reply: Reply) => void>();
  #next = 0;
  stderr = '';

  constructor(script: string, prefix: string) {
    this.#child = spawn(process.execPath, [script, testRedisUrl(), prefix], { stdio: 'pipe' });
    this.#child.stderr.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    createInterface({ input: this.#child.stdout }).on('line', (line) => {
      const reply = JSON.parse(line) as Reply;
      this.#waiting.get(reply.id)?.(reply);
      this.#waiting.delete(reply.id);
    });
  }

  send(cmd: string, value?: string): Promise<Reply> {
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`worker did not answer ${cmd}: ${this.stderr}`)), 10_000);
      this.#waiting.set(id, (reply) => {
        clearTimeout(timer);
        resolve(reply);
      });
      this.#child.stdin.write(`${JSON.stringify({ id, cmd, value })}\n`);
    });
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      this.#child.once('exit', () => resolve());
      this.#child.stdin.write(`${JSON.stringify({ id: -1, cmd: 'exit' })}\n`);
      setTimeout(() => this.#child.kill('SIGKILL'), 5_000).unref();
    });
  }
}

describe('tiered store across 3 processes on one Redis', () => {
  let build: SampleAppBuild;
  let workers: Worker[];
  const prefix = uniquePrefix('multi');

  beforeAll(async () => {
    build = await buildSampleApp();
    const script = join(build.root, 'worker.mjs');
    await writeFile(script, WORKER);
    const db = rawClient();
    await db.set(`${prefix}:db:item`, 'v1');
    db.disconnect();
    workers = [new Worker(script, prefix), new Worker(script, prefix), new Worker(script, prefix)];
  }, 60_000);

  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await build.remove();
  });

  it('shares loads through Redis and, after one process invalidates, the others serve the fresh value within 100 ms', async () => {
    const [p0, p1, p2] = workers as [Worker, Worker, Worker];
    const total = async () => (await Promise.all(workers.map((w) => w.send('l1')))).reduce((n, r) => n + r.loads, 0);
    expect((await p0.send('read')).value).toBe('v1');
    expect(await total()).toBe(1);
    // p0's write reaches Redis just after its caller got the value: give it a moment, then the
    // others read it from Redis (no load of their own) and keep it in their L1.
    await new Promise((resolve) => setTimeout(resolve, 50));
    for (const w of [p1, p2]) {
      expect((await w.send('read')).value).toBe('v1');
      expect((await w.send('l1')).value).toBe('v1');
    }
    const loadsBefore = await total();
    expect(loadsBefore).toBe(1); // one load for three processes

    await p0.send('write', 'v2');
    const started = performance.now();
    const fresh = await Promise.all(
      [p1, p2].map(async (w) => {
        for (;;) {
          const reply = await w.send('read');
          if (reply.value === 'v2') return performance.now() - started;
          if (performance.now() - started > 1_000) return Number.POSITIVE_INFINITY;
        }
      }),
    );
    console.log(
      `invalidation visible in the other processes after ${fresh.map((ms) => ms.toFixed(1)).join(' ms and ')} ms`,
    );
    expect(Math.max(...fresh)).toBeLessThan(100);
    // exactly the reloads needed after the invalidation: at most one per process, at least one overall
    const loadsAfter = await total();
    expect(loadsAfter - loadsBefore).toBeGreaterThanOrEqual(1);
    expect(loadsAfter - loadsBefore).toBeLessThanOrEqual(2);
    for (const w of workers) expect((await w.send('read')).value).toBe('v2');
    const settled = await total();
    for (const w of workers) expect((await w.send('read')).value).toBe('v2');
    expect(await total()).toBe(settled); // from here on every read is a cache hit
  }, 30_000);
});
