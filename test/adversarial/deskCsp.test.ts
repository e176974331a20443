import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../helpers/browser.ts';
import { withDesks } from './deskHttp.ts';

/** Issue 8, item 13: the CSP sent with bull-board and Swagger UI is one they work under (a real browser). */
let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
});

describe('item 13: the dashboards work under their CSP, and cannot be framed', () => {
  it('bull-board lists the queues and Swagger UI the API, with no CSP violation but the blocked web font', { timeout: 90_000 }, async () => {
    await withDesks(async (d) => {
      const context = await browser.newContext();
      const violations: string[] = [];
      const page = await context.newPage();
      page.on('console', (m) => {
        if (/Content Security Policy/i.test(m.text()) && !/fonts\.googleapis\.com/.test(m.text())) violations.push(m.text());
      });
      page.on('pageerror', (e) => violations.push(`page error: ${e.message}`));
      await page.goto(`${d.url}/login`);
      await page.fill('#token', d.tokens.operator);
      await Promise.all([page.waitForURL(`${d.url}/`), page.click('button[type=submit]')]);

      await page.goto(`${d.url}/admin/queues`);
      await page.getByText('webhook', { exact: false }).first().waitFor({ timeout: 30_000 });
      await page.goto(`${d.url}/docs`);
      await page.getByText('/api/drafts', { exact: false }).first().waitFor({ timeout: 30_000 });
      expect(violations).toEqual([]);

      // Not even a page of the desk itself can frame the dashboard (frame-ancestors 'none'): the frame ends
      // on the browser's error page, whose document is not ours to read; a framable page would be.
      const framed = async (path: string) =>
        page.evaluate(
          (src) =>
            new Promise<string>((resolve) => {
              const f = document.createElement('iframe');
              f.addEventListener('load', () => resolve(f.contentDocument ? `readable: ${f.contentWindow?.location.href}` : 'blocked'));
              f.src = src;
              document.body.append(f);
            }),
          `${d.url}${path}`,
        );
      expect(await framed('/admin/queues')).toBe('blocked');
      expect(await framed('/')).toBe('blocked');
      expect(await framed('/docs/static/index.html')).toBe('blocked');
      await context.close();
    });
  });
});
