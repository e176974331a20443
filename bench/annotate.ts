// Annotation speed: annotateDraft (entities, category suggestion, rules, score) per draft over real news headlines
// and first paragraphs (the shared AllSides set), ms/draft median and p95; suggestCategory alone against the shipped
// taxonomy and against one of 10,000 categories. Run: node --import tsx bench/annotate.ts
// (SIGNAL_DESK_CORPUS=/path/to/corpus; default ../shared/corpus). Prints figures, asserts nothing.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { annotateDraft } from '../src/annotate/annotateDraft.ts';
import { loadTaxonomy, parseTaxonomy } from '../src/categories/loadTaxonomy.ts';
import { suggestCategory } from '../src/categories/suggestCategory.ts';
import { toDraft } from '../src/drafts/toDraft.ts';
import { entityKey } from '../src/entities/extractEntities.ts';

const CORPUS = resolve(process.env.SIGNAL_DESK_CORPUS ?? '../shared/corpus');
const dir = join(CORPUS, 'clustering/allsides_neus');
if (!existsSync(dir)) {
  process.stdout.write(`no corpus at ${dir}: set SIGNAL_DESK_CORPUS\n`);
  process.exit(0);
}
interface Story { news: Record<string, { newsSource: string; newsTitle: string; newsLink: string; newBody?: string[] }> }
const items = readdirSync(dir)
  .filter((f) => f.endsWith('.jsonl'))
  .flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean).flatMap((l) => Object.values((JSON.parse(l) as Story).news)));
const source = { id: 'bench', name: 'Bench', url: 'https://example.com/feed', weight: 0.5, tags: [] } as never;
const drafts = items.map((n, i) => toDraft({ key: `k${i}`, guid: `g${i}`, url: n.newsLink.startsWith('http') ? n.newsLink : `https://example.com/${i}`, title: n.newsTitle.slice(0, 300), author: null, publishedAt: null, updatedAt: null, categories: [], summary: n.newBody?.[0] ?? null }, source, new Date().toISOString()));
const taxonomy = await loadTaxonomy('config/categories.yaml');
const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
const report = (name: string, times: number[]) => {
  const s = [...times].sort((a, b) => a - b);
  process.stdout.write(`${name}: ${times.length} runs, median ${pct(s, 0.5).toFixed(2)} ms, p95 ${pct(s, 0.95).toFixed(2)} ms\n`);
};

const now = Date.now();
const times: number[] = [];
let entities = 0;
let suggested = 0;
for (const d of drafts) {
  const t = performance.now();
  const { next } = annotateDraft(d, { rules: { rules: [] }, taxonomy, model: null, story: undefined, weightOf: () => 0.5, now });
  times.push(performance.now() - t);
  entities += next.annotation!.entities.length;
  if (next.annotation!.suggestion) suggested++;
}
report('annotateDraft (headline + first paragraph)', times);
process.stdout.write(`  ${(entities / drafts.length).toFixed(1)} entities a draft; a suggestion for ${suggested} of ${drafts.length} (the shipped taxonomy is a tech desk's; this set is US politics)\n`);

const big = parseTaxonomy(`categories:\n${Array.from({ length: 10_000 }, (_, i) => `  - name: Topic ${i}\n    keywords: [alpha${i}, beta${i} gamma, common]\n    entities: [Org${i}]\n`).join('')}`, 'bench');
for (const [name, t] of [['suggestCategory, shipped taxonomy', taxonomy], ['suggestCategory, 10,000 categories', big]] as const) {
  suggestCategory({ headline: 'warm up', excerpt: null, sourceId: 'x', entities: [], keywords: [] }, t, null);
  const runs = drafts.map((d) => {
    const s = performance.now();
    suggestCategory({ headline: d.headline, excerpt: d.excerpt, sourceId: 'x', entities: d.headline.split(' ').map(entityKey), keywords: [] }, t, null);
    return performance.now() - s;
  });
  report(name, runs);
}
