/**
 * Main-text extraction measured on Readability's own test pages (../shared/corpus/readability/test/test-pages/
 * * /source.html beside expected.html, the main content Readability is expected to find): word precision,
 * recall and F1 of the extracted text against expected.html's text (multisets of copy-guard tokens), and
 * ms/page (median, p95), for our cheerio extractor (src/article/mainText.ts) and @mozilla/readability on
 * linkedom. Usage: node --import tsx bench/mainText.ts [corpus dir]
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import * as cheerio from 'cheerio';
import { extractMainText } from '../src/article/mainText.ts';
import { toTokens } from '../src/review/compareText.ts';

const dir = process.argv[2] ?? '../shared/corpus/readability/test/test-pages';
if (!existsSync(dir)) {
  console.error(`no corpus at ${dir}: pass the readability test-pages folder`);
  process.exit(1);
}

const { Readability } = await import('@mozilla/readability');
const { parseHTML } = await import('linkedom');

function viaReadability(html: string): string {
  const { document } = parseHTML(html);
  const article = new Readability(document as unknown as Document, { maxElemsToParse: 60_000 }).parse();
  return article?.textContent ?? '';
}

const bag = (text: string) => {
  const m = new Map<string, number>();
  for (const t of toTokens(text)) m.set(t.t, (m.get(t.t) ?? 0) + 1);
  return m;
};
const size = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
function score(got: string, want: string) {
  const g = bag(got);
  const w = bag(want);
  let common = 0;
  for (const [k, n] of g) common += Math.min(n, w.get(k) ?? 0);
  const p = size(g) ? common / size(g) : 0;
  const r = size(w) ? common / size(w) : 0;
  return { p, r, f: p + r ? (2 * p * r) / (p + r) : 0 };
}

const pages = readdirSync(dir).filter((d) => existsSync(join(dir, d, 'source.html')) && existsSync(join(dir, d, 'expected.html')));
const methods: [string, (html: string) => string][] = [
  ['cheerio (ours)', extractMainText],
  ['readability+linkedom', viaReadability],
];
const pct = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
console.log(`${pages.length} pages in ${dir}`);
console.log('| extractor | precision (mean) | recall (mean) | F1 (mean) | F1 (median) | pages F1 < 0.5 | ms/page median | ms/page p95 | errors |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const [name, fn] of methods.filter(([n]) => !process.env.ONLY || n.startsWith(process.env.ONLY))) {
  const f: number[] = [];
  const p: number[] = [];
  const r: number[] = [];
  const ms: number[] = [];
  let errors = 0;
  for (const page of pages) {
    const html = readFileSync(join(dir, page, 'source.html'), 'utf8');
    const want = cheerio.load(readFileSync(join(dir, page, 'expected.html'), 'utf8')).root().text();
    fn(html); // warm
    const t0 = performance.now();
    let got = '';
    try {
      got = fn(html);
    } catch {
      errors++;
    }
    ms.push(performance.now() - t0);
    const s = score(got, want);
    f.push(s.f);
    p.push(s.p);
    r.push(s.r);
    if (process.env.VERBOSE) console.error(name, page, s.f.toFixed(2), s.p.toFixed(2), s.r.toFixed(2));
  }
  console.log(`| ${name} | ${mean(p).toFixed(3)} | ${mean(r).toFixed(3)} | ${mean(f).toFixed(3)} | ${pct(f, 0.5).toFixed(3)} | ${f.filter((x) => x < 0.5).length} | ${pct(ms, 0.5).toFixed(1)} | ${pct(ms, 0.95).toFixed(1)} | ${errors} |`);
}
