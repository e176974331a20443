// A local feed farm: SOURCES feeds of ITEMS items each, with ETags. GET /bump changes every ETag (same
// items), so the next poll is a 200 of already-seen items. Loopback only.
import { createServer } from 'node:http';

const sources = Number(process.env.SOURCES ?? 1000);
const items = Number(process.env.ITEMS ?? 20);
let generation = 0;
const bodies = Array.from({ length: sources }, (_, s) =>
  Buffer.from(`<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Farm ${s}</title><link>https://farm${s}.example/</link><description>Bench feed</description>${Array.from({ length: items }, (_, i) => `<item><title>Farm ${s} story ${i}: a headline of realistic length about chips and clouds</title><link>https://farm${s}.example/2026/11/story-${i}?utm_source=rss</link><guid isPermaLink="false">farm-${s}-${i}</guid><pubDate>${new Date(Date.now() - i * 3600_000).toUTCString()}</pubDate><category>Cloud</category><description>&lt;p&gt;A summary of about two hundred characters that stands in for the teaser a publisher puts in its feed, with &lt;a href="https://farm${s}.example"&gt;a link&lt;/a&gt; and some more words.&lt;/p&gt;</description></item>`).join('')}</channel></rss>`),
);
const server = createServer((req, res) => {
  if (req.url === '/bump') {
    generation++;
    return res.end('ok');
  }
  const s = Number(/^\/feed\/(\d+)$/.exec(req.url ?? '')?.[1] ?? -1);
  if (!(s >= 0 && s < sources)) return res.writeHead(404).end();
  const etag = `"${s}-${generation}"`;
  if (req.headers['if-none-match'] === etag) return res.writeHead(304, { etag }).end();
  res.writeHead(200, { etag, 'content-type': 'application/rss+xml' }).end(bodies[s]);
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`${(server.address() as { port: number }).port}\n`));
