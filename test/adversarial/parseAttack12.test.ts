import { afterEach, describe, expect, it } from 'vitest';
import { parseFeed } from '../../src/parse/parseFeed.ts';
import { rss as rssFeed, startServer, type TestServer } from '../helpers/httpServer.ts';
import { source, withPipeline } from '../helpers/pipeline.ts';

let servers: TestServer[] = [];
afterEach(async () => {
  for (const s of servers) await s.close();
  servers = [];
});

// Attack on issue 12 (feed parsing fidelity), from outside: each `it` is one hole found, asserting what a
// reader of the feed should see.
const FEED = 'https://feeds.example/feed';
const atom = (entry: string, head = '') =>
  `<?xml version="1.0"?>${head}<feed xmlns="http://www.w3.org/2005/Atom" xmlns:feedburner="http://rssnamespace.org/feedburner/ext/1.0"><title>t</title><entry>${entry}</entry></feed>`;
const rss = (item: string, head = '') =>
  `<?xml version="1.0"?>${head}<rss version="2.0"><channel><title>t</title><item>${item}</item></channel></rss>`;

describe('attack 12: links', () => {
  it('an Atom entry whose feedburner:origLink is javascript: has no link (and a relative one is resolved)', async () => {
    const evil = await parseFeed(atom('<title>x</title><id>urn:1</id><feedburner:origLink>javascript:alert(1)</feedburner:origLink>'), { url: FEED });
    expect(evil.items[0]!.url).toBeNull();
    const relative = await parseFeed(atom('<title>x</title><id>urn:1</id><feedburner:origLink>/p/1</feedburner:origLink>'), { url: FEED });
    expect(relative.items[0]!.url).toBe('https://feeds.example/p/1');
  });
});

describe('attack 12: credentials in the feed URL', () => {
  it('a relative item link and the site link do not inherit the user name and password of the source URL', async () => {
    const feed = await parseFeed(rss('<title>x</title><link>/post/1</link>'), { url: 'https://user:secret@feeds.example/feed' });
    expect(feed.items[0]!.url).toBe('https://feeds.example/post/1');
    expect(feed.feed.link).toBe('https://feeds.example/feed');
    expect(JSON.stringify(feed)).not.toContain('secret');
  });
});

describe('attack 12: entity bombs', () => {
  it('a chain of 20,000 internal entities, each naming the one before, leaves the reference unexpanded instead of overflowing the stack', async () => {
    let declarations = '<!ENTITY e0 "x">';
    for (let i = 1; i < 20_000; i++) declarations += `<!ENTITY e${i} "&e${i - 1};">`;
    const feed = await parseFeed(rss('<title>Chain &e19999; end</title><link>https://a.example/</link>', `<!DOCTYPE rss [${declarations}]>`), { url: FEED });
    expect(feed.items[0]!.title).toBe('Chain &e19999; end');
    // The bound is unchanged, however an entity was first reached: 8 levels expand (e7), 9 do not (e8, e9),
    // and e7 reached first 2 levels down, under the refused e9, is not remembered as refused.
    let short = '<!ENTITY e0 "x">';
    for (let i = 1; i < 10; i++) short += `<!ENTITY e${i} "&e${i - 1};">`;
    const bounded = await parseFeed(rss('<title>&e9; &e7; &e8;</title><link>https://a.example/</link>', `<!DOCTYPE rss [${short}]>`), { url: FEED });
    expect(bounded.items[0]!.title).toBe('&e9; x &e8;');
  });
});

describe('attack 12: the internal subset', () => {
  it('a "]" or ">" inside an entity value or a comment of the internal subset does not end it: the feed is read', async () => {
    const cases: [string, string][] = [
      ['<!ENTITY note "see [1]">', 'Budget see [1]'],
      // The value is text; as a title, its declaration-like markup is stripped as any title's is.
      [`<!ENTITY note "<!DOCTYPE y [<!ENTITY z 'b'>]> now">`, 'Budget now'],
      ['<!-- old: ]> --><!ENTITY note "ok">', 'Budget ok'],
    ];
    for (const [subset, title] of cases) {
      const feed = await parseFeed(rss('<title>Budget &note;</title><link>https://a.example/</link>', `<!DOCTYPE rss [${subset}]>`), { url: FEED });
      expect(feed.items.map((i) => i.title), subset).toEqual([title]);
      expect(feed.recovered, subset).toBeNull();
    }
    // A subset that never closes still costs linear time (the pattern never backtracks).
    const started = Date.now();
    await expect(parseFeed(`<?xml version="1.0"?><!DOCTYPE rss [${'<!-- - '.repeat(20_000)}"${"'".repeat(20_000)}<rss/>`, { url: FEED })).rejects.toMatchObject({ code: 'not_a_feed' });
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

describe('attack 12: a feed cut off between two items', () => {
  it('served with an ETag and polled twice, it keeps no validators: the second poll fetches the whole feed, not a 304', { timeout: 60_000 }, async () => {
    const items = [1, 2, 3].map((n) => ({ guid: `g${n}`, title: `Story ${n}`, link: `https://news.example/${n}` }));
    const whole = rssFeed(items);
    let body = whole.slice(0, whole.indexOf('<item>', whole.indexOf('</item>'))); // ends right after the first item
    const server = await startServer((req, res) => {
      if (req.headers['if-none-match'] === '"v1"') return void res.writeHead(304).end();
      res.writeHead(200, { 'content-type': 'application/rss+xml', etag: '"v1"' }).end(body);
    });
    servers.push(server);
    await withPipeline([source('cut', server.url('/feed'))], async (p) => {
      const [first] = await p.once();
      expect(first!.newDrafts).toBe(1);
      expect((await p.state('cut')).etag).toBeUndefined();
      body = whole;
      const [second] = await p.once();
      expect(server.requests[1]!.headers['if-none-match']).toBeUndefined();
      expect(second!.newDrafts).toBe(2);
    });
  });
});

describe('attack 12, second pass: what the outside attack left open', () => {
  it('an internal entity holding a quote stays inside the attribute it stands in', async () => {
    const xml = `<?xml version="1.0"?><!DOCTYPE feed [<!ENTITY q 'Chips" label="pwned'>]><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><entry><id>urn:1</id><link href="https://site.example/1"/><title>a</title><category term="&q;"/></entry></feed>`;
    const feed = await parseFeed(xml);
    expect(feed.items[0]!.categories).toEqual(['Chips" label="pwned']);
  });

  it('a Content-Location naming another origin (an internal address a proxy leaked) is not the base of relative links', async () => {
    const xml = '<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><item><title>a</title><link>story.html</link></item></channel></rss>';
    const feed = await parseFeed(xml, { url: 'https://feeds.example/news/rss', contentLocation: 'http://10.0.0.5/internal/rss.xml' });
    expect(feed.items[0]!.url).toBe('https://feeds.example/news/story.html');
  });
});
