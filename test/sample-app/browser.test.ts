import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import {
  ADVISED,
  buildSampleApp,
  client,
  databaseEnv,
  ENGINES,
  SAMPLE_METHODS,
  startSampleApp,
  stopPostgres,
  usersScopeTraffic,
  type RunningApp,
  type SampleAppBuild,
} from './helpers.js';

/** Debian's `chromium` package (CI installs it in .ci/run). */
const CHROMIUM = '/usr/bin/chromium';
const screenshot = (engine: string): string =>
  resolve(import.meta.dirname, `../../test-output/sample-app/dashboard-${engine}.png`);

/** The hit-rate cell's text of a method's row, e.g. '75.0%'. */
const hitRate = (page: Page, id: string): Locator =>
  page.locator(`tr[data-method="${id}"] [data-field="hitRate"] .pct`);

/**
 * Waits until the element's text is `expected` (the page re-renders every
 * second); fails with the last text seen. Polls through Playwright, so the
 * test needs no DOM typings.
 */
async function waitForText(locator: Locator, expected: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: string | null = null;
  while (Date.now() < deadline) {
    last = await locator.textContent({ timeout: timeoutMs }).catch(() => null);
    if (last === expected) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`expected "${expected}" within ${timeoutMs} ms, last saw ${JSON.stringify(last)}`);
}

/** Headless Chromium with a private profile; `close()` removes the profile. */
async function openBrowser(): Promise<{ page: Page; close(): Promise<void> }> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is required at ${CHROMIUM} for this test and was not found. ` +
        'Install it with `apt-get update && apt-get install -y chromium` (.ci/run does this on CI).',
    );
  }
  const userDataDir = await mkdtemp(join(tmpdir(), 'memokit-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
      viewport: { width: 1280, height: 960 },
    });
  } catch (error) {
    await rm(userDataDir, { recursive: true, force: true });
    throw error;
  }
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    page,
    close: async () => {
      await context.close();
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}

afterAll(async () => {
  await stopPostgres();
});

describe.each(ENGINES)('the dashboard at / in headless Chromium, on %s', (engine) => {
  let build: SampleAppBuild;
  let app: RunningApp;
  let browser: Awaited<ReturnType<typeof openBrowser>> | undefined;
  let page: Page;

  beforeAll(async () => {
    build = await buildSampleApp();
    app = await startSampleApp(build, await databaseEnv(engine));
    browser = await openBrowser();
    page = browser.page;
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await build?.remove();
  });

  it('renders one row per cached method, and the hit rate follows requests', async () => {
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });

    await page.goto(`${app.url}/`);
    expect(await page.title()).toBe('memokit · cache dashboard');
    await page.locator('tr[data-method="ProductsService.getProduct"]').waitFor();
    const rows = await Promise.all(
      (await page.locator('#methods tbody tr').all()).map((tr) => tr.getAttribute('data-method')),
    );
    expect([...rows].sort()).toEqual([...SAMPLE_METHODS].sort());
    expect(await hitRate(page, 'ProductsService.getProduct').textContent()).toBe('0.0%');
    await expect(page.locator('#store').textContent()).resolves.toBe('memory');

    // 1 miss then 3 hits: the page must show 75.0% within its next refreshes.
    const http = client(app.url);
    for (let i = 0; i < 4; i++) expect((await http.get('/products/3')).status).toBe(200);
    await waitForText(hitRate(page, 'ProductsService.getProduct'), '75.0%');
    const row = page.locator('tr[data-method="ProductsService.getProduct"]');
    expect(await row.locator('[data-field="hits"]').textContent()).toBe('3');
    expect(await row.locator('[data-field="misses"]').textContent()).toBe('1');
    expect(await row.locator('.fill').getAttribute('style')).toContain('width: 75%');
    expect(await page.locator('#queries').textContent()).toBe('1');

    // The page's own buttons send requests and log what they cost.
    await page.getByRole('button', { name: 'GET /products/1…8' }).click();
    await page.locator('#log li', { hasText: 'GET /products/1…8 → 200' }).waitFor({ timeout: 5000 });
    await page.getByRole('button', { name: 'GET /users/1 (+ preferences, orders)' }).click();
    await page.locator('#log li', { hasText: 'GET /users/1 (+ preferences, orders) → 200' }).waitFor();
    await page.getByRole('button', { name: 'GET /users/1 (+ preferences, orders)' }).click();
    await page.locator('#log li', { hasText: '+0 queries' }).first().waitFor({ timeout: 5000 });
    await waitForText(hitRate(page, 'UsersService.getUser'), '50.0%');
    expect(await hitRate(page, 'UsersService.getOrders').textContent()).toBe('50.0%');
    await expect(page.locator('#status-text').textContent()).resolves.toMatch(/^live/);

    await expect(page.locator('#database').textContent()).resolves.toBe(`database: ${engine}`);

    await mkdir(resolve(screenshot(engine), '..'), { recursive: true });
    await page.screenshot({ path: screenshot(engine), fullPage: true });
    expect(existsSync(screenshot(engine))).toBe(true);
    expect(errors).toEqual([]);
  });

  it("says which rows show a shared scope's total, and only those", async () => {
    await page.goto(`${app.url}/`);
    const http = client(app.url);
    for (const path of ['/users/2', '/users/2/preferences', '/users/4'])
      expect((await http.get(path)).status).toBe(200);
    // Entries of the 'users' scope: getUser's and getPreferences' keys in one bucket, shown on both rows.
    const user = page.locator('tr[data-method="UsersService.getUser"]');
    const prefs = page.locator('tr[data-method="UsersService.getPreferences"]');
    const size = (await http.method('UsersService.getUser')).stats.size;
    expect(size).toBeGreaterThanOrEqual(3);
    await waitForText(user.locator('[data-field="size"]'), `${size} / 1,000scope total`);
    await waitForText(prefs.locator('[data-field="size"]'), `${size} / 1,000scope total`);
    for (const row of [user, prefs]) {
      expect(await row.locator('[data-field="sharedScope"]').textContent()).toBe(
        'shared scope: users (total of 2 methods)',
      );
    }
    for (const id of ['ProductsService.getProduct', 'ProductsService.listProducts', 'UsersService.getOrders']) {
      const row = page.locator(`tr[data-method="${id}"]`);
      expect(await row.locator('[data-field="sharedScope"]').count()).toBe(0);
      expect(await row.locator('[data-field="size"]').textContent()).not.toContain('scope');
    }
  });

  it('explains a product entry: cached, then absent with the invalidation that removed it', async () => {
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${app.url}/`);
    const http = client(app.url);
    expect((await http.get('/products/5')).status).toBe(200);
    const field = (name: string): Locator => page.locator(`#explain-result tr[data-field="${name}"] td`);
    await page.locator('#explain-id').fill('5');
    await page.getByRole('button', { name: 'Explain' }).click();
    await waitForText(field('window'), 'fresh');
    expect(await field('key').textContent()).toBe('5');
    expect(await field('tier').textContent()).toBe('memory');
    expect(await field('ttl left').textContent()).toBe('never expires'); // getProduct is an LRU: no expiry
    expect(await field('last invalidation').textContent()).toBe('none known');

    expect((await http.request('PUT', '/products/5', { priceCents: 1299 })).status).toBe(200);
    await page.getByRole('button', { name: 'Explain' }).click();
    await waitForText(field('window'), 'absent');
    expect(await field('tier').textContent()).toBe('absent');
    expect(await field('last invalidation').textContent()).toMatch(/^key · (just now|[\d.]+ ms ago) · from \S+#\d+$/);
    expect(errors).toEqual([]);
  });
});

describe('the sizing advice on the dashboard, in headless Chromium', () => {
  let build: SampleAppBuild;
  let app: RunningApp;
  let browser: Awaited<ReturnType<typeof openBrowser>> | undefined;
  let page: Page;
  const card = (method: string): Locator => page.locator(`.advice-card[data-method="${method}"]`);
  /** The horizontal centre of an element as drawn (the SVG scales with the card). */
  const centreX = async (locator: Locator): Promise<number> => {
    const box = await locator.boundingBox();
    if (box === null) throw new Error('not drawn');
    return box.x + box.width / 2;
  };
  const centreY = async (locator: Locator): Promise<number> => {
    const box = await locator.boundingBox();
    if (box === null) throw new Error('not drawn');
    return box.y + box.height / 2;
  };

  beforeAll(async () => {
    // The advisor does not depend on the database engine: SQLite only.
    build = await buildSampleApp();
    app = await startSampleApp(build, await databaseEnv('sqlite'));
    browser = await openBrowser();
    page = browser.page;
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await build?.remove();
  });

  it('draws one curve per advised method: six points, the size now and the advised size where they belong', async () => {
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    const http = client(app.url);
    // Known traffic: the users scope (300 keys, each read twice) and 40 products read twice; getOrders untouched.
    await usersScopeTraffic(http, 150);
    for (let pass = 0; pass < 2; pass++) {
      for (let id = 1; id <= 40; id++) expect((await http.get(`/products/${id}`)).status).toBe(200);
    }
    for (const n of [1, 2, 3, 1, 2, 3]) expect((await http.get(`/products?page=${n}`)).status).toBe(200);
    const advice = await http.advice();

    await page.goto(`${app.url}/`);
    await card('scope:users').locator('svg').waitFor();
    const cards = await Promise.all(
      (await page.locator('.advice-card').all()).map((c) => c.getAttribute('data-method')),
    );
    expect([...cards].sort()).toEqual([...ADVISED].sort());

    const drawn = advice.filter((a) => a.sizes.length > 0);
    expect(drawn.map((a) => a.method).sort()).toEqual(
      ['ProductsService.getProduct', 'ProductsService.listProducts', 'scope:users'].sort(),
    );
    for (const a of drawn) {
      const chart = card(a.method).locator('svg');
      await expect(chart.count()).resolves.toBe(1);
      const points = chart.locator('circle.point');
      await expect(points.count()).resolves.toBe(6);
      const sizes = await Promise.all((await points.all()).map((p) => p.getAttribute('data-size')));
      expect(sizes).toEqual(a.sizes.map((p) => String(p.size)));
      // x is log(size): the six sizes double each time, so the points are evenly spaced, left to right.
      const xs = await Promise.all((await points.all()).map(centreX));
      const step = xs[1]! - xs[0]!;
      expect(step).toBeGreaterThan(20);
      for (let i = 1; i < xs.length; i++) expect(xs[i]! - xs[i - 1]!).toBeCloseTo(step, 0);
      // The size now: the dashed line stands on the point of multiple 1, which is labelled bold.
      const current = chart.locator('line.current');
      expect(await current.getAttribute('data-size')).toBe(String(a.maxSize));
      const now = chart.locator('circle.point[data-multiple="1"]');
      expect(Math.abs((await centreX(current)) - (await centreX(now)))).toBeLessThan(1);
      expect(Math.abs((await centreX(current)) - xs[2]!)).toBeLessThan(1);
      expect(await chart.locator('text.current-label').textContent()).toBe(`now ${a.maxSize!.toLocaleString('en-US')}`);
      expect(await chart.locator('text.x-label.now').textContent()).toBe(
        a.maxSize! >= 1000 ? `${a.maxSize! / 1000}k` : String(a.maxSize),
      );
      // The advised size: a ring around the point of that size.
      const ring = chart.locator('circle.recommended');
      const advised = chart.locator(`circle.point[data-size="${a.recommendation!.maxSize}"]`);
      expect(Math.abs((await centreX(ring)) - (await centreX(advised)))).toBeLessThan(1);
      expect(Math.abs((await centreY(ring)) - (await centreY(advised)))).toBeLessThan(1);
    }

    // The users scope: 250 entries miss everything, 500 and more hit half (the second pass); the knee is 500.
    const users = advice.find((a) => a.method === 'scope:users')!;
    const chart = card('scope:users').locator('svg');
    const point = (size: number): Locator => chart.locator(`circle.point[data-size="${size}"]`);
    // Grid lines, in order: 0%, 25%, 50%, 75%, 100% (y grows downwards).
    const zeroY = await centreY(chart.locator('line.grid').nth(0));
    const hundredY = await centreY(chart.locator('line.grid').nth(4));
    expect(zeroY).toBeGreaterThan(hundredY);
    expect(Math.abs((await centreY(point(250))) - zeroY)).toBeLessThan(1);
    expect(Math.abs((await centreY(point(1000))) - (zeroY + hundredY) / 2)).toBeLessThan(1);
    expect(await card('scope:users').locator('h3 small').textContent()).toBe(
      'UsersService.getUser + UsersService.getPreferences',
    );
    const kB = `${(users.recommendation!.bytes! / 1000).toFixed(1)} kB`;
    await expect(card('scope:users').locator('.recommendation').textContent()).resolves.toBe(
      `maxSize 1,000 → 500: hit rate 50% → 50%, ±0 loads/s, ≈ ${kB}`,
    );
    await expect(chart.locator('text.recommended-label').textContent()).resolves.toBe('advised 500');

    // listProducts: a TTL method, with its TTL table; 3 keys read twice, every size holds them: the knee is 50.
    const list = card('ProductsService.listProducts');
    await expect(list.locator('.recommendation').textContent()).resolves.toMatch(
      /^maxSize 200 → 50: hit rate 50% → 50%, ±0 loads\/s, ≈ \d+\.\d kB$/,
    );
    expect(await list.locator('table.ttls tr').first().textContent()).toBe('TTL7.5s15s30s1m2m');
    expect(await list.locator('table.ttls td.now').allTextContents()).toEqual(['30s', '50%']);
    // Few keys sampled: the warning is shown.
    expect(await list.locator('.warnings li').allTextContents()).toEqual([
      expect.stringContaining('only 3 keys sampled (rate 1)'),
    ]);

    // getOrders has not been called: no curve, and the advisor says why.
    const orders = card('UsersService.getOrders');
    expect(await orders.locator('svg').count()).toBe(0);
    expect(await orders.locator('.recommendation').textContent()).toBe('No size curve yet.');
    expect(await orders.locator('.warnings li').allTextContents()).toEqual(['no calls observed yet']);

    const shot = resolve(import.meta.dirname, '../../test-output/sample-app/dashboard-advice.png');
    await mkdir(resolve(shot, '..'), { recursive: true });
    await page.locator('section.advice').screenshot({ path: shot });
    expect(errors).toEqual([]);
  });
});
