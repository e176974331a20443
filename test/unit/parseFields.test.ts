import { describe, expect, it } from 'vitest';
import { headlineOf } from '../../src/drafts/toDraft.ts';
import { parseFeed } from '../../src/parse/parseFeed.ts';
import { documentBase } from '../../src/parse/documentBase.ts';

const rss = (items: string, channel = '') => `<?xml version="1.0"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" xmlns:feedburner="http://rssnamespace.org/feedburner/ext/1.0"><channel><title>T</title><link>https://site.example/</link>${channel}${items}</channel></rss>`;
const atom = (entries: string, head = '<link href="https://site.example/"/>') => `<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>A</title>${head}${entries}</feed>`;

describe('where item text is read (src/parse/itemFields.ts)', () => {
  it('reads the RSS synopsis before the full content, and the full content when there is no synopsis', async () => {
    const feed = await parseFeed(rss('<item><title>a</title><link>https://site.example/1</link><description>Synopsis</description><content:encoded xmlns:content="http://purl.org/rss/1.0/modules/content/">Full</content:encoded></item><item><title>b</title><link>https://site.example/2</link><content:encoded xmlns:content="http://purl.org/rss/1.0/modules/content/">Only full</content:encoded></item>'));
    expect(feed.items.map((i) => i.summary)).toEqual(['Synopsis', 'Only full']);
  });

  it('matches element names in any case', async () => {
    const feed = await parseFeed(rss('<item><Title>Capital title</Title><LINK>https://site.example/1</LINK><itunes:Summary>Summary</itunes:Summary></item>'));
    expect(feed.items[0]).toMatchObject({ title: 'Capital title', summary: 'Summary', url: 'https://site.example/1' });
  });

  it('joins several authors once each, never keeps an e-mail address, and inherits the channel author', async () => {
    const feed = await parseFeed(rss('<item><title>a</title><link>https://site.example/1</link><dc:creator>Alice</dc:creator><dc:creator>Bob</dc:creator><dc:creator>alice</dc:creator></item><item><title>b</title><link>https://site.example/2</link><author>Jane Doe (jane@example.com)</author></item><item><title>c</title><link>https://site.example/3</link></item>', '<dc:creator>Desk Editor</dc:creator>'));
    expect(feed.items.map((i) => i.author)).toEqual(['Alice, Bob', 'Jane Doe', 'Desk Editor']);
  });

  it("an item without categories takes its channel's; one with its own keeps only those", async () => {
    const feed = await parseFeed(rss('<item><title>a</title><link>https://site.example/1</link></item><item><title>b</title><link>https://site.example/2</link><category>Own</category></item>', '<category>Channel</category><itunes:category text="Tech"><itunes:category text="Chips"/></itunes:category>'));
    expect(feed.items.map((i) => i.categories)).toEqual([['Channel', 'Tech', 'Chips'], ['Own']]);
  });

  it("prefers FeedBurner's origLink to its redirect, and falls back to an enclosure for a podcast episode without a link", async () => {
    const feed = await parseFeed(rss('<item><title>a</title><link>https://feeds.feedburner.example/~r/x/1</link><feedburner:origLink>https://site.example/original</feedburner:origLink></item><item><title>b</title><guid isPermaLink="false">ep-2</guid><enclosure url="javascript:alert(1)" type="audio/mpeg"/><enclosure url="https://cdn.example/ep2.mp3" type="audio/mpeg"/></item>'));
    expect(feed.items.map((i) => i.url)).toEqual(['https://site.example/original', 'https://cdn.example/ep2.mp3']);
  });
});

describe('Atom text constructs (src/parse/atomText.ts)', () => {
  const entry = (title: string) => atom(`<entry><id>urn:x:1</id><link href="https://site.example/1"/>${title}</entry>`);

  it.each([
    ['base64', `<title type="base64">${Buffer.from('Décodé').toString('base64')}</title>`, 'Décodé'],
    ['html, read once', '<title type="html">AT&amp;amp;T &lt;b&gt;bold&lt;/b&gt; &amp;lt;tag&amp;gt;</title>', 'AT&T bold <tag>'],
    ['xhtml, escaped text kept as text', '<title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">The &lt;blink&gt; <b>tag</b></div></title>', 'The <blink> tag'],
    ['text, as written', '<title type="text">&amp;#39;quoted&amp;#39;</title>', '&#39;quoted&#39;'],
    ['html hiding a script', '<title type="html">Safe &lt;script&gt;alert(1)&lt;/script&gt; title</title>', 'Safe title'],
    ['base64 that is not base64', '<title type="base64">%%% not base64 %%%</title>', null],
  ])('%s', async (_name, title, expected) => {
    const feed = await parseFeed(entry(title));
    expect(feed.items[0]!.title).toBe(expected);
  });

  it('reads Atom 0.3 mode="base64" and mode="escaped"', async () => {
    const xml = `<?xml version="1.0"?><feed version="0.3" xmlns="http://purl.org/atom/ns#"><title>x</title><entry><id>urn:x</id><link rel="alternate" href="https://site.example/1"/><title mode="base64">${Buffer.from('Old title').toString('base64')}</title><summary mode="escaped" type="text/html">&lt;p&gt;Escaped&lt;/p&gt;</summary></entry></feed>`;
    expect((await parseFeed(xml)).items[0]).toMatchObject({ title: 'Old title', summary: 'Escaped' });
  });

  it('an entry without a link whose id is an http(s) URL is at that URL; a mailto id gives no link', async () => {
    const feed = await parseFeed(atom('<entry><id>https://site.example/entries/1</id><title>a</title></entry><entry><id>mailto:a@example.com</id><title>b</title></entry>'));
    expect(feed.items.map((i) => i.url)).toEqual(['https://site.example/entries/1', null]);
  });

  it("relative entry links resolve against xml:base, else the feed's site link", async () => {
    const feed = await parseFeed(atom('<entry><id>urn:1</id><link href="a.html"/></entry>', '<link href="https://site.example/news/"/>'), { url: 'https://feeds.example/atom' });
    expect(feed.items[0]!.url).toBe('https://site.example/news/a.html');
  });
});

describe('feed and headline fallbacks', () => {
  it('an untitled feed is called by its site link; one without a site link lives at its own URL', async () => {
    const feed = await parseFeed('<?xml version="1.0"?><rss version="2.0"><channel><item><title>a</title></item></channel></rss>', { url: 'https://feeds.example/rss' });
    expect(feed.feed).toMatchObject({ title: 'https://feeds.example/rss', link: 'https://feeds.example/rss' });
  });

  it("an untitled item is headlined by its summary's start, else its link, else \"(untitled item)\"", () => {
    expect(headlineOf({ title: null, summary: 'A summary', url: 'https://site.example/1' })).toBe('A summary');
    expect(headlineOf({ title: null, summary: null, url: 'https://site.example/1' })).toBe('https://site.example/1');
    expect(headlineOf({ title: null, summary: null, url: null })).toBe('(untitled item)');
  });

  it('a JSON Feed blank summary falls through to the content, and an authors object is read', async () => {
    const json = JSON.stringify({ version: 'https://jsonfeed.org/version/1.1', title: 'J', items: [{ id: '1', url: 'https://site.example/1', summary: ' ', content_text: 'The content', authors: { name: 'Solo Author' } }] });
    expect((await parseFeed(json)).items[0]).toMatchObject({ summary: 'The content', author: 'Solo Author' });
  });
});

describe('documentBase: Content-Location', () => {
  it.each([
    ['https://feeds.example/a/feed.xml', 'https://feeds.example/b/feed.xml', 'https://feeds.example/b/feed.xml'],
    ['https://feeds.example/a/feed.xml', 'http://10.0.0.5/b/feed.xml', 'https://feeds.example/a/feed.xml'],
    ['https://feeds.example/a/feed.xml', 'https://mirror.example/b/feed.xml', 'https://feeds.example/a/feed.xml'],
    ['https://feeds.example/a/feed.xml', '/c/feed.xml', 'https://feeds.example/c/feed.xml'],
    ['https://feeds.example/a/feed.xml', 'javascript:alert(1)', 'https://feeds.example/a/feed.xml'],
    ['https://feeds.example/a/feed.xml', 'file:///etc/passwd', 'https://feeds.example/a/feed.xml'],
    ['https://feeds.example/a/feed.xml', undefined, 'https://feeds.example/a/feed.xml'],
    [undefined, 'relative.xml', undefined],
  ])('feed %s, Content-Location %s → %s', (url, location, expected) => {
    expect(documentBase(url, location)).toBe(expected);
  });

  it('relative item links resolve against Content-Location when the pipeline passes it', async () => {
    const xml = '<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><item><title>a</title><link>story.html</link></item></channel></rss>';
    const feed = await parseFeed(xml, { url: 'https://feeds.example/rss', contentLocation: '/news/rss.xml' });
    expect(feed.items[0]!.url).toBe('https://feeds.example/news/story.html');
  });
});
