/**
 * A loopback HTTP proxy that sends each request to the next of several
 * upstreams in turn (per request, not per connection), so consecutive requests
 * of one client connection, a write and the read after it included, land on
 * different app instances.
 */
import { Agent, createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RoundRobinProxy {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Requests forwarded to each upstream, in the order of `upstreams`. */
  readonly forwarded: readonly number[];
  /** Requests answered 502 (or cut short) because an upstream failed, after the one retry a reused socket gets. */
  readonly failures: number;
  /** The first of those failures (method, path, upstream and error), for the report. */
  readonly firstFailure: string | undefined;
  close(): Promise<void>;
}

/** Free upstream sockets close after this long idle, well before a Node server's 5 s keep-alive timeout. */
const IDLE_SOCKET_MS = 1_000;

/** Hop-by-hop headers, not forwarded (RFC 9110 §7.6.1). */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'proxy-authorization',
  'proxy-authenticate',
]);

function endToEnd(headers: NodeJS.Dict<string | string[]>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
  }
  return out;
}

/**
 * Starts the proxy on a free loopback port. `upstreams` are base URLs such as `http://127.0.0.1:3001`.
 *
 * @example
 * const proxy = await startRoundRobinProxy(['http://127.0.0.1:3001', 'http://127.0.0.1:3002']);
 * await fetch(`${proxy.url}/health`); // answered by the first app
 * await proxy.close();
 */
export async function startRoundRobinProxy(upstreams: readonly string[]): Promise<RoundRobinProxy> {
  if (upstreams.length === 0) throw new Error('round-robin proxy: no upstreams');
  const targets = upstreams.map((base) => {
    const url = new URL(base);
    if (url.hostname !== '127.0.0.1' && url.hostname !== 'localhost') {
      throw new Error(`round-robin proxy: upstream ${base} is not on loopback`);
    }
    return { hostname: url.hostname, port: Number(url.port) };
  });
  // Node's servers close a kept-alive connection after 5 s idle (`keepAliveTimeout`). Reusing one at that moment
  // fails the request (ECONNRESET): free sockets are closed here after 1 s, and a request whose reused socket
  // failed before any answer goes once more over a new connection (the upstream never saw it).
  const agent = new Agent({ keepAlive: true, maxSockets: 64, timeout: IDLE_SOCKET_MS });
  const forwarded = targets.map(() => 0);
  let failures = 0;
  let firstFailure: string | undefined;
  let next = 0;

  const server: Server = createServer((req, res) => {
    const index = next;
    next = (next + 1) % targets.length;
    const target = targets[index]!;
    forwarded[index]!++;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const send = (retry: boolean): void => {
        const upstream = httpRequest(
          { ...target, agent, method: req.method, path: req.url, headers: endToEnd(req.headers) },
          (response) => {
            res.writeHead(response.statusCode ?? 502, endToEnd(response.headers));
            response.pipe(res);
          },
        );
        upstream.on('error', (error) => {
          if (retry && upstream.reusedSocket && !res.headersSent) return send(false);
          failures++;
          const message = `upstream ${target.hostname}:${target.port} failed: ${error.message}`;
          firstFailure ??= `${req.method} ${req.url}: ${message}`;
          if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
          res.end(`proxy: ${message}`);
        });
        upstream.end(body);
      };
      send(true);
    });
  });
  server.keepAliveTimeout = 60_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    forwarded,
    get failures() {
      return failures;
    },
    get firstFailure() {
      return firstFailure;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        agent.destroy();
      }),
  };
}
