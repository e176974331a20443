// A local feed farm: SOURCES feeds of ITEMS items each, with an ETag and a Last-Modified, as real publishers
// send. GET /bump changes every ETag and moves Last-Modified on (same items), so the next poll is a 200 of
// already-seen items. GET /counters answers the farm's own counts (feed requests, 200s, 304s, and which
// validators came) as JSON. PAGES=1: the items link to article pages served here too (bench/articlePage.ts), so
// enrichment reads real pages; otherwise they link to unreachable https://farmN.example hosts. Loopback only.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { articlePage, headline, teaser } from './articlePage.ts';

const sources = Number(process.env.SOURCES ?? 1000);
const items = Number(process.env.ITEMS ?? 20);
const pages = process.env.PAGES === '1';
let origin = '';
let generation = 0;
// Whole seconds (HTTP dates have no more), an hour in the past, one second on per bump.
let lastModified = Math.floor(Date.now() / 1000) * 1000 - 3600_000;
const counters = { requests: 0, ok200: 0, notModified304: 0, withIfNoneMatch: 0, withIfModifiedSince: 0 };
let bodies: Buffer[] = [];
const buildBodies = () => Array.from({ length: sources }, (_, s) =>
  Buffer.from(`<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Farm ${s}</title><link>https://farm${s}.example/</link><description>Bench feed</description>${Array.from({ length: items }, (_, i) => `<item><title>${headline(s, i)}</title><link>${pages ? `${origin}/page/${s}/${i}` : `https://farm${s}.example/2026/11/story-${i}`}?utm_source=rss</link><guid isPermaLink="false">farm-${s}-${i}</guid><pubDate>${new Date(Date.now() - i * 3600_000).toUTCString()}</pubDate><category>Cloud</category><description>&lt;p&gt;${teaser(s, i)}, with &lt;a href="https://farm${s}.example"&gt;a link&lt;/a&gt;.&lt;/p&gt;</description></item>`).join('')}</channel></rss>`),
);

// RFC 9110 §13.2.2: If-None-Match decides when it is sent, and If-Modified-Since is then ignored.
function isNotModified(headers: IncomingHttpHeaders, etag: string): boolean {
  const inm = headers['if-none-match'];
  if (inm !== undefined) return inm.split(',').some((t) => t.trim() === etag || t.trim() === '*');
  const ims = headers['if-modified-since'];
  if (ims === undefined) return false;
  const since = Date.parse(ims);
  return Number.isFinite(since) && lastModified <= since;
}

const server = createServer((req, res) => {
  if (req.url === '/bump') {
    generation++;
    lastModified += 1000;
    return res.end('ok');
  }
  const page = pages ? /^\/page\/(\d+)\/(\d+)(?:\?|$)/.exec(req.url ?? '') : null;
  if (page) return res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(articlePage(origin, Number(page[1]), Number(page[2])));
  if (req.url === '/robots.txt') return res.writeHead(200, { 'content-type': 'text/plain' }).end('User-agent: *\nAllow: /\n');
  if (req.url === '/counters') return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(counters));
  const s = Number(/^\/feed\/(\d+)$/.exec(req.url ?? '')?.[1] ?? -1);
  if (!(s >= 0 && s < sources)) return res.writeHead(404).end();
  counters.requests++;
  if (req.headers['if-none-match'] !== undefined) counters.withIfNoneMatch++;
  if (req.headers['if-modified-since'] !== undefined) counters.withIfModifiedSince++;
  const validators = { etag: `"${s}-${generation}"`, 'last-modified': new Date(lastModified).toUTCString() };
  if (isNotModified(req.headers, validators.etag)) {
    counters.notModified304++;
    return res.writeHead(304, validators).end();
  }
  counters.ok200++;
  res.writeHead(200, { ...validators, 'content-type': 'application/rss+xml' }).end(bodies[s]);
});
server.listen(0, '127.0.0.1', () => {
  const port = (server.address() as { port: number }).port;
  origin = `http://127.0.0.1:${port}`;
  bodies = buildBodies();
  process.stdout.write(`${port}\n`);
});
