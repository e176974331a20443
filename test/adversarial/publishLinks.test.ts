import { describe, expect, it } from 'vitest';
import { draftId } from '../../src/drafts/toDraft.ts';
import { runOnce } from '../../src/queue/runOnce.ts';
import { startRuntime } from '../../workers/runtime.ts';
import { EDITORIAL, withDesk, type DeskHarness } from '../helpers/desk.ts';
import { startServer } from '../helpers/httpServer.ts';
import { source as feedSource } from '../helpers/pipeline.ts';

// Issue 8, item 9: `javascript:` (and other non-http) links planted in a draft reached /signals.atom and
// /signals.json. Links are http(s) at every boundary; a bad one is dropped, the item kept without it.

/** Headlines of unrelated events: each planted item is its own story (similar headlines would make one story, whose approval merges the rest). */
const UNRELATED = [
  'Harbour authority approves deeper shipping channel',
  'Orchestra cancels winter tour after funding cut',
  'Glacier retreat measured at record pace in Alps',
  'Chess federation changes tiebreak rules for finals',
  'Bakery chain recalls bread over allergen labelling',
  'Volcano observatory raises alert level on island',
  'Library system ends late fees for children',
];

const HOSTILE: [string, string][] = [
  ['javascript:', 'javascript:alert(document.cookie)'],
  ['data:', 'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=='],
  ['upper case', 'JAVASCRIPT:alert(1)'],
  ['leading space', ' javascript:alert(1)'],
  ['tab inside the scheme', 'java\tscript:alert(1)'],
  ['vbscript:', 'vbscript:msgbox(1)'],
  ['file:', 'file:///etc/passwd'],
];

async function until<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Every link-like value in a parsed JSON document (keys that name links, and any string with a scheme). */
function linksIn(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((v) => linksIn(v, out));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (typeof v === 'string' && /^(link|url|external_url|home_page_url|feed_url)$/.test(k)) out.push(v);
      else linksIn(v, out);
    }
  }
  return out;
}

/** No scheme but http(s) anywhere in a published text, however it is spelled. */
function expectNoHostileScheme(text: string, where: string): void {
  // eslint-disable-next-line no-control-regex
  const squeezed = text.toLowerCase().replace(/[\s\u0000-\u001f]|\\t|\\n|&#9;|&#x9;/g, '');
  for (const scheme of ['javascript:', 'vbscript:', 'data:text', 'file:']) expect(squeezed, `${where} carries ${scheme}`).not.toContain(scheme);
}

async function approve(h: DeskHarness, id: string): Promise<void> {
  const got = await h.api('GET', `/api/drafts/${id}`, { token: h.tokens.editor });
  expect(got.status, `GET ${id}: ${got.text}`).toBe(200);
  const edited = await h.api('PATCH', `/api/drafts/${id}`, { token: h.tokens.editor, body: { version: got.body.version, ...EDITORIAL } });
  expect(edited.status, edited.text).toBe(200);
  const approved = await h.api('POST', `/api/drafts/${id}/approve`, { token: h.tokens.editor, body: { version: edited.body.version } });
  expect(approved.status, approved.text).toBe(200);
}

describe('links are http(s) at every boundary (issue 8, item 9)', () => {
  it('a hostile link planted through a real ingest job or a direct draft write never reaches a feed, the API or the webhook', { timeout: 120_000 }, async () => {
    const deliveries: string[] = [];
    const receiver = await startServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        deliveries.push(body);
        res.writeHead(204).end();
      });
    });
    try {
      await withDesk(
        async (h) => {
          const runtime = await startRuntime(h.settings, []);
          try {
            const source = { id: 'planted', name: 'Planted', url: 'https://planted.example/feed', weight: 0.5, tags: [] };
            const ids: string[] = [];

            // 1. Through the queue: a real ingest job (as a forged /admin/queues ingest/add would plant it).
            for (const [i, [, link]] of HOSTILE.entries()) {
              const key = `queued-${i}`;
              await runtime.ctx.queues.ingest.add('ingest', {
                source,
                discoveredAt: new Date(h.clock.now()).toISOString(),
                items: [{ key, guid: key, url: link, title: UNRELATED[i]!, author: null, publishedAt: null, updatedAt: null, categories: [], summary: null, itemHash: `ih-${key}`, urlHash: null }],
              });
              ids.push(draftId(source.id, key));
            }
            for (const id of ids) {
              const raw = await until(`draft ${id}`, async () => (await h.redis.get(h.keys.draft(id))) ?? undefined);
              expect(JSON.parse(raw).link, 'the draft keeps the item, without its link').toBeNull();
            }

            // 2. A draft record written straight into Redis, with hostile links in the link and in related coverage.
            const seeded = await h.seed(HOSTILE.map((_, i) => ({ title: `Written item ${i}` })));
            for (const [i, id] of seeded.entries()) {
              const record = JSON.parse((await h.redis.get(h.keys.draft(id)))!);
              record.link = HOSTILE[i]![1];
              record.related = [{ draftId: 'd_AAAAAAAAAAAAAAAA', headline: 'Other coverage', sourceName: 'Other', link: HOSTILE[(i + 1) % HOSTILE.length]![1] }];
              await h.redis.set(h.keys.draft(id), JSON.stringify(record));
              const view = await h.api('GET', `/api/drafts/${id}`, { token: h.tokens.editor });
              expect(view.body.link).toBeNull();
              expect(view.body.related[0].link).toBeNull();
              ids.push(id);
            }

            for (const id of ids) await approve(h, id);

            const atom = await h.api('GET', '/signals.atom');
            const json = await h.api('GET', '/signals.json');
            const api = await h.api('GET', '/api/signals?limit=100', { token: h.tokens.viewer });
            expect([atom.status, json.status, api.status]).toEqual([200, 200, 200]);
            expect(json.body.items).toHaveLength(ids.length);
            expect(api.body.signals).toHaveLength(ids.length);
            await until('every webhook delivery', async () => deliveries.length >= ids.length);

            const hrefs = [...atom.text.matchAll(/href="([^"]*)"/g)].map((m) => m[1]!);
            expect(hrefs.length).toBeGreaterThan(0);
            for (const href of hrefs) expect(href, 'atom href').toMatch(/^https?:\/\//);
            for (const link of [...linksIn(json.body), ...linksIn(api.body), ...deliveries.flatMap((d) => linksIn(JSON.parse(d)))]) {
              if (link !== '') expect(link).toMatch(/^https?:\/\//);
            }
            for (const item of json.body.items) expect(item).not.toHaveProperty('external_url');
            expectNoHostileScheme(atom.text, '/signals.atom');
            expectNoHostileScheme(json.text, '/signals.json');
            expectNoHostileScheme(api.text, '/api/signals');
            deliveries.forEach((d, i) => expectNoHostileScheme(d, `webhook delivery ${i}`));
          } finally {
            await runtime.stop();
          }
        },
        { SIGNAL_DESK_WEBHOOK_URL: receiver.url('/hook'), SIGNAL_DESK_WEBHOOK_SECRET: 'test-secret-0123456789abcdef', SIGNAL_DESK_BACKOFF_MS: '50' },
      );
    } finally {
      await receiver.close();
    }
  });
});

// Issue 8, item 15 (bidi half): bidi override, embedding and isolate controls, and the LRM/RLM/ALM marks,
// never reach a draft, a signal, a feed or a page, whether a feed or an editor sent them.
const BIDI = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/u;

describe('bidi controls are removed (issue 8, item 15)', () => {
  it('from a parsed feed item and from a desk edit, before anything is stored or published', { timeout: 120_000 }, async () => {
    const feed = `<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><link>https://bidi.example/</link>
      <item><title>Chip maker \u202Ecod.exe\u202C wins &#x202E;contract&#8236; and &#x2066;more&#x2069;</title><link>https://bidi.example/a</link><guid>a</guid>
        <category>\u202Bsemis\u202C</category><description>Short &#x200F;description\u061C with \u200Emarks.</description></item>
    </channel></rss>`;
    const server = await startServer((_req, res) => res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(feed));
    try {
      await withDesk(async (h) => {
        const src = feedSource('bidi', server.url('/feed'));
        const runtime = await startRuntime(h.settings, [src]);
        try {
          const [summary] = await runOnce(runtime.ctx, [src]);
          const list = await h.api('GET', '/api/drafts', { token: h.tokens.editor });
          expect(list.body.drafts, JSON.stringify(summary)).toHaveLength(1);
          const id: string = list.body.drafts[0].id;
          const draft = await h.api('GET', `/api/drafts/${id}`, { token: h.tokens.editor });
          expect(draft.body.headline).toBe('Chip maker cod.exe wins contract and more');
          expect(draft.text).not.toMatch(BIDI);

          const edited = await h.api('PATCH', `/api/drafts/${id}`, {
            token: h.tokens.editor,
            body: { version: draft.body.version, ...EDITORIAL, headline: 'Chip maker \u202Ewins\u202C a \u2067contract\u2069', whyNow: 'Because \u202Dnow\u202C.', tags: ['\u202Echips'], winners: ['\u200Fthe \u061Cfab'] },
          });
          expect(edited.status, edited.text).toBe(200);
          expect(edited.body).toMatchObject({ headline: 'Chip maker wins a contract', whyNow: 'Because now.', tags: ['chips'], winners: ['the fab'] });
          const stored = (await h.redis.get(h.keys.draft(id)))!;
          expect(stored).not.toMatch(BIDI);

          const approved = await h.api('POST', `/api/drafts/${id}/approve`, { token: h.tokens.editor, body: { version: edited.body.version } });
          expect(approved.status, approved.text).toBe(200);
          for (const path of ['/signals.atom', '/signals.json', '/signals']) {
            const r = await h.api('GET', path);
            expect(r.status, path).toBe(200);
            expect(r.text, path).toContain('Chip maker wins a contract');
            expect(r.text, path).not.toMatch(BIDI);
          }
          // A reject reason is shown on the draft's page and in its history: cleaned the same way.
          const [other] = await h.seed([{ title: 'Another item' }]);
          const rejected = await h.api('POST', `/api/drafts/${other}/reject`, { token: h.tokens.editor, body: { version: 1, reason: 'dup\u202Eetacilpud' } });
          expect(rejected.status, rejected.text).toBe(200);
          expect(rejected.body.decision.reason).toBe('dupetacilpud');

          const api = await h.api('GET', '/api/signals', { token: h.tokens.viewer });
          expect(api.text).not.toMatch(BIDI);
          expect(api.text).not.toMatch(/\\u20(2[a-e]|6[6-9]|0[ef])/i);
        } finally {
          await runtime.stop();
        }
      });
    } finally {
      await server.close();
    }
  });
});
