import { describe, expect, it } from 'vitest';
import { isStale, MIN_SAMPLES, trainModel, type Sample } from '../../src/categories/classifier.ts';
import { parseTaxonomy } from '../../src/categories/loadTaxonomy.ts';
import { suggestCategory } from '../../src/categories/suggestCategory.ts';
import type { CategoryInput } from '../../src/categories/types.ts';

const taxonomy = parseTaxonomy(
  `categories:
  - name: Infrastructure Software
    keywords: [kubernetes, data center software, database]
    entities: [PostgreSQL, Red Hat]
    default_for: [infra-weekly]
  - name: Infrastructure Hardware
    keywords: [gpu, data center, dram]
    entities: [Nvidia]
    default_for: [toms-hardware]
  - name: Policy
    keywords: [antitrust, régulation]
`,
  'categories.yaml',
);

const input = (fields: Partial<CategoryInput>): CategoryInput => ({ headline: '', excerpt: null, sourceId: 'elsewhere', entities: [], keywords: [], ...fields });

describe('suggestCategory from the taxonomy', () => {
  const cases: { name: string; input: Partial<CategoryInput>; category: string | null; why?: string }[] = [
    { name: 'a headline keyword', input: { headline: 'Kubernetes 1.33 drops Docker shim' }, category: 'Infrastructure Software', why: 'keyword kubernetes in the headline' },
    { name: 'a phrase, whole words, any case and punctuation', input: { headline: 'New DATA-CENTER build in Ohio' }, category: 'Infrastructure Hardware', why: 'keyword data center in the headline' },
    { name: 'a longer phrase wins its own category', input: { headline: 'Data center software spending rises' }, category: 'Infrastructure Software', why: 'keyword data center software in the headline; also Infrastructure Hardware' },
    { name: 'part of a word is no match', input: { headline: 'Gpuless laptops and databases' }, category: null },
    { name: 'accents ignored', input: { headline: 'EU regulation of cloud' }, category: 'Policy', why: 'keyword régulation in the headline' },
    { name: 'an entity', input: { headline: 'A quiet week', entities: ['nvidia'] }, category: 'Infrastructure Hardware', why: 'entity Nvidia' },
    { name: "the page's keywords", input: { headline: 'Release notes', keywords: ['database'] }, category: 'Infrastructure Software', why: "keyword database in the page's keywords" },
    { name: "the source's default alone", input: { headline: 'Weekly notes', sourceId: 'infra-weekly' }, category: 'Infrastructure Software', why: 'the default for this source' },
    { name: 'a headline keyword outweighs the source default', input: { headline: 'DRAM prices climb', sourceId: 'infra-weekly' }, category: 'Infrastructure Hardware', why: 'keyword dram in the headline; also Infrastructure Software' },
    { name: 'nothing to go on', input: { headline: 'Weather' }, category: null },
    { name: 'a 5,000-character headline is read up to the cap', input: { headline: `${'filler '.repeat(700)} kubernetes` }, category: null },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const s = suggestCategory(input(c.input), taxonomy, null);
      expect(s?.category ?? null).toBe(c.category);
      if (c.why) expect(s!.why).toBe(c.why);
      if (s) expect(s.from).toBe('taxonomy');
    });
  }

  it('confidence grows with the evidence and falls when categories compete', () => {
    const weak = suggestCategory(input({ headline: 'Weekly notes', sourceId: 'infra-weekly' }), taxonomy, null)!;
    const strong = suggestCategory(input({ headline: 'Kubernetes on PostgreSQL', entities: ['postgresql'] }), taxonomy, null)!;
    const split = suggestCategory(input({ headline: 'Kubernetes and GPU', sourceId: 'x' }), taxonomy, null)!;
    expect(weak.confidence).toBeLessThan(strong.confidence);
    expect(split.confidence).toBeLessThan(strong.confidence);
    expect(strong.confidence).toBe(1);
  });
});

const samples = (category: string, texts: string[]): Sample[] => texts.map((text, i) => ({ category, text, draftId: `d_${category}${i}`, at: '2026-11-27T10:00:00.000Z' }));
const chips = samples('Chip Supply', ['TSMC wafer shortage squeezes lithography', 'Wafer prices rise at TSMC fabs', 'Lithography tools delay wafer fabs', 'TSMC adds wafer capacity', 'Foundry wafer starts climb']);
const attacks = samples('Cyber Attacks', ['Ransomware gang leaks hospital records', 'Phishing wave hits bank customers', 'Ransomware halts city services', 'Breach exposes passwords', 'Phishing kit targets banks']);

describe('suggestCategory with the classifier trained on approvals', () => {
  it('stays quiet with too few approvals, or approvals of one category only', () => {
    expect(trainModel(chips.slice(0, MIN_SAMPLES - 1))).toBeNull();
    expect(trainModel([...chips, ...chips])).toBeNull();
  });

  it('suggests the category editors chose for similar drafts, naming the words; the taxonomy still wins when it is surer', () => {
    const model = trainModel([...chips, ...attacks])!;
    expect(model.samples).toBe(10);
    const s = suggestCategory(input({ headline: 'TSMC lithography line lifts wafer output' }), taxonomy, model)!;
    expect(s).toMatchObject({ category: 'Chip Supply', from: 'classifier' });
    expect(s.why).toMatch(/^like 5 approved signals in Chip Supply \(words: [a-z, ]+\); \d+ % sure, from 10 approvals$/);
    expect(s.why).toContain('wafer');
    expect(s.confidence).toBeGreaterThan(0.6);
    const sure = suggestCategory(input({ headline: 'Kubernetes runs PostgreSQL on wafer fabs', entities: ['postgresql'] }), taxonomy, model)!;
    expect(sure.from).toBe('taxonomy');
    // Words the model never saw: no guess, the taxonomy (or nothing) speaks.
    expect(suggestCategory(input({ headline: 'Völlig unbekannte Wörter' }), taxonomy, model)).toBeNull();
  });

  it('retrains as approvals accumulate: every approval while small, then one in twenty', () => {
    expect(isStale(10, 10)).toBe(false);
    expect(isStale(10, 11)).toBe(true);
    expect(isStale(200, 209)).toBe(false);
    expect(isStale(200, 210)).toBe(true);
  });
});
