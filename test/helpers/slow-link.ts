/**
 * A loopback TCP proxy that delays everything a client sends by a fixed time
 * (replies come back at once): a client behind it reaches the server over a
 * slower link than a client connected directly, as a replica in another zone
 * does. Bytes keep their order.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

/** A running {@link slowLink}. */
export interface SlowLink {
  /** The target's URL with the proxy's address: connect here to go through the proxy. */
  readonly url: string;
  /** Closes the proxy and every connection through it. */
  close(): Promise<void>;
}

/** Starts a proxy to `target` (`redis://host:port[/db]`) that delays what clients send by `delayMs`. */
export async function slowLink(target: string, delayMs: number): Promise<SlowLink> {
  const url = new URL(target);
  const { hostname, port } = url;
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const server: Server = createServer((client) => {
    const upstream = connect({ host: hostname, port: Number(port) });
    sockets.add(client).add(upstream);
    // Timers of one duration fire in the order they were set: chunks reach the server in order.
    client.on('data', (chunk) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (!upstream.destroyed) upstream.write(chunk);
      }, delayMs);
      timers.add(timer);
    });
    upstream.on('data', (chunk) => {
      if (!client.destroyed) client.write(chunk);
    });
    const end = (): void => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('slowLink: no TCP address');
  url.hostname = '127.0.0.1';
  url.port = String(address.port);
  return {
    url: url.toString(),
    close: () => {
      for (const timer of timers) clearTimeout(timer);
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
