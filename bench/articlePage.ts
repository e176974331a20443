// The article pages the bench farms serve (bench/pageFarm.ts, and bench/farm.ts with PAGES=1).
const filler = '<p>Paragraph of the article body with ordinary words about chips, clouds, markets and the people who run them. </p>'.repeat(160);

/** An article page of about 20 KB: JSON-LD on even items, OpenGraph only on odd ones. */
export function articlePage(origin: string, s: number, i: number): string {
  const ld = i % 2 === 0 ? `<script type="application/ld+json">{"@context":"https://schema.org","@type":"NewsArticle","headline":"${headline(s, i)}","datePublished":"2026-11-30T10:00:00Z","author":{"@type":"Person","name":"Writer ${s}"},"publisher":{"@type":"Organization","name":"Farm ${s}"}}</script>` : '';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${headline(s, i)} | Farm ${s}</title><meta property="og:title" content="${headline(s, i)}"><meta property="og:site_name" content="Farm ${s}"><meta property="og:image" content="${origin}/img/${s}/${i}.jpg"><meta name="description" content="What story ${i} is about."><link rel="canonical" href="${origin}/page/${s}/${i}">${ld}</head><body><nav>menu</nav><article><h1>${headline(s, i)}</h1>${filler}</article><footer>footer</footer></body></html>`;
}


const SYLLABLES = ['kor', 'vex', 'tal', 'mira', 'zen', 'dra', 'quo', 'lin', 'sar', 'ban', 'tek', 'nor', 'vol', 'ari', 'pex', 'dun', 'gal', 'hum', 'rio', 'sol', 'tur', 'wen', 'yar', 'cel'];
/** 24 × 24 × 24 made-up company names ("Korvexta"…): a desk's intake names many organisations, not thirty. */
const org = (n: number) => {
  const name = `${SYLLABLES[n % 24]}${SYLLABLES[Math.floor(n / 24) % 24]}${SYLLABLES[Math.floor(n / 576) % 24]}`;
  return name[0]!.toUpperCase() + name.slice(1);
};
const VERBS = ['raises prices of', 'cuts the cost of', 'delays', 'ships', 'recalls', 'open-sources', 'acquires the maker of', 'patches a flaw in', 'ends support for', 'doubles production of', 'wins a contract for', 'loses a lawsuit over'];
const THINGS = ['its data-centre GPUs', 'server memory', 'edge routers', 'a storage array', 'its hypervisor', 'network switches', 'an AI accelerator', 'its cloud database', 'laptop chips', 'a Linux distribution', 'optical transceivers', 'its firewall line', 'HBM stacks', 'a quantum test chip', 'its CDN', 'mainframe software'];
const WHERE = ['in Europe', 'in Asia', 'in the US', 'for banks', 'for telcos', 'after a quarter of losses', 'ahead of schedule', 'amid shortages', 'under EU pressure', 'for hyperscalers'];

/**
 * The headline of item `i` of farm source `s`: varied like a real desk's intake, so stories form as they do in
 * production (mostly one article each) instead of the whole farm clustering into one story of 500 members. Item 0 of every
 * source is also covered by the nine other sources of its group of ten: stories of ten publishers.
 */
export function headline(s: number, i: number): string {
  const n = i === 0 ? Math.floor(s / 10) * 7919 : s * 104_729 + i * 7919 + 1;
  const pick = <T>(list: T[], k: number) => list[Math.floor(n / k) % list.length]!;
  return `${org(n % 13_824)} ${pick(VERBS, 3)} ${pick(THINGS, 37).replace(/^(its |an? )?/, `the ${org(Math.floor(n / 7) % 13_824)} `)} ${pick(WHERE, 411)} (${i === 0 ? `report ${Math.floor(s / 10)}` : `${s}-${i}`})`;
}

/** The feed's teaser for the item: its own words (a shared boilerplate teaser would make every item look alike to the clusterer). */
export function teaser(s: number, i: number): string {
  return `${headline(s, i)}, says ${org((s * 31 + i * 17) % 13_824)}`;
}
