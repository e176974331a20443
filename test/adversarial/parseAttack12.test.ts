import { describe, expect, it } from 'vitest';
import { parseFeed } from '../../src/parse/parseFeed.ts';

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
