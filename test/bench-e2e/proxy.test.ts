import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Agent, createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startRoundRobinProxy, type RoundRobinProxy } from '../../bench/e2e/proxy.js';

/** An upstream that answers with its name, the method, the path and the body it received. */
async function upstream(name: string): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      res.writeHead(req.url === '/missing' ? 404 : 200, { 'content-type': 'application/json', 'x-upstream': name });
      res.end(JSON.stringify({ name, method: req.method, path: req.url, body, type: req.headers['content-type'] }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

interface Answer {
  status: number;
  upstream: string | undefined;
  body: { name: string; method: string; path: string; body: string; type?: string };
}

/** One request over `agent` (one kept-alive socket: consecutive requests share a connection). */
function send(agent: Agent, url: string, method = 'GET', body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, method, headers: body ? { 'content-type': 'application/json' } : {} }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          upstream: res.headers['x-upstream'] as string | undefined,
          body: JSON.parse(text) as Answer['body'],
        }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('the round-robin proxy, over real sockets', () => {
  const upstreams: { server: Server; url: string }[] = [];
  let proxy: RoundRobinProxy;
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });

  beforeAll(async () => {
    for (const name of ['a', 'b', 'c']) upstreams.push(await upstream(name));
    proxy = await startRoundRobinProxy(upstreams.map((u) => u.url));
  });

  afterAll(async () => {
    agent.destroy();
    await proxy.close();
    await Promise.all(upstreams.map((u) => new Promise((resolve) => u.server.close(resolve))));
  });

  it('sends each request to the next instance, also on one kept-alive connection', async () => {
    const names: (string | undefined)[] = [];
    for (let i = 0; i < 6; i++) names.push((await send(agent, `${proxy.url}/products/${i}`)).upstream);
    expect(names).toEqual(['a', 'b', 'c', 'a', 'b', 'c']);
    expect(proxy.forwarded).toEqual([2, 2, 2]);
  });

  it('forwards the method, path, query, body and headers, and passes the status and body back', async () => {
    const put = await send(agent, `${proxy.url}/products/7`, 'PUT', '{"priceCents":123}');
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({
      method: 'PUT',
      path: '/products/7',
      body: '{"priceCents":123}',
      type: 'application/json',
    });
    const list = await send(agent, `${proxy.url}/products?category=books&page=2`);
    expect(list.body.path).toBe('/products?category=books&page=2');
    expect((await send(agent, `${proxy.url}/missing`)).status).toBe(404);
  });

  it('answers 502 when an instance is down, and counts it', async () => {
    const down = await upstream('down');
    await new Promise((resolve) => down.server.close(resolve));
    const lonely = await startRoundRobinProxy([down.url]);
    try {
      const status = await new Promise<number>((resolve, reject) => {
        request(`${lonely.url}/x`, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        })
          .on('error', reject)
          .end();
      });
      expect(status).toBe(502);
      expect(lonely.failures).toBe(1);
    } finally {
      await lonely.close();
    }
  });

  it('refuses an upstream off loopback', async () => {
    await expect(startRoundRobinProxy(['http://10.0.0.1:80'])).rejects.toThrow(/not on loopback/);
  });
});
