import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rss, startServer, type TestServer } from '../helpers/httpServer.ts';
import { dropPrefix, REDIS_URL, testPrefix } from '../helpers/redis.ts';
import { writeSourcesFile } from '../helpers/workerProcess.ts';

const run = promisify(execFile);
const prefix = testPrefix();
let server: TestServer;
let file: string;

beforeAll(async () => {
  server = await startServer((req, res) => {
    if (req.url === '/gone') return res.writeHead(410).end();
    if (req.url === '/robots.txt') return res.writeHead(404).end();
    if (req.url === '/listing') return res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body><div class="post"><h3><a href="/p/1">Listing story one</a></h3></div><div class="post"><h3><a href="/p/2">Listing story two</a></h3></div></body></html>');
    res.writeHead(200, { etag: '"e1"' }).end(rss([{ guid: 'x1', title: 'First <b>story</b>', link: 'https://pub.example/x1' }, { guid: 'x2', title: 'Second story', link: 'https://pub.example/x2' }]));
  });
  file = writeSourcesFile([{ id: 'good', url: server.url('/feed') }, { id: 'gone', url: server.url('/gone') }]);
});
afterAll(async () => {
  await server.close();
  await dropPrefix(prefix);
});

const cli = (args: string[]) =>
  run(process.execPath, ['bin/signal-desk.js', ...args], {
    env: { ...process.env, REDIS_URL, SIGNAL_DESK_PREFIX: prefix, SIGNAL_DESK_ALLOW_PRIVATE: '127.0.0.1', SIGNAL_DESK_LOG_LEVEL: 'silent' },
  }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );

describe('CLI against a local publisher', () => {
  it('sources test previews what a listing page source extracts', async () => {
    const { writeFileSync } = await import('node:fs');
    const listingFile = writeSourcesFile([]);
    writeFileSync(listingFile, `sources:\n  - id: wire\n    name: Wire\n    url: ${server.url('/listing')}\n    kind: html\n    selectors: { item: "div.post", title: "h3" }\n`);
    const r = await cli(['sources', 'test', 'wire', '--sources', listingFile]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('html');
    expect(r.stdout).toContain('Listing story one');
    expect(r.stdout).toContain('Listing story two');
  });

  it('sources test shows the would-be drafts and writes nothing to Redis', async () => {
    const r = await cli(['sources', 'test', 'good', '--sources', file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('rss 2.0');
    expect(r.stdout).toContain('First story');
    expect(r.stdout).toContain('(dry run: nothing was written)');
    const redis = new Redis(REDIS_URL);
    expect(await redis.keys(`${prefix}*`)).toEqual([]);
    await redis.quit();
  });

  it('sources test reports a failing source with its outcome and exits 1', async () => {
    const r = await cli(['sources', 'test', 'gone', '--sources', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('gone: permanent (gone): HTTP 410 Gone');
  });

  it('run --once prints progress and a summary table, and exits 1 because one source failed', async () => {
    const r = await cli(['run', '--once', '--sources', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/\[\d\/2\] good: ok, 2 new/);
    expect(r.stdout).toMatch(/^source\s+outcome\s+new\s+duplicates\s+related\s+enriched\s+stories\s+dropped\s+skipped\s+error$/m);
    expect(r.stdout).toMatch(/^good\s+ok\s+2\s+0\s+0\s+\d\/2\b/m);
    expect(r.stdout).toMatch(/^gone\s+failed \(gone\)\s+0\s+0\s+0\s+HTTP 410 Gone/m);
    expect(r.stdout).toContain('2 sources, 2 new drafts, 1 failed');
    const list = await cli(['review', 'list', '--json']);
    expect(JSON.parse(list.stdout).map((d: { headline: string }) => d.headline).sort()).toEqual(['First story', 'Second story']);
  });
});
