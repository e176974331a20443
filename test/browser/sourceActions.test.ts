import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { loadSources } from '../../src/config/loadSources.ts';
import { useChromium, SCREENSHOTS } from '../helpers/browser.ts';
import { withDesk } from '../helpers/desk.ts';
import { writeSourcesFile } from '../helpers/workerProcess.ts';

const browser = useChromium();

describe("the Sources page's operator actions in a browser (issue 11)", () => {
  it('pause, resume, disable and remove (confirmed) with the buttons; each lands in the recent actions; no serious axe violation', { timeout: 90_000 }, async () => {
    const file = writeSourcesFile([
      { id: 'alpha', url: 'https://alpha.example/feed' },
      { id: 'beta', url: 'https://beta.example/feed' },
    ]);
    await withDesk(
      async (h) => {
        h.clock.set(Date.now());
        const context = await browser().newContext({ viewport: { width: 1360, height: 900 }, bypassCSP: true });
        const page = await context.newPage();
        try {
          await page.goto(`${h.url}/login`);
          await page.getByLabel('API token').fill(h.tokens.operator);
          await page.getByRole('button', { name: 'Log in' }).click();
          await page.waitForURL(`${h.url}/`);
          await page.goto(`${h.url}/sources`);
          const row = (id: string) => page.locator(`table.sources-actions tr[data-source="${id}"]`);

          await row('alpha').getByRole('button', { name: 'Pause' }).click();
          await expect.poll(() => page.locator('.notice').textContent()).toBe('alpha paused: not polled until resumed. The sources file is unchanged.');
          await expect.poll(() => row('alpha').getByRole('button', { name: 'Resume' }).count()).toBe(1);
          await row('alpha').getByRole('button', { name: 'Disable' }).click();
          await expect.poll(() => page.locator('.notice').textContent()).toContain('alpha disabled in the sources file');
          expect((await loadSources(file)).find((s) => s.id === 'alpha')!.enabled).toBe(false);

          // Remove asks for the tick first (the browser refuses the form without it).
          await row('beta').getByText('Remove…').click();
          await row('beta').getByRole('button', { name: 'Remove from the sources file' }).click();
          expect((await loadSources(file)).map((s) => s.id)).toEqual(['alpha', 'beta']);
          await row('beta').getByLabel('remove beta').check();
          await row('beta').getByRole('button', { name: 'Remove from the sources file' }).click();
          await expect.poll(() => page.locator('.notice').textContent()).toContain('beta removed from the sources file');
          expect((await loadSources(file)).map((s) => s.id)).toEqual(['alpha']);

          const recent = await page.locator('table.source-audit tbody tr td:nth-child(3)').allTextContents();
          expect(recent).toEqual(['remove', 'disable', 'pause']);
          if (SCREENSHOTS) await page.screenshot({ path: `${SCREENSHOTS}/sources-actions.png`, fullPage: true });

          const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
          await page.addScriptTag({ content: axeSource });
          const result = (await page.evaluate(`axe.run(document, { runOnly: ['wcag2a', 'wcag2aa'] }).then((r) => ({ passes: r.passes.length, violations: r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id + ': ' + v.nodes.map((n) => n.target.join(' ')).join(', ')) }))`)) as { passes: number; violations: string[] };
          expect(result.passes).toBeGreaterThan(5);
          expect(result.violations).toEqual([]);
        } finally {
          await context.close();
        }
      },
      { SIGNAL_DESK_SOURCES: file },
    );
  });
});
