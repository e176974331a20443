// A local feed-and-page farm for the enrichment bench: SOURCES feeds of ITEMS items whose links are article
// pages served here too (JSON-LD on even items, OpenGraph only on odd ones, about 20 KB each), plus robots.txt.
// Loopback only. Prints its port.
import { createServer } from 'node:http';
import { articlePage } from './articlePage.ts';

const sources = Number(process.env.SOURCES ?? 200);
const items = Number(process.env.ITEMS ?? 20);
let origin = '';
function feed(s: number): string {
  return `<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Farm ${s}</title><link>${origin}/</link><description>Bench feed</description>${Array.from({ length: items }, (_, i) => `<item><title>Farm ${s} story ${i}: a headline of realistic length about chips and clouds</title><link>${origin}/page/${s}/${i}?utm_source=rss</link><guid isPermaLink="false">farm-${s}-${i}</guid><pubDate>${new Date(Date.now() - i * 3600_000).toUTCString()}</pubDate><description>A summary of about two hundred characters that stands in for the teaser a publisher puts in its feed.</description></item>`).join('')}</channel></rss>`;
}

const server = createServer((req, res) => {
  const url = (req.url ?? '').split('?')[0]!;
  if (url === '/robots.txt') return res.writeHead(200, { 'content-type': 'text/plain' }).end('User-agent: *\nAllow: /\n');
  const f = /^\/feed\/(\d+)$/.exec(url);
  if (f && Number(f[1]) < sources) return res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(feed(Number(f[1])));
  const p = /^\/page\/(\d+)\/(\d+)$/.exec(url);
  if (p) return res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(articlePage(origin, Number(p[1]), Number(p[2])));
  res.writeHead(404).end();
});
server.listen(0, '127.0.0.1', () => {
  origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  process.stdout.write(`${(server.address() as { port: number }).port}\n`);
});
