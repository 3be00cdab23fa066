import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import {
  buildSampleApp,
  client,
  databaseEnv,
  ENGINES,
  SAMPLE_METHODS,
  startSampleApp,
  stopPostgres,
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

afterAll(async () => {
  await stopPostgres();
});

describe.each(ENGINES)('the dashboard at / in headless Chromium, on %s', (engine) => {
  let build: SampleAppBuild;
  let app: RunningApp;
  let userDataDir: string;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `Chromium is required at ${CHROMIUM} for this test and was not found. ` +
          'Install it with `apt-get update && apt-get install -y chromium` (.ci/run does this on CI).',
      );
    }
    build = await buildSampleApp();
    app = await startSampleApp(build, await databaseEnv(engine));
    userDataDir = await mkdtemp(join(tmpdir(), 'memokit-chromium-'));
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
    page = context.pages()[0] ?? (await context.newPage());
  });

  afterAll(async () => {
    await context?.close();
    await app?.stop();
    await build?.remove();
    if (userDataDir !== undefined) await rm(userDataDir, { recursive: true, force: true });
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
