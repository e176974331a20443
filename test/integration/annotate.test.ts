import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue, QueueEvents, Worker } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { annotateDrafts, type AnnotateContext } from '../../src/annotate/annotateDrafts.ts';
import { loadTaxonomy } from '../../src/categories/loadTaxonomy.ts';
import type { WatchedTaxonomy } from '../../src/categories/watchTaxonomy.ts';
import { ANNOTATE_QUEUE, AnnotateResult } from '../../src/queue/jobs.ts';
import { getAudit, getDraft } from '../../src/review/draftStore.ts';
import type { RuleOutcome, RuleSet } from '../../src/rules/types.ts';
import { createAnnotateProcessor } from '../../workers/annotateProcessor.ts';
import { startRuntime } from '../../workers/runtime.ts';
import { EDITORIAL, withDesk, type DeskHarness } from '../helpers/desk.ts';
import { enrichDraft, sampleEnrichment } from '../helpers/enrichDraft.ts';

const noRules: RuleSet = { rules: [] };

/**
 * A drop rule on one word, as config/rules.yaml would say it: this branch has the contract's matchRules
 * (no rule ever matches), so the drop path is driven by this matcher until the rules stage is merged.
 */
const dropGiveaways = (input: { headline: string }): RuleOutcome =>
  /giveaway/i.test(input.headline)
    ? { hits: [{ rule: 'no-giveaways', action: 'drop', detail: "keyword 'giveaway' in the headline" }], boost: 0, tags: ['promo'], view: null, drop: 'no-giveaways' }
    : { hits: [], boost: 0, tags: [], view: null, drop: null };

async function context(h: DeskHarness, extra: Partial<AnnotateContext> = {}): Promise<AnnotateContext> {
  const taxonomy = await loadTaxonomy('config/categories.yaml');
  return { redis: h.redis, keys: h.keys, now: () => h.clock.now(), rules: { current: () => noRules }, taxonomy: { current: () => taxonomy }, weightOf: () => 0.8, ...extra };
}

async function publish(h: DeskHarness, id: string, category: string): Promise<void> {
  const edited = await h.api('PATCH', `/api/drafts/${id}`, { token: h.tokens.editor, body: { version: (await getDraft(h.redis, h.keys, id))!.version, ...EDITORIAL, category } });
  expect(edited.status, edited.text).toBe(200);
  const approved = await h.api('POST', `/api/drafts/${id}/approve`, { token: h.tokens.editor, body: { version: edited.body.version } });
  expect(approved.status, approved.text).toBe(200);
}

describe('annotate stage (real Redis)', () => {
  it('writes entities, a category suggestion with its why and the score breakdown as the system actor; an editor who read the draft before still edits it', async () => {
    await withDesk(async (h) => {
      const [id] = await h.seed([{ title: 'Nvidia unveils Blackwell Ultra GPU for data center racks', summary: 'Jensen Huang said the chip ships to Microsoft and Oracle in March.' }]);
      const outcome = await annotateDrafts(await context(h), [id!], 'new');
      expect(outcome).toEqual({ annotated: [id], dropped: [], skipped: 0 });
      const d = (await getDraft(h.redis, h.keys, id!))!;
      expect(d.version).toBe(2);
      expect(d.annotation!.entities.map((e) => e.name)).toEqual(expect.arrayContaining(['Nvidia', 'Jensen Huang', 'Microsoft', 'Oracle']));
      expect(d.annotation!.entities.find((e) => e.name === 'Nvidia')).toMatchObject({ kind: 'organization', from: 'headline' });
      expect(d.annotation!.suggestion).toMatchObject({ category: 'Infrastructure Hardware', from: 'taxonomy' });
      expect(d.annotation!.suggestion!.why).toContain('in the headline');
      expect(d.annotation!.suggestion!.why).toContain('Nvidia');
      expect(d.scoreBreakdown.length).toBeGreaterThan(0);
      const audit = await getAudit(h.redis, h.keys, id!);
      expect(audit.at(-1)).toMatchObject({ actor: 'annotate', action: 'annotated', version: 2 });
      // The editor read version 1, before the annotation: the edit applies on top, no 409.
      const edit = await h.api('PATCH', `/api/drafts/${id}`, { token: h.tokens.editor, body: { version: 1, whyNow: 'Ships in March.' } });
      expect(edit.status, edit.text).toBe(200);
      expect(edit.body.annotation.suggestion.category).toBe('Infrastructure Hardware');
      // A retried job does not write the draft again.
      expect(await annotateDrafts(await context(h), [id!], 'new')).toEqual({ annotated: [id], dropped: [], skipped: 0 });
      expect((await getDraft(h.redis, h.keys, id!))!.version).toBe(3);
    });
  });

  it('re-annotates with the page metadata when the article page was read (reason enriched)', async () => {
    await withDesk(async (h) => {
      const [id] = await h.seed([{ title: 'A new release is out', summary: null }]);
      const ctx = await context(h);
      await annotateDrafts(ctx, [id!], 'new');
      expect((await getDraft(h.redis, h.keys, id!))!.annotation!.entities).toEqual([]);
      await enrichDraft(h, id!, sampleEnrichment({ description: { value: 'PostgreSQL 18 adds asynchronous I/O, the PostgreSQL Global Development Group said.', rule: 'meta:description' }, keywords: { value: ['postgresql', 'database'], rule: 'meta:keywords' } }));
      await annotateDrafts(ctx, [id!], 'enriched');
      const d = (await getDraft(h.redis, h.keys, id!))!;
      expect(d.annotation!.entities.map((e) => e.name)).toContain('PostgreSQL 18');
      expect(d.annotation!.entities.find((e) => e.name === 'PostgreSQL 18')!.from).toBe('page');
      expect(d.annotation!.suggestion).toMatchObject({ category: 'Infrastructure Software', from: 'taxonomy' });
      expect(d.annotation!.suggestion!.why).toContain("page's keywords");
    });
  });

  it('a drop rule rejects the draft, audited with the rule; an editor reopens it and a later re-annotation leaves it in the queue', async () => {
    await withDesk(async (h) => {
      const [keep, drop] = await h.seed([{ title: 'AMD cuts EPYC prices' }, { title: 'Giveaway: win a gaming laptop' }]);
      const ctx = await context(h, { match: dropGiveaways });
      const outcome = await annotateDrafts(ctx, [keep!, drop!], 'new');
      expect(outcome.annotated).toEqual([keep]);
      expect(outcome.dropped).toEqual([{ draftId: drop, sourceId: 'toms', rule: 'no-giveaways' }]);
      const d = (await getDraft(h.redis, h.keys, drop!))!;
      expect(d.status).toBe('rejected');
      expect(d.decision).toMatchObject({ action: 'drop', by: 'rule:no-giveaways' });
      expect(d.decision!.reason).toContain("keyword 'giveaway'");
      expect(d.tags).toContain('promo');
      expect((await getAudit(h.redis, h.keys, drop!)).at(-1)).toMatchObject({ actor: 'annotate', action: 'dropped' });
      expect(await h.redis.zscore(h.keys.review, drop!)).toBeNull();
      // An editor's edit on the version read before the drop meets a rejected draft, and says so.
      const late = await h.api('PATCH', `/api/drafts/${drop}`, { token: h.tokens.editor, body: { version: 1, whyNow: 'x' } });
      expect(late.status).toBe(409);
      expect(late.body.message).toContain('rule:no-giveaways');
      // A retried job reports the drop again (its accounting is idempotent) and writes nothing.
      expect((await annotateDrafts(ctx, [drop!], 'new')).dropped).toEqual([{ draftId: drop, sourceId: 'toms', rule: 'no-giveaways' }]);
      expect((await getDraft(h.redis, h.keys, drop!))!.version).toBe(d.version);
      const reopened = await h.api('POST', `/api/drafts/${drop}/reopen`, { token: h.tokens.editor, body: { version: d.version } });
      expect(reopened.status, reopened.text).toBe(200);
      const again = await annotateDrafts(ctx, [drop!], 'enriched');
      expect(again.dropped).toEqual([]);
      expect(again.annotated).toEqual([drop]);
      expect((await getDraft(h.redis, h.keys, drop!))!.status).toBe('pending');
    });
  });

  it('a score or tags an editor set stay as the editor left them when the draft is annotated again', async () => {
    await withDesk(async (h) => {
      const [id] = await h.seed([{ title: 'Giveaway of AMD EPYC servers' }]);
      const ctx = await context(h, { match: (input) => ({ ...dropGiveaways(input), drop: null, hits: [] }) });
      await annotateDrafts(ctx, [id!], 'new');
      const annotated = (await getDraft(h.redis, h.keys, id!))!;
      expect(annotated.tags).toContain('promo');
      const edit = await h.api('PATCH', `/api/drafts/${id}`, { token: h.tokens.editor, body: { version: annotated.version, score: 97, tags: ['servers'] } });
      expect(edit.status, edit.text).toBe(200);
      await annotateDrafts(ctx, [id!], 'enriched');
      const again = (await getDraft(h.redis, h.keys, id!))!;
      expect(again.version).toBe(edit.body.version + 1);
      expect(again.score).toBe(97);
      expect(again.tags).toEqual(['servers']);
    });
  });

  it('drafts an editor decided meanwhile are left alone', async () => {
    await withDesk(async (h) => {
      const [id] = await h.seed([{ title: 'Intel delays its next server CPU' }]);
      expect((await h.api('POST', `/api/drafts/${id}/reject`, { token: h.tokens.editor, body: { version: 1, reason: 'not for us' } })).status).toBe(200);
      expect(await annotateDrafts(await context(h), [id!, 'd_missingmissingmi'], 'new')).toEqual({ annotated: [], dropped: [], skipped: 2 });
      expect((await getDraft(h.redis, h.keys, id!))!.annotation).toBeNull();
    });
  });

  it('the classifier learns from approvals: after editors file drafts under a category the taxonomy does not know, a similar new draft is suggested it, with why', async () => {
    await withDesk(async (h) => {
      const chip = ['TSMC wafer shortage squeezes lithography capacity', 'Wafer prices rise as TSMC fabs run full', 'Lithography tools delay new wafer fabs', 'TSMC expands wafer fab capacity in Arizona', 'Fab utilisation and wafer starts climb at TSMC', 'Lithography bottleneck slows wafer output'];
      const other = ['Ransomware gang leaks hospital records', 'Phishing wave hits bank customers', 'Ransomware attack halts city services', 'Breach exposes millions of passwords', 'Phishing kit sold on forums targets banks', 'Ransomware payments fall as police act'];
      const ids = await h.seed([...chip, ...other].map((title) => ({ title })));
      const ctx = await context(h, { taxonomy: { current: () => ({ categories: [] }) } });
      const [probe] = await h.seed([{ title: 'TSMC warns wafer supply stays tight' }]);
      await annotateDrafts(ctx, [probe!], 'new');
      expect((await getDraft(h.redis, h.keys, probe!))!.annotation!.suggestion).toBeNull();
      for (const [i, id] of ids.entries()) await publish(h, id, i < chip.length ? 'Chip Supply' : 'Cyber Attacks');
      const [fresh] = await h.seed([{ title: 'New lithography line lifts TSMC wafer output' }]);
      await annotateDrafts(ctx, [fresh!], 'new');
      const s = (await getDraft(h.redis, h.keys, fresh!))!.annotation!.suggestion!;
      expect(s).toMatchObject({ category: 'Chip Supply', from: 'classifier' });
      expect(s.why).toContain('like 6 approved signals in Chip Supply');
      expect(s.why).toMatch(/words: .*(wafer|tsmc|lithography)/);
      // The model is kept in Redis for every worker.
      expect(JSON.parse((await h.redis.get(h.keys.classifier))!)).toMatchObject({ version: 1, samples: 12 });
      // One more approval: the next annotation retrains on it (the model follows the desk as decisions accumulate).
      const [late] = await h.seed([{ title: 'Ransomware crew hits wafer supplier' }]);
      await publish(h, late!, 'Cyber Attacks');
      const [next] = await h.seed([{ title: 'Phishing emails spoof TSMC suppliers' }]);
      await annotateDrafts(ctx, [next!], 'new');
      expect(JSON.parse((await h.redis.get(h.keys.classifier))!)).toMatchObject({ samples: 13, perCategory: { 'Chip Supply': 6, 'Cyber Attacks': 7 } });
    });
  });
});

describe('annotate processor (real BullMQ)', () => {
  it('runs annotate jobs with the runtime taxonomy, and re-reads the categories file live (an invalid one keeps the categories in force)', { timeout: 30_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sd-cat-'));
    const file = join(dir, 'categories.yaml');
    writeFileSync(file, 'categories:\n  - name: Storage\n    keywords: [ssd, nand]\n');
    await withDesk(async (h) => {
      const runtime = await startRuntime(h.settings, [], { workers: false });
      const queue = new Queue(ANNOTATE_QUEUE, { connection: runtime.ctx.redis, prefix: h.settings.prefix });
      const events = new QueueEvents(ANNOTATE_QUEUE, { connection: runtime.ctx.redis.duplicate(), prefix: h.settings.prefix });
      const worker = new Worker(ANNOTATE_QUEUE, createAnnotateProcessor(runtime.ctx), { connection: runtime.ctx.redis.duplicate(), prefix: h.settings.prefix, concurrency: 2 });
      try {
        await events.waitUntilReady();
        const annotate = async (title: string) => {
          const [id] = await h.seed([{ title }]);
          const job = await queue.add('annotate', { draftIds: [id!, 'd_AAAAAAAAAAAAAAAA'], reason: 'new' });
          expect(AnnotateResult.parse(await job.waitUntilFinished(events, 10_000))).toEqual({ annotated: 1, dropped: [], storyJobId: expect.stringMatching(/^stories-new-/) });
          return (await getDraft(h.redis, h.keys, id!))!.annotation!.suggestion;
        };
        expect(await annotate('Samsung ships a 256 TB SSD')).toMatchObject({ category: 'Storage', from: 'taxonomy' });
        expect(await annotate('DRAM contract prices jump')).toBeNull();
        writeFileSync(file, 'categories:\n  - name: Storage\n    keywords: [ssd, nand]\n  - name: Memory\n    keywords: [dram]\n');
        await until(() => runtime.ctx.taxonomy.current().categories.length === 2);
        expect(await annotate('DRAM contract prices jump again')).toMatchObject({ category: 'Memory' });
        writeFileSync(file, 'categories:\n  - name: Memory\n    keywrds: [dram]\n');
        const watched = runtime.ctx.taxonomy as WatchedTaxonomy;
        expect(await watched.reload('test')).toBe(false);
        expect(runtime.ctx.taxonomy.current().categories.map((c) => c.name)).toEqual(['Storage', 'Memory']);
      } finally {
        await worker.close();
        await events.close();
        await queue.close();
        await runtime.stop();
      }
    }, { SIGNAL_DESK_CATEGORIES: file });
  });
});

async function until(ok: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the categories file to be re-read');
    await new Promise((r) => setTimeout(r, 25));
  }
}
