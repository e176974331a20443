import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.ts';
import { appendSources } from '../../src/config/editSources.ts';
import { createRedis } from '../../src/queue/connection.ts';
import { POLL_QUEUE } from '../../src/queue/jobs.ts';
import { createKeys } from '../../src/queue/keys.ts';
import { runSourceAction } from '../../src/sources/sourceActions.ts';
import { importCommand } from '../../src/cli/commands/onboard.ts';
import { loadSources } from '../../src/config/loadSources.ts';
import { parseOpml } from '../../src/config/opml.ts';
import { readSourceActions } from '../../src/sources/sourceAudit.ts';
import { withDesk, type DeskHarness } from '../helpers/desk.ts';
import { dropPrefix, testPrefix, testSettings } from '../helpers/redis.ts';
import { raw } from './deskHttp.ts';

/**
 * Issue 11, items 6 and 8, attacked from outside: the new operator routes however their path is spelled,
 * hostile source ids, a sources file that is invalid when the action comes, and OPML built to be slow.
 */

const FILE = '# keep\nsources:\n  - { id: alpha, name: Alpha, url: "https://alpha.example/feed" }\n';

function sourcesFile(text = FILE): string {
  const file = join(mkdtempSync(join(tmpdir(), 'sd-attack11-')), 'sources.yaml');
  writeFileSync(file, text);
  return file;
}

const enc = (s: string) => [...s].map((c) => `%${c.charCodeAt(0).toString(16)}`).join('');

/** The path spelled the ways a router, a proxy or a browser might read differently. */
function spellings(path: string): string[] {
  const segs = path.split('/').slice(1);
  const at = (i: number, f: (s: string) => string) => `/${segs.map((s, j) => (j === i ? f(s) : s)).join('/')}`;
  const out = [path];
  for (let i = 0; i < segs.length; i++) out.push(at(i, enc), at(i, (s) => `${enc(s[0]!).toUpperCase()}${s.slice(1)}`));
  out.push(
    `/${path}`,
    `/${segs[0]}//${segs.slice(1).join('/')}`,
    `/${segs[0]}/./${segs.slice(1).join('/')}`,
    `/${segs[0]}/x/../${segs.slice(1).join('/')}`,
    `/x/%2e%2e${path}`,
    `/${segs[0]}%2F${segs.slice(1).join('/')}`,
    path.toUpperCase(),
    `/${segs.map((s) => s.charAt(0).toUpperCase() + s.slice(1)).join('/')}`,
    `${path}/`,
    `${path};x=1`,
    `${path}?x=1`,
    `${path}%00`,
  );
  return out;
}

const TARGETS: [string, string][] = [
  ['POST', '/api/sources/alpha/poll'],
  ['POST', '/api/sources/alpha/pause'],
  ['POST', '/api/sources/alpha/disable'],
  ['POST', '/api/sources/alpha/enable'],
  ['POST', '/api/sources/alpha/resume'],
  ['DELETE', '/api/sources/alpha'],
  ['GET', '/api/sources/actions'],
  ['POST', '/sources/alpha/pause'],
  ['POST', '/sources/alpha/disable'],
  ['POST', '/sources/alpha/remove'],
];

async function sessionOf(h: DeskHarness, token: string): Promise<{ cookie: string; csrf: string }> {
  const res = await fetch(`${h.url}/login`, { method: 'POST', body: new URLSearchParams({ token, next: '/sources' }), redirect: 'manual' });
  const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
  const page = await (await fetch(`${h.url}/sources`, { headers: { cookie } })).text();
  return { cookie, csrf: /<meta name="csrf-token" content="([^"]+)">/.exec(page)![1]! };
}

describe('the source action routes, however their path is spelled', () => {
  it('answer 401/403/404/405 to no credentials, a viewer (token and session with CSRF) and an editor, and change nothing', { timeout: 120_000 }, async () => {
    const file = sourcesFile();
    await withDesk(
      async (h) => {
        const viewer = await sessionOf(h, h.tokens.viewer);
        const creds: [string, Record<string, string>, string][] = [
          ['no credentials', {}, ''],
          ['viewer token', { authorization: `Bearer ${h.tokens.viewer}` }, ''],
          ['editor token', { authorization: `Bearer ${h.tokens.editor}` }, ''],
          ['viewer session', { cookie: viewer.cookie }, `_csrf=${viewer.csrf}&confirm=yes`],
        ];
        const failures: string[] = [];
        let sent = 0;
        for (const [method, path] of TARGETS) {
          for (const spelled of spellings(path)) {
            for (const [who, headers, form] of creds) {
              const res = await raw(h.url, { method, path: spelled, headers: { ...headers, ...(method === 'GET' ? {} : { 'content-type': 'application/x-www-form-urlencoded' }) }, body: method === 'GET' ? undefined : form });
              sent++;
              if (![400, 401, 403, 404, 405].includes(res.status)) failures.push(`${method} ${spelled} as ${who} → ${res.status} ${res.text.slice(0, 80)}`);
            }
          }
        }
        expect(failures).toEqual([]);
        expect(sent).toBeGreaterThan(600);
        expect(readFileSync(file, 'utf8')).toBe(FILE);
        expect(await h.redis.hgetall(h.keys.sourceState('alpha'))).toEqual({});
        expect(await readSourceActions(h.redis, h.keys)).toEqual([]);
        // The spellings do reach the routes: an operator gets through the guard with one of them.
        const through = await raw(h.url, { method: 'POST', path: '/api/sources/alpha/%70ause', headers: { authorization: `Bearer ${h.tokens.operator}` } });
        expect(through.status).toBe(200);
        expect(await h.redis.hget(h.keys.sourceState('alpha'), 'pausedBy')).toBe('operator');
      },
      { SIGNAL_DESK_SOURCES: file },
    );
  });
});

describe('hostile source ids and a file that turned invalid', () => {
  it('a 5,000-character id, __proto__, a zero-width or fullwidth look-alike of a real id: 404, nothing written, the audit entry capped', async () => {
    const file = sourcesFile();
    await withDesk(
      async (h) => {
        const op = { authorization: `Bearer ${h.tokens.operator}` };
        for (const id of ['a'.repeat(5000), '__proto__', 'constructor', 'al\u200bpha', '\uff41lpha', 'ALPHA', 'alpha\u202e', '..%2F..%2Fetc']) {
          for (const action of ['disable', 'pause', 'poll']) {
            const res = await raw(h.url, { method: 'POST', path: `/api/sources/${encodeURIComponent(id)}/${action}`, headers: op });
            expect([404, 414, 400], `${action} ${id.slice(0, 20)}`).toContain(res.status);
          }
        }
        expect(readFileSync(file, 'utf8')).toBe(FILE);
        expect(await h.redis.hgetall(h.keys.sourceState('alpha'))).toEqual({});
        const audit = await readSourceActions(h.redis, h.keys, 100);
        expect(audit.length).toBeGreaterThan(0);
        expect(audit.every((e) => e.result === 'refused' && e.sourceId.length <= 100 && e.message.length <= 500)).toBe(true);
      },
      { SIGNAL_DESK_SOURCES: file },
    );
  });

  it('a sources file made invalid by hand before the action: disable is refused naming the problem, the file left as the operator wrote it', async () => {
    const broken = `${FILE}  - { id: beta, name: Beta, url: "ftp://beta.example/feed" }\n`;
    const file = sourcesFile(broken);
    await withDesk(
      async (h) => {
        const res = await h.api('POST', '/api/sources/alpha/disable', { token: h.tokens.operator });
        expect(res.status).toBe(409);
        expect(res.body.message).toContain('cannot be read as it is');
        expect(res.body.message).toContain('must use http or https');
        expect(readFileSync(file, 'utf8')).toBe(broken);
      },
      { SIGNAL_DESK_SOURCES: file },
    );
  });
});

describe('edits at the same time', () => {
  it('ten operators disabling ten sources at once, and a sources add meanwhile: every edit lands (they overwrote each other: 1 of 10)', async () => {
    const file = sourcesFile(`# keep\nsources:\n${Array.from({ length: 10 }, (_, i) => `  - { id: s${i}, name: S${i}, url: "https://s${i}.example/feed" }\n`).join('')}`);
    const settings = testSettings(testPrefix(), { SIGNAL_DESK_SOURCES: file });
    const redis = createRedis(settings.redisUrl);
    const queue = new Queue(POLL_QUEUE, { connection: redis, prefix: settings.prefix });
    try {
      const deps = { redis, keys: createKeys(settings.prefix), queue, settings, clock: systemClock };
      const results = await Promise.all([
        ...Array.from({ length: 10 }, (_, i) => runSourceAction(deps, { name: `op${i}`, role: 'operator' }, 'api', 'disable', `s${i}`)),
        appendSources(file, [{ id: 'added', name: 'Added', url: 'https://added.example/feed' }], settings),
      ]);
      expect(results.slice(0, 10).every((r) => (r as { result: string }).result === 'done')).toBe(true);
      const sources = await loadSources(file);
      expect(sources.filter((s) => !s.enabled).map((s) => s.id)).toEqual(Array.from({ length: 10 }, (_, i) => `s${i}`));
      expect(sources.map((s) => s.id)).toContain('added');
      expect(readFileSync(file, 'utf8')).toMatch(/^# keep\n/);
      expect(existsSync(`${file}.lock`)).toBe(false);
    } finally {
      await queue.close();
      await redis.quit();
      await dropPrefix(settings.prefix);
    }
  });
});

describe('OPML built to be slow', () => {
  it('outlines nested 50,000 deep are refused at once with the place (the parse was quadratic: 18 s for 20,000)', () => {
    const n = 50_000;
    const text = `<opml version="2.0"><body>${'<outline text="f">'.repeat(n)}<outline text="x" xmlUrl="https://a.example/f"/>${'</outline>'.repeat(n)}</body></opml>`;
    expect(() => parseOpml(text)).toThrow(/^line 1, column \d+: outlines nested deeper than 100 levels$/);
  });

  it('20,000 subscriptions with one title import with unique ids (naming them was quadratic: 78 s)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sd-attack11-'));
    const opml = join(dir, 'many.opml');
    writeFileSync(opml, `<opml version="2.0"><body>${Array.from({ length: 20_000 }, (_, i) => `<outline text="Same" xmlUrl="https://same.example/feed${i}"/>`).join('')}</body></opml>`);
    const target = sourcesFile('sources: []\n');
    let report = '';
    await importCommand(testSettings(testPrefix(), { SIGNAL_DESK_SOURCES: target, SIGNAL_DESK_SOURCES_MAX_BYTES: String(20 * 1024 * 1024) }), opml, {}, { write: (t: string) => ((report += t), true) } as unknown as NodeJS.WritableStream);
    expect(report).toMatch(/^imported 20000 sources into /);
    const ids = (await loadSources(target, testSettings(testPrefix(), { SIGNAL_DESK_SOURCES_MAX_BYTES: String(20 * 1024 * 1024) }))).map((s) => s.id);
    expect(new Set(ids).size).toBe(20_000);
    expect(ids.slice(0, 3)).toEqual(['same', 'same-2', 'same-3']);
  });

  it('5,000-character attribute values and look-alike namespaces: values are validated, a prefix bound to another URI is not ours', () => {
    const long = 'x'.repeat(5000);
    const { entries, skipped } = parseOpml(`<opml version="2.0" xmlns:sd="https://evil.example/opml" xmlns:ok="https://signal-desk.dev/opml"><body>
      <outline text="${long}" xmlUrl="https://a.example/feed" sd:kind="html" sd:schedule='{"every":"1m"}'/>
      <outline text="Ours" xmlUrl="https://b.example/feed" ok:kind="rdf" ok:schedule='${JSON.stringify({ every: long })}'/>
    </body></opml>`);
    expect(skipped).toEqual([]);
    expect(entries[0]!.fields).toEqual({}); // sd: is bound to another namespace here: ignored
    expect(entries[1]!.fields).toEqual({ kind: 'rdf', schedule: { every: long } }); // validated by the schema at import
  });
});
