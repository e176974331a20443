// The article pages the bench farms serve (bench/pageFarm.ts, and bench/farm.ts with PAGES=1).
const filler = '<p>Paragraph of the article body with ordinary words about chips, clouds, markets and the people who run them. </p>'.repeat(160);

/** An article page of about 20 KB: JSON-LD on even items, OpenGraph only on odd ones. */
export function articlePage(origin: string, s: number, i: number): string {
  const ld = i % 2 === 0 ? `<script type="application/ld+json">{"@context":"https://schema.org","@type":"NewsArticle","headline":"Farm ${s} story ${i}","datePublished":"2026-11-30T10:00:00Z","author":{"@type":"Person","name":"Writer ${s}"},"publisher":{"@type":"Organization","name":"Farm ${s}"}}</script>` : '';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Farm ${s} story ${i} | Farm ${s}</title><meta property="og:title" content="Farm ${s} story ${i}"><meta property="og:site_name" content="Farm ${s}"><meta property="og:image" content="${origin}/img/${s}/${i}.jpg"><meta name="description" content="What story ${i} is about."><link rel="canonical" href="${origin}/page/${s}/${i}">${ld}</head><body><nav>menu</nav><article><h1>Farm ${s} story ${i}</h1>${filler}</article><footer>footer</footer></body></html>`;
}

