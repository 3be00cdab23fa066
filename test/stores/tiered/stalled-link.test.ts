/**
 * One process's Redis link stalls while the others still reach Redis: the
 * writer's invalidation times out on its own link, yet it is published on
 * the bus. The peers must not read the old entry back from Redis once the
 * mutation resolved (DESIGN.md, "Invalidation is truth").
 *
 * Three worker processes share the private Redis; the writer's store
 * connection goes through a loopback TCP proxy owned by this test, which can
 * stop forwarding bytes without closing any socket (a stalled link). Every
 * other connection (the writer's bus, the peers' stores and buses, the
 * "database") goes to Redis directly.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildSampleApp, type SampleAppBuild } from '../../sample-app/helpers.js';
import { rawClient, testRedisUrl, uniquePrefix } from '../../setup/redis-env.js';

/**
 * A worker: a decorated repository method cached in a TieredStore whose
 * Redis store uses `storeUrl` and whose bus uses `url`; the "database" is a
 * plain Redis key. Commands on stdin: read (through the cache), ready, write
 * (update the database, then invalidateCache), exit.
 */
const WORKER = `
import { createInterface } from 'node:readline';
import { Redis } from 'ioredis';
import { AsyncLRU, invalidateCache } from 'memokit';
import { RedisStore } from 'memokit/redis';
import { RedisBus, TieredStore } from 'memokit/tiered';

const [url, storeUrl, prefix] = process.argv.slice(2);
const redis = new RedisStore({ url: storeUrl, prefix, timeout: 250, retryInterval: 100 });
const store = new TieredStore({ redis, bus: new RedisBus({ url, channel: prefix + ':memokit:bus' }), l1Ttl: '1m' });
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
  else if (cmd === 'ready') reply({ id, value: String(await store.ready(1)), loads });
  else if (cmd === 'write') {
    await db.set(prefix + ':db:item', value);
    await invalidateCache(repo.get, 'item');
    reply({ id, loads });
  } else if (cmd === 'exit') break;
}
await store.close();
await redis.close();
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

  constructor(script: string, storeUrl: string, prefix: string) {
    this.#child = spawn(process.execPath, [script, testRedisUrl(), storeUrl, prefix], { stdio: 'pipe' });
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
      if (this.#child.exitCode !== null) return resolve();
      this.#child.once('exit', () => resolve());
      this.#child.stdin.write(`${JSON.stringify({ id: -1, cmd: 'exit' })}\n`);
      setTimeout(() => this.#child.kill('SIGKILL'), 5_000).unref();
    });
  }
}

/** A loopback TCP proxy to Redis that can stall: bytes are held (sockets stay open) until resumed. */
class StallingProxy {
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  readonly #held: { to: Socket; chunk: Buffer }[] = [];
  #stalled = false;
  port = 0;

  constructor(target: { host: string; port: number }) {
    this.#server = createServer((client) => {
      const upstream = createConnection(target);
      for (const socket of [client, upstream]) {
        this.#sockets.add(socket);
        socket.on('error', () => socket.destroy());
        socket.on('close', () => {
          this.#sockets.delete(socket);
          client.destroy();
          upstream.destroy();
        });
      }
      const forward = (to: Socket) => (chunk: Buffer) => {
        if (this.#stalled) this.#held.push({ to, chunk });
        else to.write(chunk);
      };
      client.on('data', forward(upstream));
      upstream.on('data', forward(client));
    });
  }

  listen(): Promise<void> {
    return new Promise((resolve) =>
      this.#server.listen(0, '127.0.0.1', () => {
        this.port = (this.#server.address() as { port: number }).port;
        resolve();
      }),
    );
  }

  stall(): void {
    this.#stalled = true;
  }

  resume(): void {
    this.#stalled = false;
    for (const { to, chunk } of this.#held.splice(0)) to.write(chunk);
  }

  close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}

describe("tiered store: one process's Redis link stalls", () => {
  let build: SampleAppBuild;
  let proxy: StallingProxy;
  let writer: Worker;
  let peers: Worker[];
  const prefix = uniquePrefix('stall');

  beforeAll(async () => {
    build = await buildSampleApp();
    const script = join(build.root, 'worker.mjs');
    await writeFile(script, WORKER);
    const direct = new URL(testRedisUrl());
    proxy = new StallingProxy({ host: direct.hostname, port: Number(direct.port) });
    await proxy.listen();
    const db = rawClient();
    await db.set(`${prefix}:db:item`, 'v1');
    db.disconnect();
    writer = new Worker(script, `redis://127.0.0.1:${proxy.port}`, prefix);
    peers = [new Worker(script, testRedisUrl(), prefix), new Worker(script, testRedisUrl(), prefix)];
  }, 60_000);

  afterAll(async () => {
    proxy?.resume();
    await Promise.all([writer, ...peers].map((w) => w?.stop()));
    await proxy?.close();
    await build?.remove();
  });

  it('peers never read the old value back from Redis after the mutation resolved', async () => {
    expect((await writer.send('read')).value).toBe('v1');
    for (const peer of peers) expect((await peer.send('read')).value).toBe('v1');
    // The entry is in Redis and in every L1.
    const raw = rawClient();
    try {
      expect((await raw.keys(`${prefix}:*`)).some((key) => !key.includes(':db:') && !key.endsWith(':g'))).toBe(true);
    } finally {
      raw.disconnect();
    }

    proxy.stall();
    const started = performance.now();
    await writer.send('write', 'v2'); // its delete times out on the stalled link; the bus still works
    const mutationMs = performance.now() - started;

    // For 1.5 s after the mutation resolved, the peers read continuously: never the old value.
    let reads = 0;
    let old = 0;
    const until = performance.now() + 1500;
    await Promise.all(
      peers.map(async (peer) => {
        while (performance.now() < until) {
          const reply = await peer.send('read');
          reads++;
          if (reply.value !== 'v2') old++;
          await new Promise((resolve) => setTimeout(resolve, 2)); // the machine is shared
        }
      }),
    );
    const ready = await Promise.all(peers.map(async (peer) => (await peer.send('ready')).value));
    console.log(`stalled writer: mutation took ${mutationMs.toFixed(0)} ms; peers read ${reads} times, ${old} old`);
    expect(reads).toBeGreaterThan(20);
    expect(old).toBe(0);
    expect(ready).toEqual(['true', 'true']); // the peers' own links are healthy throughout

    // The writer itself serves the new value while its link is stalled, and after it is back.
    expect((await writer.send('read')).value).toBe('v2');
    proxy.resume();
    for (const w of [writer, ...peers]) expect((await w.send('read')).value).toBe('v2');
  }, 60_000);
});
