// Extraction speed: extractArticle (with page decoding) over the shared article corpora, ms/page median and
// p95. Run: node --import tsx bench/extract.ts (SIGNAL_DESK_CORPUS=/path/to/corpus; default ../shared/corpus).
// Prints figures, asserts nothing (see README "Article metadata: accuracy and speed").
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { decodePage } from '../src/article/decodePage.ts';
import { extractArticle } from '../src/article/extractArticle.ts';

const CORPUS = resolve(process.env.SIGNAL_DESK_CORPUS ?? '../shared/corpus');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

function readabilityPages(): Array<{ file: string; url: string }> {
  const dir = join(CORPUS, 'readability/test/test-pages');
  if (!existsSync(dir)) return [];
  return readdirSync(dir).map((n) => ({ file: join(dir, n, 'source.html'), url: 'http://fakehost/test/page.html' })).filter((p) => existsSync(p.file));
}

function metascraperPages(): Array<{ file: string; url: string }> {
  const base = join(CORPUS, 'metascraper');
  const index = join(base, 'expected.jsonl');
  if (!existsSync(index)) return [];
  return readFileSync(index, 'utf8').split('\n').filter((l) => l.trim()).map((l) => {
    const row = JSON.parse(l) as { input: string; url: string };
    return { file: join(base, row.input), url: row.url };
  }).filter((p) => existsSync(p.file));
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;

function bench(name: string, pages: Array<{ file: string; url: string }>): number[] {
  if (pages.length === 0) {
    console.log(`${name}: SKIPPED, no pages under ${CORPUS} (set SIGNAL_DESK_CORPUS)`);
    return [];
  }
  const bytes = pages.map((p) => ({ ...p, bytes: readFileSync(p.file) }));
  for (const p of bytes) extractArticle(decodePage(p.bytes).text, p.url); // warm-up: JIT, not measured
  const perPage: number[] = [];
  for (const p of bytes) {
    let best = Infinity; // the least-disturbed of ROUNDS runs: the machine is shared
    for (let r = 0; r < ROUNDS; r++) {
      const t = performance.now();
      extractArticle(decodePage(p.bytes).text, p.url);
      best = Math.min(best, performance.now() - t);
    }
    perPage.push(best);
  }
  const sorted = [...perPage].sort((a, b) => a - b);
  const kb = bytes.reduce((s, p) => s + p.bytes.length, 0) / bytes.length / 1024;
  console.log(`${name}: ${pages.length} pages (mean ${kb.toFixed(0)} KiB): extraction median ${pct(sorted, 0.5).toFixed(2)} ms/page, p95 ${pct(sorted, 0.95).toFixed(2)} ms/page, max ${sorted[sorted.length - 1]!.toFixed(1)} ms`);
  return perPage;
}

const all = [...bench('readability corpus', readabilityPages()), ...bench('metascraper corpus', metascraperPages())].sort((a, b) => a - b);
if (all.length) console.log(`all: ${all.length} pages: extraction median ${pct(all, 0.5).toFixed(2)} ms/page, p95 ${pct(all, 0.95).toFixed(2)} ms/page (goal: median ≤ 10 ms)`);
