import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { rss, startServer, type TestServer } from '../helpers/httpServer.ts';
import { source, withPipeline } from '../helpers/pipeline.ts';

// Issue 8, case 4: one reference to a character XML 1.0 forbids (§2.2) made the strict parser refuse the
// whole feed (malformed_xml, 0 items), while the same characters sent raw were stripped.
const run = promisify(execFile);
const FORBIDDEN = ['&#0;', '&#1;', '&#27;', '&#x1F;', '&#xFFFE;', '&#xFFFF;', '&#xD800;', '&#xDFFF;', '&#x110000;', '&#1114112;'];

const feedWith = (ref: string) =>
  rss([
    { guid: 'a', title: `Budget ${ref}talks resume`, link: 'https://news.example/a' },
    { guid: 'b', title: 'Second story', link: 'https://news.example/b' },
  ]);

let servers: TestServer[] = [];
afterEach(async () => {
  for (const s of servers) await s.close();
  servers = [];
});

describe('a forbidden character reference drops that character, never the feed', () => {
  it.each(FORBIDDEN)('signal-desk parse --json keeps both items with %s in a title', async (ref) => {
    const dir = mkdtempSync(join(tmpdir(), 'sd-parse-'));
    const file = join(dir, 'feed.xml');
    writeFileSync(file, feedWith(ref));
    const { stdout } = await run(process.execPath, ['bin/signal-desk.js', 'parse', '--json', file]);
    const line = JSON.parse(stdout);
    expect(line.error).toBeNull();
    expect(line.ok).toBe(true);
    expect(line.items.map((i: { title: string }) => i.title)).toEqual(['Budget talks resume', 'Second story']);
  }, 60_000);

  it('a poll of a feed with every forbidden reference makes a draft of each item', { timeout: 60_000 }, async () => {
    const body = rss([
      { guid: 'a', title: `Budget ${FORBIDDEN.join('')}talks resume`, link: 'https://news.example/a' },
      { guid: 'b', title: 'Second story', link: 'https://news.example/b' },
    ]);
    const server = await startServer((_req, res) => res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(body));
    servers.push(server);
    await withPipeline([source('refs', server.url('/feed.xml'))], async (p) => {
      const [summary] = await p.once();
      expect(summary).toMatchObject({ sourceId: 'refs', outcome: 'ok', newDrafts: 2 });
      const titles = (await p.drafts()).map((d) => d.headline).sort();
      expect(titles).toEqual(['Budget talks resume', 'Second story']);
    });
  });
});
