import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { parseAllowList } from '../../src/config/settings.ts';
import { FetchError } from '../../src/errors.ts';
import { fetchFeed } from '../../src/fetch/fetchFeed.ts';
import { createGuardedAgent } from '../../src/fetch/guardedAgent.ts';
import { startServer } from '../helpers/httpServer.ts';
import { source, withPipeline } from '../helpers/pipeline.ts';

// Issue 8, case 6: IP literals got a TCP connection before they were refused (the socket's address was only
// checked once connected), a port-scan oracle through redirects; two IPv6 forms of loopback passed outright.
const exec = promisify(execFile);

/** A TCP server on 127.0.0.2 (loopback, but not in the tests' allow-list 127.0.0.1), or on `host`, that counts connections. */
async function connectionRecorder(host = '127.0.0.2'): Promise<{ port: number; connections: Socket[]; close(): Promise<void> }> {
  const connections: Socket[] = [];
  const server: Server = createServer((socket) => {
    connections.push(socket);
    socket.end('HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n');
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return {
    port: (server.address() as { port: number }).port,
    connections,
    close: () => new Promise((resolve) => {
      for (const s of connections) s.destroy();
      server.close(() => resolve());
    }),
  };
}

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.reverse()) await fn().catch(() => {});
  cleanup = [];
});

async function fetchError(url: string, allow = '127.0.0.1'): Promise<FetchError> {
  const agent = createGuardedAgent({ allowPrivate: parseAllowList(allow), connectTimeoutMs: 1000 });
  cleanup.push(() => agent.close());
  const err = await fetchFeed({ url, userAgent: 'test', maxBytes: 1 << 20, timeoutMs: 5000, dispatcher: agent }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(FetchError);
  return err as FetchError;
}

describe('IP literals are judged before any TCP connection, in the URL and in every redirect', () => {
  it.each([
    ['dotted', (port: number) => `http://127.0.0.2:${port}/feed`, '127.0.0.2 (loopback range)'],
    ['decimal (WHATWG URL reads it as 127.0.0.2)', (port: number) => `http://2130706434:${port}/feed`, '127.0.0.2 (loopback range)'],
    ['hex and short form', (port: number) => `http://0x7f.0.0.2:${port}/feed`, '127.0.0.2 (loopback range)'],
    ['IPv4-mapped IPv6', (port: number) => `http://[::ffff:127.0.0.2]:${port}/feed`, 'ipv4Mapped of loopback range, reaches 127.0.0.2'],
  ])('a redirect to a %s literal of a listening port not on the allow-list makes no connection', { timeout: 60_000 }, async (_name, target, named) => {
    const recorder = await connectionRecorder();
    cleanup.push(recorder.close);
    const location = target(recorder.port);
    const hop = await startServer((_req, res) => res.writeHead(302, { location }).end());
    cleanup.push(hop.close);
    const err = await fetchError(hop.url('/start'));
    expect(hop.requests).toHaveLength(1);
    expect(recorder.connections).toHaveLength(0);
    expect(err.code).toBe('blocked_address');
    expect(err.message).toContain(named);
    expect(err.message).toContain('no connection was made');
  });

  it('the URL itself: a literal not on the allow-list gets no connection either', { timeout: 60_000 }, async () => {
    const recorder = await connectionRecorder();
    cleanup.push(recorder.close);
    const err = await fetchError(`http://127.0.0.2:${recorder.port}/feed`);
    expect(err.code).toBe('blocked_address');
    expect(recorder.connections).toHaveLength(0);
  });

  it.each([
    ['cloud metadata', 'http://169.254.169.254/latest/meta-data/', '169.254.169.254 (linkLocal range)'],
    ['NAT64 of the metadata address', 'http://[64:ff9b::a9fe:a9fe]/', '64:ff9b::a9fe:a9fe (rfc6052 range, reaches 169.254.169.254)'],
    ['IPv4-compatible loopback', 'http://[::127.0.0.1]/', '::7f00:1 (ipv4Compatible range, reaches 127.0.0.1)'],
    ['IPv4-translated loopback', 'http://[::ffff:0:7f00:1]/', '::ffff:0:7f00:1 (rfc6145 range, reaches 127.0.0.1)'],
    ['IPv6 loopback', 'http://[::1]/', '::1 (loopback range)'],
    ['private 10/8 in octal', 'http://012.0.0.1/', '10.0.0.1 (private range)'],
    ['unspecified', 'http://0.0.0.0/', '0.0.0.0 (unspecified range)'],
    ['broadcast', 'http://255.255.255.255/', '255.255.255.255 (broadcast range)'],
  ])('a redirect to %s is refused as blocked_address, naming address and range', { timeout: 60_000 }, async (_name, location, named) => {
    const hop = await startServer((_req, res) => res.writeHead(302, { location }).end());
    cleanup.push(hop.close);
    const err = await fetchError(hop.url('/start'));
    expect(err.code).toBe('blocked_address');
    expect(err.message).toContain(named);
  });

  it('a DNS name that resolves to a private address is still refused at connect (no connection)', { timeout: 60_000 }, async () => {
    const hop = await startServer((_req, res) => res.writeHead(200).end('<rss/>'));
    cleanup.push(hop.close);
    const err = await fetchError(hop.url('/feed').replace('127.0.0.1', 'localhost'), '');
    expect(err.code).toBe('blocked_address');
    expect(err.message).toMatch(/localhost resolves to .*127\.0\.0\.1 \(loopback range\).*not a public address/);
    expect(hop.requests).toHaveLength(0);
  });

  it('the allow-list still lets its addresses through (the tests\' 127.0.0.1)', { timeout: 60_000 }, async () => {
    const hop = await startServer((_req, res) => res.writeHead(200).end('<rss/>'));
    cleanup.push(hop.close);
    const agent = createGuardedAgent({ allowPrivate: parseAllowList('127.0.0.1'), connectTimeoutMs: 1000 });
    cleanup.push(() => agent.close());
    const res = await fetchFeed({ url: hop.url('/feed'), userAgent: 'test', maxBytes: 1 << 20, timeoutMs: 5000, dispatcher: agent });
    expect(res.status).toBe(200);
  });

  it('a poll redirected to a listening port outside the allow-list fails blocked_address without connecting', { timeout: 60_000 }, async () => {
    const recorder = await connectionRecorder();
    cleanup.push(recorder.close);
    const hop = await startServer((_req, res) => res.writeHead(301, { location: `http://2130706434:${recorder.port}/feed` }).end());
    cleanup.push(hop.close);
    await withPipeline([source('scan', hop.url('/feed'))], async (p) => {
      const [r] = await p.once();
      expect(r).toMatchObject({ outcome: 'failed', code: 'blocked_address' });
      expect(r!.error).toContain('127.0.0.2 (loopback range)');
    });
    expect(recorder.connections).toHaveLength(0);
  });
});

// Gaps found when the closing note was checked: 6to4 and Teredo had unit tests only, no test read the short,
// octal and hex IPv4 spellings through the fetch path, and `sources add` was never shown to refuse a literal.
describe('more spellings of loopback, through the real fetch path', () => {
  it.each([
    ['6to4 of 127.0.0.1', 'http://[2002:7f00:1::]/feed', '2002:7f00:1:: (6to4 range, reaches 127.0.0.1)'],
    ['6to4 of 127.0.0.1 with an interface id', 'http://[2002:7f00:1:0:0:0:7f00:1]:8080/feed', '2002:7f00:1::7f00:1 (6to4 range, reaches 127.0.0.1)'],
    ['Teredo whose client is 127.0.0.1', 'http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/feed', '2001:0:4136:e378:8000:63bf:80ff:fffe (teredo range)'],
    ['Teredo whose server is 127.0.0.1', 'http://[2001:0:7f00:1::1]/feed', '2001:0:7f00:1::1 (teredo range)'],
  ])('a redirect to %s is refused before any connection', { timeout: 60_000 }, async (_name, location, named) => {
    const hop = await startServer((_req, res) => res.writeHead(302, { location }).end());
    cleanup.push(hop.close);
    const err = await fetchError(hop.url('/start'));
    expect(hop.requests).toHaveLength(1);
    expect(err.code).toBe('blocked_address');
    expect(err.message).toContain(named);
    expect(err.message).toContain('no connection was made');
  });

  // The redirecting server sits on 127.0.0.2, the only allowed address here; the port listens on 127.0.0.1.
  it.each([
    ['short form 127.1', (port: number) => `http://127.1:${port}/feed`],
    ['three parts 127.0.1', (port: number) => `http://127.0.1:${port}/feed`],
    ['hex short form 0x7f.1', (port: number) => `http://0x7f.1:${port}/feed`],
    ['one octal number 017700000001', (port: number) => `http://017700000001:${port}/feed`],
    ['one decimal number 2130706433', (port: number) => `http://2130706433:${port}/feed`],
    ['one hex number 0x7f000001', (port: number) => `http://0x7f000001:${port}/feed`],
    ['octal parts 0177.0.0.01', (port: number) => `http://0177.0.0.01:${port}/feed`],
    ['upper-case hex 0X7F.0X0.0X0.0X1', (port: number) => `http://0X7F.0X0.0X0.0X1:${port}/feed`],
  ])('a redirect to the %s literal is read as 127.0.0.1 and refused without a connection', { timeout: 60_000 }, async (_name, target) => {
    const recorder = await connectionRecorder('127.0.0.1');
    cleanup.push(recorder.close);
    const location = target(recorder.port);
    const hits: string[] = [];
    const hop = createHttpServer((req, res) => {
      hits.push(req.url ?? '');
      res.writeHead(302, { location }).end();
    });
    await new Promise<void>((resolve) => hop.listen(0, '127.0.0.2', resolve));
    cleanup.push(() => new Promise((resolve) => {
      hop.closeAllConnections();
      hop.close(() => resolve());
    }));
    const err = await fetchError(`http://127.0.0.2:${(hop.address() as { port: number }).port}/start`, '127.0.0.2');
    expect(hits).toEqual(['/start']);
    expect(recorder.connections).toHaveLength(0);
    expect(err.code).toBe('blocked_address');
    expect(err.message).toContain('127.0.0.1 (loopback range)');
    expect(err.message).toContain('no connection was made');
  });
});

describe('sources add never writes a non-public literal into the sources file', () => {
  const add = (args: string[], target: string) =>
    exec(process.execPath, ['bin/signal-desk.js', 'sources', 'add', ...args], { env: { ...process.env, SIGNAL_DESK_ALLOW_PRIVATE: '127.0.0.1', SIGNAL_DESK_SOURCES: target }, timeout: 30_000 }).then(
      (r) => ({ code: 0, ...r }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
    );

  it('refuses a literal given on the command line and one a page announces, connecting to neither; the file is untouched', { timeout: 90_000 }, async () => {
    const recorder = await connectionRecorder();
    cleanup.push(recorder.close);
    const feed = `<?xml version="1.0"?><rss version="2.0"><channel><title>Good feed</title><link>https://good.example/</link><item><title>One</title><guid>1</guid></item></channel></rss>`;
    // An allowed site whose page announces a feed on a literal outside the allow-list, and a good feed.
    const site = await startServer((req, res) => {
      if (req.url === '/good.xml') return res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(feed);
      if (req.url !== '/') return res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'text/html' }).end(`<html><head><link rel="alternate" type="application/rss+xml" href="http://[::ffff:127.0.0.2]:${recorder.port}/feed"></head><body></body></html>`);
    });
    cleanup.push(site.close);
    const dir = mkdtempSync(join(tmpdir(), 'sd-ssrf-'));
    const target = join(dir, 'sources.yaml');
    const before = 'sources:\n  # kept as is\n  - id: first\n    name: First\n    url: https://first.example/feed\n';
    writeFileSync(target, before);

    for (const url of ['http://169.254.169.254/latest/meta-data/', `http://[::127.0.0.2]:${recorder.port}/feed`, `http://0x7f.0.0.2:${recorder.port}/feed`]) {
      const r = await add([url], target);
      expect(r.code, `${url}: ${r.stdout}${r.stderr}`).not.toBe(0);
      expect(r.stderr, url).toMatch(/is not a public address; no connection was made/);
      expect(readFileSync(target, 'utf8'), url).toBe(before);
    }
    const announced = await add([site.url('/')], target);
    expect(announced.code, announced.stdout + announced.stderr).not.toBe(0);
    expect(announced.stderr).toContain('(ipv4Mapped of loopback range, reaches 127.0.0.2) is not a public address; no connection was made');
    expect(readFileSync(target, 'utf8')).toBe(before);
    expect(recorder.connections).toHaveLength(0);

    // The control: an allowed address is written, with the file's comment kept.
    const good = await add([site.url('/good.xml')], target);
    expect(good.code, good.stdout + good.stderr).toBe(0);
    expect(readFileSync(target, 'utf8')).toContain(site.url('/good.xml'));
    expect(readFileSync(target, 'utf8')).toContain('# kept as is');
  });
});

describe('sources validate refuses non-public IP literals with a located error', () => {
  const yaml = (urls: [string, string][]) => `sources:\n${urls.map(([id, url]) => `  - id: ${id}\n    name: ${id}\n    url: ${url}\n`).join('')}`;
  const urls: [string, string][] = [
    ['metadata', 'http://169.254.169.254/latest/meta-data/'],
    ['nat64', 'http://[64:ff9b::a9fe:a9fe]/feed'],
    ['compat', 'http://[::127.0.0.1]/feed'],
    ['translated', 'http://[::ffff:0:7f00:1]/feed'],
    ['mapped', 'http://[::ffff:127.0.0.1]/feed'],
    ['decimal', 'http://2130706433/feed'],
    ['hex', 'http://0x7f.1/feed'],
    ['public', 'https://93.184.216.34/feed'],
    ['named', 'https://feeds.example.com/feed'],
  ];
  const cli = (file: string, allow: string) =>
    exec(process.execPath, ['bin/signal-desk.js', 'sources', 'validate', file], { env: { ...process.env, SIGNAL_DESK_ALLOW_PRIVATE: allow } }).then(
      (r) => ({ code: 0, ...r }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
    );

  it('names file, line, source id and field url for each; public addresses and names pass', { timeout: 60_000 }, async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'sd-ssrf-')), 'sources.yaml');
    writeFileSync(file, yaml(urls));
    const r = await cli(file, '');
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines.slice(0, -1).map((l) => /^(.+?):(\d+): source "([^"]+)" field "url": .* points at (.+?), which is not a public address/.exec(l)?.slice(1))).toEqual([
      [file, '4', 'metadata', '169.254.169.254 (linkLocal range)'],
      [file, '7', 'nat64', '64:ff9b::a9fe:a9fe (rfc6052 range, reaches 169.254.169.254)'],
      [file, '10', 'compat', '::7f00:1 (ipv4Compatible range, reaches 127.0.0.1)'],
      [file, '13', 'translated', '::ffff:0:7f00:1 (rfc6145 range, reaches 127.0.0.1)'],
      [file, '16', 'mapped', '::ffff:7f00:1 (ipv4Mapped of loopback range, reaches 127.0.0.1)'],
      [file, '19', 'decimal', '127.0.0.1 (loopback range)'],
      [file, '22', 'hex', '127.0.0.1 (loopback range)'],
    ]);
    expect(lines.at(-1)).toBe('7 problems: the file is refused until all are fixed');
  });

  it('SIGNAL_DESK_ALLOW_PRIVATE lets its addresses through, in every spelling, and nothing else', { timeout: 60_000 }, async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'sd-ssrf-')), 'sources.yaml');
    writeFileSync(file, yaml(urls));
    const r = await cli(file, '127.0.0.1');
    expect(r.code).toBe(1);
    expect(r.stderr).not.toMatch(/source "(mapped|decimal|hex)"/);
    expect(r.stderr).toContain('4 problems');
  });
});

describe('sources import never writes a non-public literal into the sources file', () => {
  it('skips it with the reason and imports the rest; the file still validates', { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sd-ssrf-'));
    const opml = join(dir, 'feeds.opml');
    const target = join(dir, 'sources.yaml');
    writeFileSync(opml, `<?xml version="1.0"?><opml version="2.0"><head><title>x</title></head><body>
      <outline type="rss" text="Metadata" xmlUrl="http://169.254.169.254/latest/meta-data/"/>
      <outline type="rss" text="Compat" xmlUrl="http://[::127.0.0.1]/feed"/>
      <outline type="rss" text="Good" xmlUrl="https://good.example/feed"/>
    </body></opml>`);
    const env = { ...process.env, SIGNAL_DESK_ALLOW_PRIVATE: '', SIGNAL_DESK_SOURCES: target };
    const r = await exec(process.execPath, ['bin/signal-desk.js', 'sources', 'import', opml], { env });
    expect(r.stdout).toContain('imported 1 source');
    expect(r.stdout).toContain('skipped 2:');
    expect(r.stdout).toContain('Metadata: http://169.254.169.254/latest/meta-data/ points at 169.254.169.254 (linkLocal range)');
    expect(r.stdout).toContain('Compat: http://[::7f00:1]/feed points at ::7f00:1 (ipv4Compatible range, reaches 127.0.0.1)');
    const validate = await exec(process.execPath, ['bin/signal-desk.js', 'sources', 'validate', target], { env });
    expect(validate.stdout).toContain('1 sources, 1 enabled, no problems');
  });
});
