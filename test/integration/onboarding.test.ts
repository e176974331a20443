import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { addCommand, exportCommand, importCommand } from '../../src/cli/commands/onboard.ts';
import { loadSources } from '../../src/config/loadSources.ts';
import { rss, startServer } from '../helpers/httpServer.ts';
import { testPrefix, testSettings } from '../helpers/redis.ts';

const runCli = (args: string[]) =>
  promisify(execFile)(process.execPath, ['bin/signal-desk.js', ...args], { env: { ...process.env, SIGNAL_DESK_LOG_LEVEL: 'silent' } }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
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
    expect(out.text()).toContain('<opml version="2.0" xmlns:sd="https://signal-desk.dev/opml">');
    const opml = join(mkdtempSync(join(tmpdir(), 'sd-opml-')), 'export.opml');
    writeFileSync(opml, out.text());

    const target = sourcesFile('sources: []\n');
    const report = sink();
    await importCommand(testSettings(testPrefix(), { SIGNAL_DESK_SOURCES: target }), opml, {}, report.stream);
    expect(report.text()).toBe(`imported 2 sources into ${target}: toms-hardware, the-register\n`);
    const strip = (s: Awaited<ReturnType<typeof loadSources>>) => s.map(({ id, name, url, tags, category, weight }) => ({ id, name, url, tags, category, weight }));
    expect(strip(await loadSources(target))).toEqual(strip(await loadSources(file)));
  });

  it('round trip keeps every field of the schema (schedule, filters, kind, selectors, enabled, enrich, tags, weight, category): sd: attributes', async () => {
    const file = sourcesFile(`# every field set
sources:
  - id: full-feed
    name: "Full <Feed> & “quotes”"
    url: https://full.example/feed.xml?a=1&b=2
    kind: atom
    schedule: { every: 30m, min: 10m, max: 6h, adaptive: false }
    enabled: false
    tags: [chips, "a,b", Ünïcode]
    category: Chip Supply
    weight: 0.9
    filters: { include: [tsmc, "wafer fab"], exclude: [sponsored] }
    enrich: false
  - id: cron-feed
    name: Cron Feed
    url: https://cron.example/rss
    kind: rss
    schedule: { cron: "*/20 6-22 * * 1-5", tz: Europe/Paris }
  - id: listing
    name: A listing page
    url: https://listing.example/news
    kind: html
    selectors: { item: "article.post", title: "h2 a", link: "h2 a", date: time, summary: "p.lede" }
    weight: 0
`);
    const out = sink();
    await exportCommand(testSettings(testPrefix(), { SIGNAL_DESK_SOURCES: file }), out.stream);
    expect(out.text()).toContain('xmlns:sd="https://signal-desk.dev/opml"');
    expect(out.text()).toContain('sd:schedule="{&quot;every&quot;:&quot;30m&quot;');
    const opml = join(mkdtempSync(join(tmpdir(), 'sd-opml-')), 'export.opml');
    writeFileSync(opml, out.text());

    const target = sourcesFile('sources: []\n');
    const report = sink();
    await importCommand(testSettings(testPrefix(), { SIGNAL_DESK_SOURCES: target }), opml, {}, report.stream);
    expect(report.text()).toBe(`imported 3 sources into ${target}: full-feed, cron-feed, listing\n`);
    expect(await loadSources(target)).toEqual(await loadSources(file));
    // Defaults are not spelled out in the file written.
    expect(readFileSync(target, 'utf8')).not.toContain('enrich: true');
  });

  it.each([
    ['a truncated file', '<?xml version="1.0"?>\n<opml version="2.0">\n  <body>\n    <outline text="A" xmlUrl="https://a.example/feed"/>\n    <outline text="B" xmlUr', /:5:\d+: the file ends before <\/body> \(<body> opened at line 3, column 3\): it looks truncated/],
    ['a tag closed in the wrong place', '<opml version="2.0"><body>\n<outline text="Folder">\n<outline text="A" xmlUrl="https://a.example/feed"/>\n</body></opml>', /:4:1: <\/body> here, but <outline> opened at line 2, column 1 is not closed/],
    ['an RSS feed', '<?xml version="1.0"?>\n<rss version="2.0"><channel><title>x</title></channel></rss>', /:2:1: not an OPML file: the root element is <rss>, not <opml>/],
    ['a JSON file', '{"sources": []}', /:1:1: not an OPML file: no XML element in it/],
    ['an OPML without body', '<opml version="2.0"><head><title>t</title></head></opml>', /no <body>/],
  ])('%s is an error naming where it broke (line:column), and imports nothing', async (_name, text, message) => {
    const opml = join(mkdtempSync(join(tmpdir(), 'sd-opml-')), 'bad.opml');
    writeFileSync(opml, text);
    const target = sourcesFile();
    const before = readFileSync(target, 'utf8');
    const error = await importCommand(testSettings(testPrefix(), { SIGNAL_DESK_SOURCES: target }), opml, {}, sink().stream).then(() => undefined, (e: Error) => e);
    expect(error?.message).toMatch(message);
    expect(error?.message.startsWith(`${opml}:`)).toBe(true);
    expect(readFileSync(target, 'utf8')).toBe(before);
  });

  it('sources import exits 1 on a truncated file, with the place on stderr (CLI)', async () => {
    const opml = join(mkdtempSync(join(tmpdir(), 'sd-opml-')), 'cut.opml');
    writeFileSync(opml, '<opml version="2.0"><body><outline text="A" xmlUrl="https://a.example/feed"/>');
    const target = sourcesFile();
    const r = await runCli(['sources', 'import', opml, '--sources', target]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${opml}:1:`);
    expect(r.stderr).toContain('it looks truncated');
    expect(r.stdout).not.toContain('imported 0');
  });

  it('an entry whose sd: attributes the schema refuses is skipped with the field named; the others import', async () => {
    const opml = join(mkdtempSync(join(tmpdir(), 'sd-opml-')), 'hostile.opml');
    writeFileSync(opml, `<opml version="2.0" xmlns:x="https://signal-desk.dev/opml"><body>
      <outline text="Too often" xmlUrl="https://a.example/feed" x:schedule='{"every":"1s"}'/>
      <outline text="Proto" xmlUrl="https://b.example/feed" x:filters='{"include":[],"exclude":[],"__proto__":{"x":1}}'/>
      <outline text="Fine" xmlUrl="https://c.example/feed" x:kind="rdf" x:weight="0.25"/>
    </body></opml>`);
    const target = sourcesFile('sources: []\n');
    const report = sink();
    await importCommand(testSettings(testPrefix(), { SIGNAL_DESK_SOURCES: target }), opml, {}, report.stream);
    expect(report.text()).toContain('imported 1 source into');
    expect(report.text()).toContain('Too often: sd:schedule (field "schedule.every"): "1s" is too frequent');
    expect(report.text()).toMatch(/Proto: sd:filters[^\n]*/);
    expect((await loadSources(target))[0]).toMatchObject({ id: 'fine', kind: 'rdf', weight: 0.25 });
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
