import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { addCommand, exportCommand, importCommand } from '../../src/cli/commands/onboard.ts';
import { loadSources } from '../../src/config/loadSources.ts';
import { rss, startServer } from '../helpers/httpServer.ts';
import { testPrefix, testSettings } from '../helpers/redis.ts';

const sink = () => {
  let text = '';
  return { stream: { write: (s: string) => ((text += s), true) } as unknown as NodeJS.WritableStream, text: () => text };
};
const atom = (title: string) => `<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>${title}</title><id>urn:x</id><updated>2026-11-26T10:00:00Z</updated><entry><title>Atom entry</title><id>urn:e1</id><link href="https://pub.example/e1"/><updated>2026-11-26T10:00:00Z</updated></entry></feed>`;
const jsonFeed = (title: string) => JSON.stringify({ version: 'https://jsonfeed.org/version/1.1', title, items: [{ id: 'j1', url: 'https://pub.example/j1', title: 'JSON item', date_published: '2026-11-25T10:00:00Z' }] });

function sourcesFile(text = '# Our sources. Keep this comment.\nsources:\n  - id: existing\n    name: Existing\n    url: https://existing.example/feed\n'): string {
  const file = join(mkdtempSync(join(tmpdir(), 'sd-onboard-')), 'sources.yaml');
  writeFileSync(file, text);
  return file;
}

describe('sources add: feed discovery', () => {
  it('finds the feeds a page announces (RSS, Atom, JSON Feed), shows what each holds, and writes the chosen one', async () => {
    const server = await startServer((req, res) => {
      switch (req.url) {
        case '/':
          return res.writeHead(200, { 'content-type': 'text/html' }).end(`<html><head><base href="/blog/">
            <link rel="alternate" type="application/rss+xml" title="RSS" href="rss.xml">
            <link rel="alternate" type="application/atom+xml" href="/atom">
            <link rel="alternate" type="application/feed+json" href="http://127.0.0.1:9/elsewhere.json">
            <link rel="alternate" type="application/feed+json" href="/feed.json">
            <link rel="stylesheet" href="/style.css"></head><body></body></html>`);
        case '/blog/rss.xml':
          return res.writeHead(200).end(rss([{ guid: 'a', title: 'Newest story', link: 'https://pub.example/a', date: 'Wed, 26 Nov 2026 09:00:00 GMT' }], 'Pub “Daily”'));
        case '/atom':
          return res.writeHead(200).end(atom('Pub Atom'));
        case '/feed.json':
          return res.writeHead(200).end(jsonFeed('Pub JSON'));
        default:
          return res.writeHead(404).end();
      }
    });
    try {
      const file = sourcesFile();
      const settings = testSettings(testPrefix(), { SIGNAL_DESK_SOURCES: file });
      const out = sink();
      const err = sink();
      expect(await addCommand(settings, server.url('/'), { pick: 2 }, out.stream, err.stream)).toBe(0);
      const table = out.text();
      expect(table).toContain(server.url('/blog/rss.xml'));
      expect(table).toMatch(/1\s+http:\/\/127\.0\.0\.1:\d+\/blog\/rss\.xml\s+rss 2\.0\s+Pub “Daily”\s+1\s+2026-11-26 Newest story/);
      expect(table).toContain(server.url('/atom'));
      expect(table).toContain(server.url('/feed.json'));
      expect(err.text()).toContain('127.0.0.1:9/elsewhere.json'); // announced but not reachable: reported, not offered
      const sources = await loadSources(file);
      expect(sources.map((s) => [s.id, s.url])).toEqual([['existing', 'https://existing.example/feed'], ['pub-atom', server.url('/atom')]]);
      expect(readFileSync(file, 'utf8')).toContain('# Our sources. Keep this comment.');

      // The same feed again is refused.
      expect(await addCommand(settings, server.url('/atom'), {}, sink().stream, err.stream)).toBe(1);
      expect(err.text()).toContain('is already configured as "pub-atom"');
    } finally {
      await server.close();
    }
  });

  it('falls back to the usual paths when a page announces nothing; a feed URL is taken as it is', async () => {
    const server = await startServer((req, res) => {
      if (req.url === '/') return res.writeHead(200, { 'content-type': 'text/html' }).end('<html><head><title>No links</title></head></html>');
      if (req.url === '/index.xml') return res.writeHead(200).end(rss([{ guid: 'x', title: 'Hugo item', link: 'https://pub.example/x' }], 'Hugo Site'));
      if (req.url === '/direct.xml') return res.writeHead(200).end(rss([{ guid: 'y', title: 'Y', link: 'https://pub.example/y' }], 'Direct'));
      res.writeHead(404).end();
    });
    try {
      const file = sourcesFile();
      const settings = testSettings(testPrefix(), { SIGNAL_DESK_SOURCES: file });
      const err = sink();
      expect(await addCommand(settings, server.url('/'), { id: 'hugo', category: 'Infrastructure Software' }, sink().stream, err.stream)).toBe(0);
      expect(err.text()).toContain('announces no feed; trying the usual paths');
      // /feed, /feed/, /rss, /rss.xml, /atom.xml were tried before /index.xml.
      expect(server.requests.map((r) => r.path)).toEqual(['/', '/', '/feed', '/feed/', '/rss', '/rss.xml', '/atom.xml', '/index.xml']);
      expect(await addCommand(settings, server.url('/direct.xml'), { dryRun: true }, sink().stream, sink().stream)).toBe(0);
      const sources = await loadSources(file);
      expect(sources.find((s) => s.id === 'hugo')).toMatchObject({ url: server.url('/index.xml'), category: 'Infrastructure Software', name: 'Hugo Site' });
      expect(sources.map((s) => s.id)).not.toContain('direct'); // dry run
    } finally {
      await server.close();
    }
  });
});

describe('sources add: what the output says (issue 11)', () => {
  const atomUpdatedOnly = `<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Updated only</title><id>urn:u</id><updated>2026-11-27T08:00:00Z</updated>
    <entry><title>Older entry</title><id>urn:u1</id><link href="https://pub.example/u1"/><updated>2026-11-20T10:00:00Z</updated></entry>
    <entry><title>Latest entry</title><id>urn:u2</id><link href="https://pub.example/u2"/><updated>2026-11-27T08:00:00Z</updated></entry></feed>`;

  it('after a success, prints no line about the page itself not being a feed; "newest" falls back to updated', async () => {
    const server = await startServer((req, res) => {
      if (req.url === '/') return res.writeHead(200, { 'content-type': 'text/html' }).end('<html><head><link rel="alternate" type="application/atom+xml" href="/atom"></head></html>');
      if (req.url === '/atom') return res.writeHead(200, { 'content-type': 'application/atom+xml' }).end(atomUpdatedOnly);
      res.writeHead(404).end();
    });
    try {
      const file = sourcesFile();
      const out = sink();
      const err = sink();
      expect(await addCommand(testSettings(testPrefix(), { SIGNAL_DESK_SOURCES: file }), server.url('/'), {}, out.stream, err.stream)).toBe(0);
      expect(err.text()).toBe('');
      expect(out.text()).not.toContain('not_a_feed');
      expect(out.text()).toMatch(/Updated only\s+2\s+2026-11-27 Latest entry/);
    } finally {
      await server.close();
    }
  });

  it('a page announcing a malformed feed: names the feed and why it failed (exit 1); --force adds it anyway', async () => {
    const server = await startServer((req, res) => {
      if (req.url === '/') return res.writeHead(200, { 'content-type': 'text/html' }).end('<html><head><link rel="alternate" type="application/rss+xml" title="Broken" href="/broken.xml"></head></html>');
      if (req.url === '/broken.xml') return res.writeHead(200, { 'content-type': 'application/rss+xml' }).end('<?xml version="1.0"?><rss version="2.0"><channel><title>Cut</title><item><title>Half');
      res.writeHead(404).end();
    });
    try {
      const file = sourcesFile();
      const settings = testSettings(testPrefix(), { SIGNAL_DESK_SOURCES: file });
      const err = sink();
      expect(await addCommand(settings, server.url('/'), {}, sink().stream, err.stream)).toBe(1);
      expect(err.text()).toContain(`${server.url('/broken.xml')} (<link rel="alternate" type="application/rss+xml">): `);
      expect(err.text()).toMatch(/broken\.xml[^\n]*: (parse_error|not_a_feed|malformed)[^\n]*: \S/);
      expect(err.text()).toContain('--force');
      expect(err.text()).not.toContain('no feed found'); // it found one, a broken one
      expect((await loadSources(file)).map((s) => s.id)).toEqual(['existing']);

      const out = sink();
      expect(await addCommand(settings, server.url('/'), { force: true, id: 'broken' }, out.stream, sink().stream)).toBe(0);
      expect(out.text()).toMatch(/1\s+http:\/\/127\.0\.0\.1:\d+\/broken\.xml\s+broken\s/);
      expect(out.text()).toContain('--force');
      expect((await loadSources(file)).find((s) => s.id === 'broken')).toMatchObject({ url: server.url('/broken.xml') });
    } finally {
      await server.close();
    }
  });

  it('a URL served as a feed that does not parse is named with its reason, not "announces no feed"', async () => {
    const server = await startServer((req, res) => {
      if (req.url === '/feed.xml') return res.writeHead(200, { 'content-type': 'application/rss+xml' }).end('<?xml version="1.0"?><rss version="2.0"><channel><title>Cut');
      res.writeHead(404).end();
    });
    try {
      const err = sink();
      expect(await addCommand(testSettings(testPrefix(), { SIGNAL_DESK_SOURCES: sourcesFile() }), server.url('/feed.xml'), {}, sink().stream, err.stream)).toBe(1);
      expect(err.text()).toContain(`${server.url('/feed.xml')} (the URL itself): `);
      expect(err.text()).not.toContain('usual paths');
    } finally {
      await server.close();
    }
  });
});

describe('OPML', () => {
  it('round trip: export then import into an empty file keeps ids, names, URLs, tags, category and weight', async () => {
    const file = sourcesFile(`sources:
  - id: toms-hardware
    name: Tom's Hardware
    url: https://www.tomshardware.com/feeds/all
    tags: [hardware, chips]
    category: Infrastructure Software
    weight: 0.8
  - id: the-register
    name: The Register
    url: https://www.theregister.com/headlines.atom
`);
    const out = sink();
    await exportCommand(testSettings(testPrefix(), { SIGNAL_DESK_SOURCES: file }), out.stream);
    expect(out.text()).toContain('<opml version="2.0">');
    const opml = join(mkdtempSync(join(tmpdir(), 'sd-opml-')), 'export.opml');
    writeFileSync(opml, out.text());

    const target = sourcesFile('sources: []\n');
    const report = sink();
    await importCommand(testSettings(testPrefix(), { SIGNAL_DESK_SOURCES: target }), opml, {}, report.stream);
    expect(report.text()).toBe(`imported 2 sources into ${target}: toms-hardware, the-register\n`);
    const strip = (s: Awaited<ReturnType<typeof loadSources>>) => s.map(({ id, name, url, tags, category, weight }) => ({ id, name, url, tags, category, weight }));
    expect(strip(await loadSources(target))).toEqual(strip(await loadSources(file)));
  });

  it('imports a reader export (folders as tags), reports every skipped entry and why', async () => {
    const opml = join(mkdtempSync(join(tmpdir(), 'sd-opml-')), 'reader.opml');
    writeFileSync(opml, `<?xml version="1.0"?><opml version="1.0"><head><title>My reader</title></head><body>
      <outline text="Tech">
        <outline text="Ars Technica" type="rss" xmlUrl="https://feeds.arstechnica.com/arstechnica/index" htmlUrl="https://arstechnica.com"/>
        <outline text="Existing again" type="rss" xmlUrl="https://existing.example/feed?utm_source=reader"/>
        <outline text="Gopher" type="rss" xmlUrl="gopher://old.example/feed"/>
      </outline>
      <outline text="A bookmark, not a feed" url="https://example.com"/>
      <outline text="Ars Technica" type="rss" xmlUrl="https://arstechnica.com/science/feed/"/>
    </body></opml>`);
    const target = sourcesFile();
    const report = sink();
    await importCommand(testSettings(testPrefix(), { SIGNAL_DESK_SOURCES: target }), opml, {}, report.stream);
    expect(report.text()).toBe(
      `imported 2 sources into ${target}: ars-technica, ars-technica-2\nskipped 3:\n` +
        '  Gopher: xmlUrl uses gopher; only http and https feeds can be polled\n' +
        '  A bookmark, not a feed: no xmlUrl: not a feed subscription\n' +
        '  Existing again: https://existing.example/feed?utm_source=reader is already configured as "existing"\n',
    );
    const sources = await loadSources(target);
    expect(sources.find((s) => s.id === 'ars-technica')!.tags).toEqual(['Tech']);
  });
});
