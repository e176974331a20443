import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { useChromium } from '../helpers/browser.ts';
import { withDesk, type DeskHarness } from '../helpers/desk.ts';
import { annotate, putStory, seedFrom } from '../helpers/stories.ts';

const browser = useChromium();

async function logIn(h: DeskHarness, page: Page, token: string): Promise<void> {
  await page.goto(`${h.url}/`);
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL(`${h.url}/`);
}

const NVIDIA = { name: 'Nvidia', kind: 'organization', from: 'headline', count: 2 } as const;
const HUANG = { name: 'Jensen Huang', kind: 'person', from: 'excerpt', count: 1 } as const;
const SUGGESTION = { category: 'Semiconductors', from: 'taxonomy', confidence: 0.8, why: 'keywords: chip, Nvidia' } as const;

describe('stories in a browser', () => {
  it('a story is one row that expands to its members; on the draft, s accepts the suggestion and entity candidates fill Winners/Losers without saving; a live annotation refreshes the findings and keeps what was typed', { timeout: 90_000 }, async () => {
    await withDesk(async (h) => {
      h.clock.set(Date.now());
      const r = await seedFrom(h, { id: 'reuters', name: 'Reuters' }, { title: 'Nvidia to buy Arm server chip startup' });
      const a = await seedFrom(h, { id: 'ap', name: 'AP News' }, { title: 'Nvidia agrees deal for chip startup' });
      const v = await seedFrom(h, { id: 'verge', name: 'The Verge' }, { title: 'Nvidia buys a chip startup' });
      await putStory(h, 's_nvidia', [r, a, v], [40, 70, 55]);
      await annotate(h, a, { entities: [NVIDIA, HUANG], suggestion: SUGGESTION });
      const context = await browser().newContext({ viewport: { width: 1360, height: 900 } });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      try {
        await logIn(h, page, h.tokens.editor);
        await expect.poll(() => page.locator('#rows tr[data-id]').count()).toBe(1);
        const row = page.locator(`#rows tr[data-id="${a}"]`);
        expect(await row.locator('.sources').textContent()).toBe('3 sources: Reuters, AP News, The Verge');
        expect(await row.locator('details.members li').first().isVisible()).toBe(false);
        await row.getByText('3 items in this story').click();
        await expect.poll(() => row.locator('details.members li').first().isVisible()).toBe(true);
        expect(await row.locator('details.members li').allTextContents()).toEqual([
          expect.stringContaining('Nvidia to buy Arm server chip startup — Reuters'),
          expect.stringContaining('Nvidia agrees deal for chip startup — AP News'),
          expect.stringContaining('Nvidia buys a chip startup — The Verge'),
        ]);

        await page.goto(`${h.url}/drafts/${a}`);
        await page.getByLabel('Why now').fill('Typed by the editor.');
        await page.locator('h1').click(); // out of the field: keys act on the page
        await page.keyboard.press('s');
        expect(await page.getByLabel('Category', { exact: true }).inputValue()).toBe('Semiconductors');
        const nvidia = page.locator('li[data-entity="Nvidia"]');
        await nvidia.getByRole('button', { name: '+ winner' }).click();
        await nvidia.getByRole('button', { name: '+ winner' }).click();
        await page.locator('li[data-entity="Jensen Huang"]').getByRole('button', { name: '+ loser' }).click();
        expect(await page.getByLabel('Winners (one per line)').inputValue()).toBe('Nvidia');
        expect(await page.getByLabel('Losers (one per line)').inputValue()).toBe('Jensen Huang');
        expect(await page.locator('#live').textContent()).toBe('Losers: Jensen Huang filled in, not saved yet.');
        // Nothing was saved by those buttons.
        expect((await h.api('GET', `/api/drafts/${a}`, { token: h.tokens.viewer })).body).toMatchObject({ category: null, winners: [], losers: [] });

        // The annotate stage reads the article page and annotates again: the findings refresh, the form keeps what was typed.
        await page.waitForTimeout(300); // let the EventSource connect
        await annotate(h, a, { entities: [NVIDIA, HUANG, { name: 'Arm', kind: 'organization', from: 'page', count: 1 }], suggestion: SUGGESTION });
        const publish = setInterval(() => void h.redis.publish(h.keys.deskEvents, JSON.stringify({ type: 'annotated', draftId: a, actor: 'annotate' })), 200);
        try {
          await expect.poll(() => page.locator('li[data-entity="Arm"]').count(), { timeout: 8000 }).toBe(1);
        } finally {
          clearInterval(publish);
        }
        expect(await page.getByLabel('Why now').inputValue()).toBe('Typed by the editor.');
        expect(await page.getByLabel('Winners (one per line)').inputValue()).toBe('Nvidia');
        expect(await page.getByLabel('Category', { exact: true }).inputValue()).toBe('Semiconductors');
        expect(errors).toEqual([]);
      } finally {
        await context.close();
      }
    });
  });

  it('the story queue (members expanded) and a draft with its story, findings and score breakdown have no serious accessibility violations (axe-core)', { timeout: 90_000 }, async () => {
    const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
    await withDesk(async (h) => {
      h.clock.set(Date.now());
      const r = await seedFrom(h, { id: 'reuters', name: 'Reuters' }, { title: 'Nvidia to buy Arm server chip startup' });
      const a = await seedFrom(h, { id: 'ap', name: 'AP News' }, { title: 'Nvidia agrees deal for chip startup' });
      await putStory(h, 's_nvidia', [r, a], [40, 70]);
      await annotate(h, a, { entities: [NVIDIA, HUANG], suggestion: SUGGESTION, rules: [{ rule: 'watch-nvidia', action: 'boost', detail: 'entity Nvidia: +10' }], boost: 10, view: 'chips' }, [
        { name: 'source_weight', label: 'Source weight', points: 24, detail: 'AP News weighs 0.8' },
        { name: 'coverage', label: 'Coverage breadth', points: 12, detail: '2 publishers' },
      ]);
      // axe is injected as an inline script, which our CSP forbids: this context bypasses CSP for the audit only.
      const context = await browser().newContext({ bypassCSP: true });
      const page = await context.newPage();
      try {
        const audit = async () => {
          await page.addScriptTag({ content: axeSource });
          const result = (await page.evaluate(`axe.run(document, { runOnly: ['wcag2a', 'wcag2aa'] }).then((r) => ({ passes: r.passes.length, violations: r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id + ': ' + v.nodes.map((n) => n.target.join(' ')).join(', ')) }))`)) as { passes: number; violations: string[] };
          expect(result.passes).toBeGreaterThan(5);
          return result.violations;
        };
        await logIn(h, page, h.tokens.editor);
        await page.getByText('2 items in this story').click();
        expect(await audit()).toEqual([]);
        await page.goto(`${h.url}/drafts/${a}`);
        expect(await page.locator('.score-box').textContent()).toContain('Coverage breadth');
        expect(await audit()).toEqual([]);
      } finally {
        await context.close();
      }
    });
  });
});
