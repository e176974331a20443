import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startRuntime } from '../../workers/runtime.ts';
import { useChromium, SCREENSHOTS } from '../helpers/browser.ts';
import { withDesk, type DeskHarness } from '../helpers/desk.ts';
import { enrichDraft, sampleEnrichment } from '../helpers/enrichDraft.ts';

const browser = useChromium();

async function logIn(h: DeskHarness, page: Page, token: string): Promise<void> {
  await page.goto(`${h.url}/`);
  await expect.poll(() => new URL(page.url()).pathname).toBe('/login');
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL(`${h.url}/`);
}

const EXCERPT = 'Intel said on Tuesday that its Clearwater Forest server chips would ship in the first half of next year after a delay caused by packaging capacity constraints at its plants.';

describe('the desk in a browser', () => {
  it('log in, open the queue, claim a draft, fill the editorial fields, approve, and find the signal in /signals.json', async () => {
    await withDesk(async (h) => {
      h.clock.set(Date.now());
      await h.seed([
        { title: 'Intel delays Clearwater Forest server CPUs to 2026', summary: EXCERPT, url: 'https://www.tomshardware.com/pc-components/cpus/clearwater-forest-delay', categories: ['CPUs', 'Intel'] },
        { title: 'Nvidia ships new rack-scale systems', categories: ['GPUs'] },
        { title: 'Micron raises HBM guidance', categories: ['Memory'] },
      ]);
      const context = await browser().newContext({ viewport: { width: 1360, height: 900 } });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      try {
        await logIn(h, page, h.tokens.editor);
        await expect.poll(() => page.locator('#rows tr[data-id]').count()).toBe(3);
        await expect.poll(() => page.locator('[data-count="pending"]').textContent()).toBe('3');

        // Keyboard: j selects the first row, j the second, k goes back; ? shows the keys.
        const headlines = await page.locator('#rows tr[data-id] td.headline a').allTextContents();
        await page.keyboard.press('j');
        await page.keyboard.press('j');
        expect(await page.locator('#rows tr[aria-selected="true"] a').textContent()).toBe(headlines[1]);
        await page.keyboard.press('k');
        expect(await page.locator('#rows tr[aria-selected="true"] a').textContent()).toBe(headlines[0]);
        for (let i = 0; i < headlines.indexOf('Intel delays Clearwater Forest server CPUs to 2026'); i++) await page.keyboard.press('j');
        await page.keyboard.press('?');
        expect(await page.locator('dialog#keys').evaluate((d: HTMLDialogElement) => d.open)).toBe(true);
        await page.keyboard.press('Escape');
        if (SCREENSHOTS) {
          mkdirSync(SCREENSHOTS, { recursive: true });
          await page.screenshot({ path: `${SCREENSHOTS}/queue.png` });
        }

        // Enter opens the selected draft; c claims it.
        await page.keyboard.press('Enter');
        await page.waitForURL(/\/drafts\/d_/);
        await page.keyboard.press('c');
        await expect.poll(() => page.locator('.claim-box').textContent()).toContain('Claimed by editor until');
        expect(await page.locator('.excerpt figcaption').textContent()).toContain('editor only');

        await page.getByLabel('Category').fill('Infrastructure Software');
        await page.getByLabel('Signal score (0–100)').fill('72');
        await page.getByLabel('Horizon').selectOption('Short term');
        await page.getByLabel('Why now').fill('Hyperscalers are locking 2026 server budgets this quarter.');
        await page.getByLabel("Why it's important").fill('A slip in Intel’s dense-core roadmap hands share to AMD and Arm designs.');
        await page.getByLabel('Winners (one per line)').fill('AMD\nArm server vendors');
        await page.getByLabel('Losers (one per line)').fill('Intel data-centre group');
        await page.getByLabel('Direct').fill('Cloud buyers shift orders');
        await page.getByLabel('Editorial confidence').fill('90');
        await page.getByLabel('Structural impact').fill('60');
        await page.getByRole('button', { name: 'Save', exact: true }).click();
        await expect.poll(() => page.locator('.notice.ok').textContent()).toBe('Saved.');
        // The preview is laid out like the brief.
        const preview = page.locator('.preview .signal');
        expect(await preview.locator('.category').textContent()).toBe('Infrastructure Software');
        expect(await preview.locator('.read').textContent()).toContain('Read at Tom’s Hardware');
        if (SCREENSHOTS) await page.screenshot({ path: `${SCREENSHOTS}/draft.png`, fullPage: true });

        // a = save and approve (focus must not be in a field).
        await page.locator('h1').click();
        await page.keyboard.press('a');
        await expect.poll(() => page.locator('.notice.ok').textContent()).toMatch(/^Approved and published as s_/);
        // Issue 11: the desk moves on to the next pending draft, with a link back to the approved one.
        expect(await page.locator('.status').textContent()).toContain('pending');
        await page.locator('a.back').click();
        await page.waitForURL(/\/drafts\/d_[^?]+$/);
        expect(await page.locator('h1').textContent()).toBe('Intel delays Clearwater Forest server CPUs to 2026');
        expect(await page.locator('.status').textContent()).toContain('approved');

        const feed = await (await page.request.get(`${h.url}/signals.json`)).json();
        expect(feed.items.map((i: { title: string }) => i.title)).toEqual(['Intel delays Clearwater Forest server CPUs to 2026']);
        expect(feed.items[0]._signal_desk).toMatchObject({ score: 72, horizon: 'Short term', winners: ['AMD', 'Arm server vendors'], editorial_confidence: 90, structural_impact: 60 });
        expect(JSON.stringify(feed)).not.toContain('packaging capacity');

        await page.goto(`${h.url}/signals`);
        expect(await page.locator('.signal .signal-title').first().textContent()).toBe('Intel delays Clearwater Forest server CPUs to 2026');
        expect(errors).toEqual([]);
      } finally {
        await context.close();
      }
    });
  });

  it('renders a feed title like <img src=x onerror=alert(1)> as text and runs nothing', async () => {
    await withDesk(async (h) => {
      h.clock.set(Date.now());
      const evil = '<img src=x onerror=alert(1)>';
      await h.seed([{ title: evil, summary: `${evil}<script>alert(2)</script>`, categories: [evil] }], `<b onmouseover=alert(3)>Evil</b>`);
      const context = await browser().newContext();
      const page = await context.newPage();
      const dialogs: string[] = [];
      page.on('dialog', (d) => {
        dialogs.push(d.message());
        void d.dismiss();
      });
      try {
        await logIn(h, page, h.tokens.viewer);
        const link = page.locator('#rows tr[data-id] td.headline a');
        expect(await link.textContent()).toBe(evil);
        expect(await page.locator('img').count()).toBe(0);
        await link.click();
        await page.waitForURL(/\/drafts\/d_/);
        expect(await page.locator('h1').textContent()).toBe(evil);
        expect(await page.locator('.excerpt blockquote').textContent()).toBe(`${evil}<script>alert(2)</script>`);
        expect(await page.locator('img, b, script:not([src])').count()).toBe(0);
        await page.locator('h1').hover();
        await page.waitForTimeout(200);
        expect(dialogs).toEqual([]);
      } finally {
        await context.close();
      }
    });
  });

  it('has no serious accessibility violations (axe-core, WCAG 2 A/AA) on the queue, a draft, the login and published pages', async () => {
    const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
    await withDesk(async (h) => {
      h.clock.set(Date.now());
      const [id] = await h.seed([{ title: 'Accessible draft', summary: 'An excerpt.', categories: ['Tag'] }]);
      // axe is injected as an inline script, which our CSP forbids: this context bypasses CSP for the audit only.
      const context = await browser().newContext({ bypassCSP: true });
      const page = await context.newPage();
      try {
        const audit = async (path: string) => {
          await page.goto(`${h.url}${path}`);
          await page.addScriptTag({ content: axeSource });
          const result = (await page.evaluate(`axe.run(document, { runOnly: ['wcag2a', 'wcag2aa'] }).then((r) => ({ passes: r.passes.length, violations: r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id + ': ' + v.nodes.map((n) => n.target.join(' ')).join(', ')) }))`)) as { passes: number; violations: string[] };
          expect(result.passes, `axe ran its checks on ${path}`).toBeGreaterThan(5);
          return result.violations;
        };
        expect(await audit('/login')).toEqual([]);
        await logIn(h, page, h.tokens.editor);
        expect(await audit('/')).toEqual([]);
        expect(await audit(`/drafts/${id}`)).toEqual([]);
        const [enriched] = await h.seed([{ title: 'Enriched draft', summary: 'An excerpt.' }]);
        await enrichDraft(h, enriched!, sampleEnrichment({ robots: { nosnippet: true, maxSnippet: null, noarchive: false, applied: ['nosnippet'] } }));
        expect(await audit(`/drafts/${enriched}`)).toEqual([]);
        expect(await audit('/signals')).toEqual([]);
      } finally {
        await context.close();
      }
    });
  });

  it('the Sources page shows problems first, with what is wrong', async () => {
    const { writeSourcesFile } = await import('../helpers/workerProcess.ts');
    const file = writeSourcesFile([
      { id: 'toms-hardware', url: 'https://www.tomshardware.com/feeds/all' },
      { id: 'the-register', url: 'https://www.theregister.com/headlines.atom' },
      { id: 'example-wire', url: 'https://wire.example/latest' },
      { id: 'old-blog', url: 'https://old.example/feed' },
    ]);
    await withDesk(
      async (h) => {
        const now = Date.now();
        h.clock.set(now);
        const iso = (ago: number) => new Date(now - ago).toISOString();
        const set = (id: string, state: Record<string, string>) => h.redis.hset(h.keys.sourceState(id), state);
        // The decisions as the poll worker stores them with the next poll (scheduleReason + scheduleWhy: issue 11).
        const why = (reason: string, inForceMs: number, intervalMs: number, basis: object, extra: object = {}) => ({ scheduleReason: reason, scheduleWhy: JSON.stringify({ reason, inForceMs, intervalMs, basis, plannedAt: now, ...extra }) });
        await set('toms-hardware', { lastAttemptAt: iso(60_000), lastSuccessAt: iso(60_000), lastOutcome: 'ok', lastCode: 'ok', lastMessage: '20 items, 2 new', consecutiveFailures: '0', intervalMs: '2700000', nextPollAt: String(now + 2_640_000), ...why('adaptive', 2_700_000, 2_700_000, { code: 'adaptive', gapMs: 2_700_000 }), lastNewItemAt: iso(60_000) });
        await set('the-register', { lastAttemptAt: iso(120_000), lastSuccessAt: iso(3 * 3_600_000), lastOutcome: 'transient', lastCode: 'server_error', lastMessage: 'HTTP 503: server error', consecutiveFailures: '4', intervalMs: '1800000', nextPollAt: String(now + 3_480_000), ...why('backoff', 3_600_000, 1_800_000, { code: 'adaptive', gapMs: 1_800_000 }, { failures: 4 }), lastNewItemAt: iso(3 * 3_600_000) });
        await set('example-wire', { lastAttemptAt: iso(300_000), lastOutcome: 'permanent', lastCode: 'selectors_broken', lastMessage: 'the item selector "article.card" matches nothing on the page: the site changed its layout; update the selectors', consecutiveFailures: '2', intervalMs: '900000', nextPollAt: String(now - 10_000), ...why('backoff', 450_000, 900_000, { code: 'learning', items: 3, spanMs: 16 * 3_600_000 }, { failures: 2 }) });
        await set('old-blog', { lastAttemptAt: iso(86_400_000), lastOutcome: 'permanent', lastCode: 'gone', pausedReason: 'HTTP 410 Gone: the publisher removed this feed; fix the URL in the sources file or `sources resume` it', pausedAt: iso(86_400_000), pausedUrl: 'https://old.example/feed', consecutiveFailures: '1' });
        const context = await browser().newContext({ viewport: { width: 1360, height: 700 } });
        const page = await context.newPage();
        try {
          await logIn(h, page, h.tokens.operator);
          await page.goto(`${h.url}/sources`);
          expect(await page.locator('table.sources tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-state')))).toEqual(['paused', 'failing', 'selectors_broken', 'ok']);
          expect(await page.locator('tr[data-state="selectors_broken"]').textContent()).toContain('matches nothing on the page');
          // Why each is polled when it is, in words; the next poll "due now", never "in 0m"; codes apart from messages.
          expect(await page.locator('tr[data-state="ok"]').textContent()).toContain('publishes about every 45m');
          expect(await page.locator('tr[data-state="failing"]').textContent()).toContain('4 failures in a row');
          expect(await page.locator('tr[data-state="failing"] code.health-code').textContent()).toBe('server_error');
          expect(await page.locator('tr[data-state="selectors_broken"] td:nth-child(6) time').textContent()).toBe('due now');
          if (SCREENSHOTS) await page.screenshot({ path: `${SCREENSHOTS}/sources.png` });
        } finally {
          await context.close();
        }
      },
      { SIGNAL_DESK_SOURCES: file },
    );
  });

  it('shows new drafts in the open queue as they arrive, without a reload', async () => {
    await withDesk(async (h) => {
      h.clock.set(Date.now());
      await h.seed([{ title: 'Already here' }]);
      const runtime = await startRuntime(h.settings, []);
      const context = await browser().newContext();
      const page = await context.newPage();
      try {
        await logIn(h, page, h.tokens.viewer);
        await expect.poll(() => page.locator('#rows tr[data-id]').count()).toBe(1);
        await page.waitForTimeout(300); // let the EventSource connect
        await runtime.ctx.queues.ingest.add('ingest', {
          source: { id: 'wire', name: 'Wire', url: 'https://wire.example/feed', weight: 1, tags: [] },
          discoveredAt: new Date().toISOString(),
          items: [{ key: 'n1', guid: 'n1', url: 'https://wire.example/n1', title: 'Arrived while you watched', author: null, publishedAt: new Date().toISOString(), updatedAt: null, categories: [], summary: null, itemHash: 'arrivedhash00001', urlHash: null }],
        });
        await expect.poll(() => page.locator('#rows tr[data-id]').count(), { timeout: 8000 }).toBe(2);
        expect(await page.locator('#rows').textContent()).toContain('Arrived while you watched');
        expect(await page.locator('#live').textContent()).toBe('1 new draft arrived.');
        expect(await page.locator('[data-count="pending"]').textContent()).toBe('2');
      } finally {
        await context.close();
        await runtime.stop();
      }
    });
  });

  it('fills in an open draft page when enrichment lands, keeps what the editor typed, and saves it without a 409', async () => {
    await withDesk(async (h) => {
      h.clock.set(Date.now());
      const [id] = await h.seed([{ title: 'Being edited', summary: 'An excerpt.' }]);
      const context = await browser().newContext();
      const page = await context.newPage();
      try {
        await logIn(h, page, h.tokens.editor);
        await page.goto(`${h.url}/drafts/${id}`);
        await expect.poll(() => page.locator('#enrichment').getAttribute('data-state')).toBe('none');
        await page.getByLabel('Why now').fill('Typed before the page was read.');
        await page.waitForTimeout(300); // let the EventSource connect
        await enrichDraft(h, id!, sampleEnrichment());
        await expect.poll(() => page.locator('#enrichment').getAttribute('data-state'), { timeout: 8000 }).toBe('done');
        expect(await page.locator('#enrichment').textContent()).toContain('jsonld:datePublished');
        expect(await page.getByLabel('Why now').inputValue()).toBe('Typed before the page was read.');
        // The form still names version 1; only enrichment wrote version 2, so the save lands.
        await page.getByRole('button', { name: 'Save', exact: true }).click();
        await page.waitForURL(/\/drafts\/d_[^?]+\?/);
        expect((await h.api('GET', `/api/drafts/${id}`, { token: h.tokens.viewer })).body).toMatchObject({ whyNow: 'Typed before the page was read.', version: 3, enrichment: { state: 'done' } });
      } finally {
        await context.close();
      }
    });
  });
});
