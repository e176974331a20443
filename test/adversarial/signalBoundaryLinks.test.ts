import { describe, expect, it } from 'vitest';
import { Signal } from '../../src/publish/signal.ts';
import { sweepWebhookOutbox } from '../../src/publish/webhookOutbox.ts';
import { startRuntime } from '../../workers/runtime.ts';
import { EDITORIAL, withDesk } from '../helpers/desk.ts';
import { startServer } from '../helpers/httpServer.ts';

// Issue 8, item 9, at the signal and feed-writer boundaries: a signal record written straight into the
// signals stream (as the desk's approve script writes it, but by someone else: an old entry, a hand-written
// one, a compromised process) with hostile links never publishes one. publishLinks.test.ts covers the way in
// through a draft; this file skips the draft entirely.

const HOSTILE: [string, string][] = [
  ['javascript:', 'javascript:alert(document.cookie)'],
  ['data:', 'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=='],
  ['vbscript:', 'vbscript:msgbox(1)'],
  ['mixed case', 'JaVaScRiPt:alert(1)'],
  ['leading spaces and a tab', ' \t javascript:alert(1)'],
  ['leading control characters', '\u0001\u001fjavascript:alert(1)'],
  ['newline inside the scheme', 'java\nscript:alert(1)'],
  ['percent-encoded colon', 'javascript%3Aalert(1)'],
  ['percent-encoded scheme letters', '%6A%61%76%61script:alert(1)'],
  ['credentials disguising the host', 'https://www.reuters.com@evil.example/'],
  ['protocol-relative', '//evil.example/x'],
];

const GOOD = 'https://news.example/story';

function record(n: number, link: string, relatedLink: string, sourceUrl = 'https://news.example/feed'): Record<string, unknown> {
  const id = `d_BOUNDARY${String(n).padStart(8, '0')}`;
  return {
    id: `s_${id.slice(2)}`,
    draftId: id,
    headline: `Planted signal ${n}`,
    score: 50,
    ...EDITORIAL,
    link,
    tags: ['planted'],
    source: { name: 'Planted', url: sourceUrl },
    related: [{ headline: 'Other coverage', sourceName: 'Other', link: relatedLink }],
    sourcePublishedAt: null,
    approvedAt: '2026-11-27T10:00:00.000Z',
    approvedBy: 'editor',
  };
}

async function until<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Every value under a key that names a link, anywhere in a parsed JSON document. */
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

/** No hostile scheme or host anywhere in a published text, however it is spelled. */
function expectNothingHostile(text: string, where: string): void {
  const squeezed = text
    .toLowerCase()
    // eslint-disable-next-line no-control-regex
    .replace(/[\s\u0000-\u001f]|\\u00[01][0-9a-f]|\\[tn]|&#x?[0-9a-f]+;/g, '')
    .replace(/%([0-9a-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  for (const bad of ['javascript:', 'vbscript:', 'data:text', 'evil.example']) expect(squeezed, `${where} carries ${bad}`).not.toContain(bad);
}

describe('a hostile link written straight into the signals stream (issue 8, item 9)', () => {
  it('never reaches /signals.atom, /signals.json, /api/signals, the signals page or the webhook body as a link', { timeout: 120_000 }, async () => {
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
            // The outbox group starts at the end of the stream: make sure it exists before the entries go in.
            await sweepWebhookOutbox(h.redis, h.keys, runtime.ctx.queues.webhook);

            // A control entry with good links (the test fails if the boundary drops everything), then one entry per
            // hostile spelling in the link and related link, then one per spelling in the source's URL.
            const written = [record(0, GOOD, GOOD), ...HOSTILE.map(([, bad], i) => record(i + 1, bad, bad)), ...HOSTILE.map(([, bad], i) => record(100 + i, GOOD, GOOD, bad))];
            expect(Signal.safeParse(written[0]).success, 'the control entry is a valid signal record').toBe(true);
            for (const r of written) await h.redis.xadd(h.keys.signals, '*', 'signal', JSON.stringify(r));
            await sweepWebhookOutbox(h.redis, h.keys, runtime.ctx.queues.webhook);

            const atom = await h.api('GET', '/signals.atom');
            const json = await h.api('GET', '/signals.json');
            const api = await h.api('GET', '/api/signals?limit=100', { token: h.tokens.viewer });
            const page = await h.api('GET', '/signals', { token: h.tokens.viewer });
            expect([atom.status, json.status, api.status, page.status]).toEqual([200, 200, 200, 200]);

            // The control entry is published with its link; each entry with a hostile link is published without it.
            const byHeadline = new Map<string, { external_url?: string }>(json.body.items.map((i: { title: string }) => [i.title, i]));
            expect(byHeadline.get('Planted signal 0')?.external_url).toBe(GOOD);
            expect(atom.text).toContain(`href="${GOOD}"`);
            expect(page.text).toContain(`href="${GOOD}"`);
            for (const [name] of HOSTILE.entries()) {
              const item = byHeadline.get(`Planted signal ${name + 1}`);
              expect(item, `the entry with a ${HOSTILE[name]![0]} link is kept`).toBeDefined();
              expect(item).not.toHaveProperty('external_url');
            }
            const apiLinks = new Map<string, string | null>(api.body.signals.map((s: { signal: { headline: string; link: string | null } }) => [s.signal.headline, s.signal.link]));
            for (const i of HOSTILE.keys()) expect(apiLinks.get(`Planted signal ${i + 1}`), HOSTILE[i]![0]).toBeNull();

            const count = api.body.signals.length as number;
            await until(`${count} webhook deliveries`, async () => deliveries.length >= count);
            const delivered = deliveries.map((d) => JSON.parse(d));
            expect(delivered.find((d) => d.signal.headline === 'Planted signal 0')?.signal.link).toBe(GOOD);

            for (const link of [...linksIn(json.body), ...linksIn(api.body), ...linksIn(delivered)]) expect(link, 'a published link').toMatch(/^https?:\/\/(news\.example|127\.0\.0\.1)[/:]/);
            for (const href of [...atom.text.matchAll(/href="([^"]*)"/g)].map((m) => m[1]!)) expect(href, 'an atom href').toMatch(/^https?:\/\/(news\.example|127\.0\.0\.1)[/:]/);
            for (const href of [...page.text.matchAll(/(?:href|src|action)="([^"]*)"/g)].map((m) => m[1]!)) expect(href, 'a link on the signals page (relative, or the good one)').toMatch(/^(?:[^:]*$|https:\/\/news\.example\/)/);
            expectNothingHostile(atom.text, '/signals.atom');
            expectNothingHostile(json.text, '/signals.json');
            expectNothingHostile(api.text, '/api/signals');
            expectNothingHostile(page.text, '/signals');
            deliveries.forEach((d, i) => expectNothingHostile(d, `webhook delivery ${i}`));
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
