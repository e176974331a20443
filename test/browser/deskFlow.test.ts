import { mkdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { useChromium, SCREENSHOTS } from '../helpers/browser.ts';
import { EDITORIAL, withDesk, type DeskHarness } from '../helpers/desk.ts';

/**
 * Issue 11, item 2 (desk flow) and item 4's favicon and 390 px header, in a real browser: the next draft after a
 * decision and the way back, the live preview, merging by headline, bulk actions from the queue, decided drafts
 * read-only, a dense queue and actions on screen at 1280×900, nothing wider than a 390 px phone.
 */

const browser = useChromium();

async function open(h: DeskHarness, token: string, viewport = { width: 1280, height: 900 }): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser().newContext({ viewport });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${h.url}/login`);
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL(`${h.url}/`);
  return { context, page, errors };
}

const queueOrder = (page: Page) => page.locator('#rows tr[data-id]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-id')!));
const draftId = (page: Page) => /\/drafts\/(d_[^?]+)/.exec(page.url())?.[1];

describe('issue 11: the desk flow in a browser', () => {
  it('after reject and merge the desk opens the next pending draft in the queue order, links back, and the browser history works; merge finds its target by headline', async () => {
    await withDesk(async (h) => {
      h.clock.set(Date.now());
      await h.seed([
        { title: 'Intel delays Clearwater Forest server CPUs' },
        { title: 'Samsung starts HBM4 sampling' },
        { title: 'Micron raises HBM guidance for the year' },
        { title: 'Arm wins a hyperscaler design' },
      ]);
      const { context, page, errors } = await open(h, h.tokens.editor);
      try {
        const order = await queueOrder(page);
        expect(order).toHaveLength(4);
        const headlineOf = async (id: string) => (await h.api('GET', `/api/drafts/${id}`, { token: h.tokens.viewer })).body.headline as string;

        // Reject the second row: the third opens, saying what happened and where the rejected one is.
        await page.goto(`${h.url}/drafts/${order[1]}`);
        await page.getByLabel('Reason for rejecting').fill('Off topic for this desk.');
        await page.getByRole('button', { name: /^Reject/ }).click();
        await page.waitForURL((u) => u.pathname === `/drafts/${order[2]}`);
        expect(await page.locator('.notice.ok').textContent()).toBe('Rejected.');
        expect(await page.locator('a.back').textContent()).toBe(`← Back to “${await headlineOf(order[1]!)}”`);
        expect(await page.locator('.crumbs').textContent()).toContain('(rejected; this is the next pending draft)');

        // The browser's Back goes to the rejected draft (shown as it is now), Forward returns.
        await page.goBack();
        await expect.poll(() => draftId(page)).toBe(order[1]);
        expect(await page.locator('.status').textContent()).toContain('rejected');
        await page.goForward();
        await expect.poll(() => draftId(page)).toBe(order[2]);

        // Merge by headline: the search lists other pending drafts (never this one), a click picks the target.
        const target = order[3]!;
        const targetHeadline = await headlineOf(target);
        await page.getByLabel('Merge into', { exact: true }).fill(targetHeadline.split(' ')[0]!.toLowerCase());
        const result = page.locator('#merge-results button[data-into]');
        await expect.poll(() => result.allTextContents()).toEqual([targetHeadline]);
        await result.first().click();
        expect(await page.locator('#f-into').inputValue()).toBe(target);
        expect(await page.locator('#merge-choice').textContent()).toBe(`Merging into “${targetHeadline}”.`);
        // A search that finds only this draft says so.
        await page.getByLabel('Merge into', { exact: true }).fill((await headlineOf(order[2]!)).split(' ')[0]!);
        await expect.poll(() => page.locator('#merge-results li').allTextContents()).toEqual([expect.stringMatching(/^No other pending draft matches/)]);
        await page.getByRole('button', { name: 'Merge', exact: true }).click();
        // The next pending row after the merged one is the target itself.
        await page.waitForURL((u) => u.pathname === `/drafts/${target}`);
        expect(await page.locator('.notice.ok').textContent()).toBe(`Merged into ${target}.`);
        expect((await h.api('GET', `/api/drafts/${order[2]}`, { token: h.tokens.viewer })).body).toMatchObject({ status: 'merged', mergedInto: target });

        // Rejecting the last row goes round to the top of the queue: the first row, still pending.
        await page.getByLabel('Reason for rejecting').fill('Duplicate.');
        await page.getByRole('button', { name: /^Reject/ }).click();
        await page.waitForURL((u) => u.pathname === `/drafts/${order[0]}`);
        // The last pending draft rejected: the queue, empty, with the notice.
        await page.getByLabel('Reason for rejecting').fill('Duplicate.');
        await page.getByRole('button', { name: /^Reject/ }).click();
        await page.waitForURL((u) => u.pathname === '/');
        expect(await page.locator('.notice.ok').textContent()).toBe('Rejected.');
        expect(await page.locator('#rows').textContent()).toContain('No drafts match.');
        expect(errors).toEqual([]);
      } finally {
        await context.close();
      }
    });
  });

  it('the preview follows the form as the editor types, escaped, and saves nothing', async () => {
    await withDesk(async (h) => {
      h.clock.set(Date.now());
      const [id] = await h.seed([{ title: 'Micron raises HBM guidance' }]);
      const { context, page, errors } = await open(h, h.tokens.editor);
      try {
        await page.goto(`${h.url}/drafts/${id}`);
        const card = page.locator('#preview-card .signal');
        expect(await card.locator('.signal-why dd').first().textContent()).toBe('not set');
        await page.getByLabel('Why now').pressSequentially('Prices <b>reset</b> this quarter');
        await expect.poll(() => card.locator('.signal-why dd').first().textContent()).toBe('Prices <b>reset</b> this quarter');
        expect(await page.locator('#preview-card b').count()).toBe(0);
        await page.getByLabel('Headline').fill('Micron lifts its HBM outlook');
        await page.getByLabel('Winners (one per line)').fill('Micron\nSK hynix');
        await page.getByLabel('Horizon').selectOption('Short term');
        await expect.poll(() => card.locator('.signal-title').textContent()).toBe('Micron lifts its HBM outlook');
        await expect.poll(() => card.locator('.signal-sides ul').first().locator('li').allTextContents()).toEqual(['Micron', 'SK hynix']);
        expect(await card.locator('.horizon').textContent()).toBe('Short term');
        // A value a save would refuse keeps the stored one in the preview (the save names the field).
        await page.getByLabel('Signal score (0–100)').fill('250');
        await page.getByLabel('Why now').fill('Typed later');
        await expect.poll(() => card.locator('.signal-why dd').first().textContent()).toBe('Typed later');
        expect(await card.locator('.badge').textContent()).toBe((await h.api('GET', `/api/drafts/${id}`, { token: h.tokens.viewer })).body.score.toString());
        // Nothing was saved.
        expect((await h.api('GET', `/api/drafts/${id}`, { token: h.tokens.viewer })).body).toMatchObject({ version: 1, headline: 'Micron raises HBM guidance', whyNow: '' });
        expect(errors).toEqual([]);
      } finally {
        await context.close();
      }
    });
  });

  it('bulk reject, merge and release from the queue: each draft through the desk, every failure named', async () => {
    await withDesk(async (h) => {
      h.clock.set(Date.now());
      const ids = await h.seed([{ title: 'Bulk one' }, { title: 'Bulk two' }, { title: 'Bulk three' }, { title: 'Bulk four' }, { title: 'Bulk five' }, { title: 'Bulk six' }]);
      const byTitle = Object.fromEntries(ids.map((id, i) => [['Bulk one', 'Bulk two', 'Bulk three', 'Bulk four', 'Bulk five', 'Bulk six'][i]!, id]));
      // Another editor holds "Bulk two": rejecting it must fail, and say so.
      expect((await h.api('POST', `/api/drafts/${byTitle['Bulk two']}/claim`, { token: h.tokens.editor2, body: {} })).status).toBe(200);
      const { context, page, errors } = await open(h, h.tokens.editor);
      const pick = (title: string) => page.getByLabel(`Select “${title}”`).check();
      try {
        await pick('Bulk one');
        await pick('Bulk two');
        await pick('Bulk three');
        expect(await page.locator('#picked').textContent()).toBe('3 selected:');
        await page.getByLabel('Reason', { exact: true }).fill('Not for this desk');
        const [response] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/queue/bulk')), page.getByRole('button', { name: 'Reject selected' }).click()]);
        expect(response.status()).toBe(207);
        const report = page.locator('.bulk-report');
        expect(await report.locator('p').textContent()).toBe('Rejected 2 of 3 drafts; 1 was not:');
        expect(await report.locator(`li.failed[data-draft="${byTitle['Bulk two']}"]`).textContent()).toMatch(/^Not rejected: Bulk two: draft d_\S+ is claimed by editor2 until /);
        if (SCREENSHOTS) {
          mkdirSync(SCREENSHOTS, { recursive: true });
          await page.screenshot({ path: `${SCREENSHOTS}/queue-bulk.png` });
        }
        expect((await report.locator('li.ok').allTextContents()).sort()).toEqual(['Bulk one: rejected', 'Bulk three: rejected']);
        for (const t of ['Bulk one', 'Bulk three']) expect((await h.api('GET', `/api/drafts/${byTitle[t]}`, { token: h.tokens.viewer })).body.decision).toMatchObject({ action: 'reject', by: 'editor', reason: 'Not for this desk' });
        expect((await h.api('GET', `/api/drafts/${byTitle['Bulk two']}`, { token: h.tokens.viewer })).body.status).toBe('pending');

        // Merge: "Bulk four" and "Bulk six" into "Bulk five", chosen among the selected.
        await page.goto(`${h.url}/`);
        await pick('Bulk four');
        await pick('Bulk five');
        await pick('Bulk six');
        await page.getByLabel('Merge into').selectOption({ label: 'Bulk five' });
        await page.getByRole('button', { name: 'Merge selected' }).click();
        await expect.poll(() => page.locator('.notice.ok').textContent()).toBe(`Merged 2 drafts into ${byTitle['Bulk five']}.`);
        const five = (await h.api('GET', `/api/drafts/${byTitle['Bulk five']}`, { token: h.tokens.viewer })).body;
        expect(five.status).toBe('pending');
        expect(five.related.map((r: { headline: string }) => r.headline).sort()).toEqual(['Bulk four', 'Bulk six']);

        // Release: the editor's own claims go; nothing is selected after the page reloads.
        expect((await h.api('POST', `/api/drafts/${byTitle['Bulk five']}/claim`, { token: h.tokens.editor, body: {} })).status).toBe(200);
        await page.goto(`${h.url}/`);
        expect(await page.locator('#rows input[name^="pick."]:checked').count()).toBe(0);
        await pick('Bulk five');
        await page.getByRole('button', { name: 'Release claims' }).click();
        await expect.poll(() => page.locator('.notice.ok').textContent()).toBe('Released the claims on 1 draft.');
        expect((await h.api('GET', `/api/drafts/${byTitle['Bulk five']}`, { token: h.tokens.viewer })).body.claim).toBeNull();

        // Select all, then a merge with one draft picked is stopped before it is sent.
        await page.locator('#pick-all').check();
        expect(await page.locator('#rows input[name^="pick."]:checked').count()).toBe(2);
        await page.locator('#pick-all').uncheck();
        await pick('Bulk five');
        await page.getByRole('button', { name: 'Merge selected' }).click();
        await expect.poll(() => page.locator('#live').textContent()).toBe('Select at least two drafts to merge.');
        expect(new URL(page.url()).pathname).toBe('/');
        expect(errors).toEqual([]);
      } finally {
        await context.close();
      }
    });
  });

  it('an approved or rejected draft is visibly read-only: a banner says who decided and when, nothing can be typed or sent', async () => {
    await withDesk(async (h) => {
      const [approved, rejected] = await h.seed([{ title: 'Published one', summary: 'An excerpt about something else entirely.' }, { title: 'Rejected one' }]);
      await h.api('PATCH', `/api/drafts/${approved}`, { token: h.tokens.editor, body: { version: 1, ...EDITORIAL } });
      expect((await h.api('POST', `/api/drafts/${approved}/approve`, { token: h.tokens.editor, body: { version: 2 } })).status).toBe(200);
      h.clock.set(Date.parse('2026-11-27T10:05:00Z'));
      await h.api('POST', `/api/drafts/${rejected}/reject`, { token: h.tokens.editor2, body: { version: 1, reason: 'Rumour' } });
      const { context, page } = await open(h, h.tokens.editor);
      try {
        await page.goto(`${h.url}/drafts/${approved}`);
        expect(await page.locator('.readonly-banner').textContent()).toBe('Approved by editor at 2026-11-27 10:00 UTC: published, read-only.');
        expect(await page.locator('.action-bar').count()).toBe(0);
        expect(await page.getByRole('button', { name: /Save|Reject|Merge/ }).count()).toBe(0);
        const headline = page.getByLabel('Headline');
        expect(await headline.getAttribute('readonly')).not.toBeNull();
        await headline.click();
        await page.keyboard.type('changed');
        expect(await headline.inputValue()).toBe('Published one');
        expect(await page.getByLabel('Horizon').isDisabled()).toBe(true);
        expect(await page.locator('#edit-form').getAttribute('aria-readonly')).toBe('true');

        await page.goto(`${h.url}/drafts/${rejected}`);
        expect(await page.locator('.readonly-banner').textContent()).toBe('Rejected by editor2 at 2026-11-27 10:05 UTC: “Rumour”. Read-only; reopen it to edit.');
        expect(await page.getByRole('button', { name: 'Reopen' }).count()).toBe(1);
        await page.getByLabel('Why now').click();
        await page.keyboard.type('typed');
        expect(await page.getByLabel('Why now').inputValue()).toBe('');
      } finally {
        await context.close();
      }
    });
  });

  it('at 1280×900: at least 20 queue rows on screen, and the draft page\'s actions without scrolling (and still after scrolling)', async () => {
    await withDesk(async (h) => {
      h.clock.set(Date.now());
      const titles = Array.from({ length: 30 }, (_, i) => `Memory maker ${i + 1} raises prices for DRAM and NAND contracts as AI servers absorb supply through next year`);
      const ids = await h.seed(titles.map((title) => ({ title, categories: ['Memory', 'DRAM', 'Pricing'] })));
      const { context, page } = await open(h, h.tokens.editor);
      try {
        expect(await page.locator('#rows tr[data-id]').count()).toBe(30);
        const onScreen = await page.locator('#rows tr[data-id]').evaluateAll((rows) => rows.filter((r) => r.getBoundingClientRect().bottom <= window.innerHeight).length);
        expect(onScreen).toBeGreaterThanOrEqual(20);
        if (SCREENSHOTS) {
          mkdirSync(SCREENSHOTS, { recursive: true });
          await page.screenshot({ path: `${SCREENSHOTS}/queue-dense.png` });
        }

        await page.goto(`${h.url}/drafts/${ids[0]}`);
        const visible = () =>
          Promise.all(
            [page.getByRole('button', { name: /^Save and approve/ }), page.getByRole('button', { name: /^Reject/ }), page.getByRole('button', { name: 'Merge', exact: true }), page.getByLabel('Reason for rejecting')].map(async (l) => {
              const box = (await l.boundingBox())!;
              return box.y >= 0 && box.y + box.height <= 900;
            }),
          );
        expect(await visible()).toEqual([true, true, true, true]);
        await page.mouse.wheel(0, 3000);
        await expect.poll(() => page.evaluate(() => window.scrollY)).toBeGreaterThan(500);
        expect(await visible()).toEqual([true, true, true, true]);
      } finally {
        await context.close();
      }
    });
  });

  it('at 390 px wide no page is wider than the screen (header included); favicon.ico and the linked icon answer 200', async () => {
    await withDesk(async (h) => {
      h.clock.set(Date.now());
      const [id] = await h.seed([{ title: 'A rather long headline about a chipmaker and its supply agreements for the coming year', categories: ['Memory', 'Supply'] }]);
      const { context, page } = await open(h, h.tokens.operator, { width: 390, height: 844 });
      const missing: string[] = [];
      page.on('response', (r) => {
        if (r.status() === 404) missing.push(r.url());
      });
      try {
        for (const path of ['/', `/drafts/${id}`, '/signals', '/sources', '/?status=approved']) {
          await page.goto(`${h.url}${path}`);
          expect(await page.evaluate(() => document.documentElement.scrollWidth), `${path}: page width`).toBeLessThanOrEqual(390);
          const header = await page.locator('header.top *').evaluateAll((els) => Math.max(...els.map((e) => e.getBoundingClientRect().right)));
          expect(header, `${path}: header`).toBeLessThanOrEqual(390);
        }
        if (SCREENSHOTS) await page.goto(`${h.url}/`).then(() => page.screenshot({ path: `${SCREENSHOTS}/queue-390.png` }));
        const icon = await page.locator('link[rel="icon"]').getAttribute('href');
        for (const path of ['/favicon.ico', icon!]) {
          const res = await page.request.get(`${h.url}${path}`);
          expect([path, res.status(), res.headers()['content-type']]).toEqual([path, 200, 'image/svg+xml']);
          expect((await res.text()).startsWith('<svg')).toBe(true);
        }
        expect(missing).toEqual([]);
      } finally {
        await context.close();
      }
    });
  });
});
