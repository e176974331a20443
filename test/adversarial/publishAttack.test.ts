import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { startServer } from '../helpers/httpServer.ts';
import { REDIS_URL } from '../helpers/redis.ts';
import { EDITORIAL, withDesk, type DeskHarness, type Response } from '../helpers/desk.ts';

// Attacks on what reaches a published signal (the copy guard, links, bidi), through the desk's API over
// real Redis: drafts are seeded the way the ingest worker writes them, editors edit, merge and approve.

const TITLE = 'Chipmaker pulls forward its server processor launch';
const EXCERPT =
  'The chipmaker said on Tuesday that its next generation of data centre processors would ship six months earlier than planned, after a supplier resolved packaging problems that had delayed volume production at two plants in Arizona and Taiwan for most of the year.';
const GREEK = 'Ο ΥΠΟΥΡΓΟΣ ΟΙΚΟΝΟΜΙΚΩΝ ΕΙΠΕ ΟΤΙ Η ΚΥΒΕΡΝΗΣΗ ΘΑ ΑΥΞΗΣΕΙ ΤΟΥΣ ΜΙΣΘΟΥΣ ΤΩΝ ΔΗΜΟΣΙΩΝ ΥΠΑΛΛΗΛΩΝ ΑΠΟ ΤΟΝ ΕΠΟΜΕΝΟ ΜΗΝΑ';
const RUSSIAN = 'Компания сообщила во вторник что следующее поколение серверных процессоров будет отгружено на шесть месяцев раньше запланированного срока';
const GERMAN = 'Die Straße wurde gesperrt, weil die Stadt die Brücke über den Fluß neu bauen muß, und das dauert nach Angaben der Behörden bis zum Herbst.';
const ARABIC = 'قالت شركة صناعة الرقائق يوم الثلاثاء إن الجيل التالي من معالجات مراكز البيانات سيتم شحنه قبل ستة أشهر من الموعد المخطط له';
const THAI = 'บริษัทผู้ผลิตชิปกล่าวเมื่อวันอังคารว่าโปรเซสเซอร์สำหรับศูนย์ข้อมูลรุ่นถัดไปจะจัดส่งเร็วกว่ากำหนดหกเดือนหลังจากซัพพลายเออร์แก้ไขปัญหาบรรจุภัณฑ์ได้';

/** Words a to b (exclusive) of a text, as written. */
const words = (text: string, a: number, b: number) => text.split(' ').slice(a, b).join(' ');
/** `mark` put inside every word longer than three letters. */
const inside = (text: string, mark: string) => text.split(' ').map((w) => (w.length > 3 ? `${w.slice(0, 2)}${mark}${w.slice(2)}` : w)).join(' ');
const SMALL_CAPS = Object.fromEntries(Array.from('abcdefghijklmnopqrstuvwyz', (c, i) => [c, 'ᴀʙᴄᴅᴇꜰɢʜɪᴊᴋʟᴍɴᴏᴘꞯʀꜱᴛᴜᴠᴡʏᴢ'[i]!]));

interface Ctx {
  h: DeskHarness;
  id: string;
  version: number;
}

async function draftWith(h: DeskHarness, summary = EXCERPT, title: string | null = TITLE): Promise<Ctx> {
  const [id] = await h.seed([{ title, summary }]);
  return { h, id: id!, version: 1 };
}

async function edit(c: Ctx, patch: Record<string, unknown>): Promise<Ctx> {
  const r = await c.h.api('PATCH', `/api/drafts/${c.id}`, { token: c.h.tokens.editor, body: { version: c.version, ...patch } });
  expect(r.status, r.text).toBe(200);
  return { ...c, version: r.body.version };
}

async function approve(c: Ctx): Promise<Response> {
  return c.h.api('POST', `/api/drafts/${c.id}/approve`, { token: c.h.tokens.editor, body: { version: c.version } });
}

async function mergeInto(into: Ctx, other: Ctx): Promise<Ctx> {
  const r = await into.h.api('POST', `/api/drafts/${other.id}/merge`, { token: into.h.tokens.editor, body: { version: other.version, into: into.id } });
  expect(r.status, r.text).toBe(200);
  return { ...into, version: r.body.into.version };
}

type Case = [name: string, excerpt: string, patch: Record<string, unknown>];

const PIECE = words(EXCERPT, 0, 16);
const SPLIT_OR_JOINED: Case[] = [
  ['a hair space (U+200A) inside every word', EXCERPT, { whyNow: inside(PIECE, '\u200a') }],
  ['a thin space (U+2009) inside every word', EXCERPT, { whyNow: inside(PIECE, '\u2009') }],
  ['a line separator (U+2028) inside every word', EXCERPT, { summary: inside(PIECE, '\u2028') }],
  ['a hyphen (U+2010) inside every word: "pro‐duction"', EXCERPT, { whyImportant: inside(PIECE, '\u2010') }],
  ['dots between every letter: "p.r.o.d.u.c.t.i.o.n"', EXCERPT, { whatChanges: PIECE.split(' ').map((w) => w.split('').join('.')).join(' ') }],
  ['the words written together', EXCERPT, { whyNow: PIECE.split(' ').join('') }],
  ['markdown emphasis inside every word', EXCERPT, { whyNow: inside(PIECE, '**') }],
  ['an apostrophe inside every word', EXCERPT, { whyNow: inside(PIECE, "'") }],
  ['empty HTML tags inside every word', EXCERPT, { whyNow: inside(PIECE, '<b></b>') }],
  ['split across winners one word each', EXCERPT, { winners: words(EXCERPT, 0, 10).split(' '), losers: words(EXCERPT, 10, 20).split(' ') }],
];

const LOOK_ALIKES: Case[] = [
  ['small capitals', EXCERPT, { whyNow: Array.from(PIECE.toLowerCase(), (c) => SMALL_CAPS[c] ?? c).join('') }],
  ['an upper-case Greek source copied in lower case (final sigma)', GREEK, { whyNow: 'ο υπουργός οικονομικών είπε ότι η κυβέρνηση θα αυξήσει τους μισθούς των δημοσίων υπαλλήλων' }],
  ['a Russian source copied in upper case', RUSSIAN, { whyNow: RUSSIAN.toUpperCase() }],
  ['German ß written as ss', GERMAN, { whyNow: 'die Strasse wurde gesperrt weil die Stadt die Brücke über den Fluss neu bauen muss und das dauert' }],
  ['Arabic with tatweel (U+0640) inside every word', ARABIC, { whyNow: words(ARABIC, 0, 14).split(' ').map((w) => (w.length > 2 ? `${w[0]}\u0640${w.slice(1)}` : w)).join(' ') }],
  ['Thai (no spaces, not CJK)', THAI, { whyNow: THAI.slice(6, 70) }],
  ['&nbsp; escaped three times', EXCERPT, { whyNow: PIECE.split(' ').join('&amp;amp;nbsp;') }],
];

/** Every n-th word of the excerpt replaced by one of the editor's. */
const everyNth = (n: number) => EXCERPT.split(' ').map((w, i) => (i % n === n - 1 ? ['Wednesday', 'new', 'server', '6', 'expected', 'vendor', 'issues', 'output', 'factories', 'US', 'much', 'period'][Math.floor(i / n) % 12] : w)).join(' ');
const SUBSTITUTED: Case[] = [
  ['the whole excerpt with one word in five changed', EXCERPT, { summary: everyNth(5) }],
  ['the whole excerpt with one word in four changed', EXCERPT, { summary: everyNth(4) }],
];

const LEGITIMATE: Case[] = [
  ['an 11-word quotation next to a word ending as the source’s next word begins', EXCERPT, { whyNow: `Data ${words(EXCERPT, 23, 34)} is the key line.` }],
  ['a French summary in its own words, accents and all', 'Le fabricant a annoncé mardi que ses processeurs seraient livrés six mois plus tôt que prévu.', { whyNow: 'Les concurrents devront revoir leur calendrier : l’été sera décisif pour les contrats.' }],
  ['a list of named entities and numbers', EXCERPT, { winners: ['Arizona', 'Taiwan', 'TSMC', 'Intel', 'AMD'], losers: ['Rival server vendors'], whatChanges: 'Six months, two plants, 2026 and 2027 shipments.' }],
  ['a short Thai quotation', THAI, { whyNow: `รายงานระบุว่า "${THAI.slice(6, 30)}"` }],
];

async function tryApprove(h: DeskHarness, excerpt: string, patch: Record<string, unknown>): Promise<Response> {
  return approve(await edit(await draftWith(h, excerpt), { ...EDITORIAL, ...patch }));
}

describe('the copy guard reads words however they are split, joined or spelled', () => {
  it.each([...SPLIT_OR_JOINED, ...LOOK_ALIKES, ...SUBSTITUTED])('refuses: %s', { timeout: 60_000 }, async (_name, excerpt, patch) => {
    await withDesk(async (h) => {
      const r = await tryApprove(h, excerpt, patch);
      expect(r.status, r.text).toBe(422);
      expect(r.body.error).toBe('copied_text');
      for (const f of Object.keys(patch)) expect(Object.keys(r.body.fields), r.text).toContain(f);
      expect((await h.api('GET', '/api/signals', { token: h.tokens.viewer })).body.signals).toHaveLength(0);
    });
  });

  it.each(LEGITIMATE)('approves: %s', { timeout: 60_000 }, async (_name, excerpt, patch) => {
    await withDesk(async (h) => {
      const r = await tryApprove(h, excerpt, patch);
      expect(r.status, r.text).toBe(200);
    });
  });
});

describe('approve cannot be made to block the desk', () => {
  // Every field at its maximum (CJK: one token per character) against 50 merged drafts' excerpts: the copy
  // guard compared them with an n·m table per field and source and rebuilt a shingle map quadratically per
  // source; one approval held the desk's event loop for more than ten minutes.
  it('approves a draft with every field full and 50 merged drafts', { timeout: 60_000 }, async () => {
    await withDesk(async (h) => {
      const fill = (n: number) => '啊'.repeat(n);
      const ids = await h.seed(Array.from({ length: 51 }, () => ({ title: '服务器处理器', summary: '哦'.repeat(280) })));
      let main: Ctx = { h, id: ids[0]!, version: 1 };
      for (const id of ids.slice(1)) {
        const other = await edit({ h, id, version: 1 }, { headline: fill(300) });
        main = await mergeInto(main, other);
      }
      main = await edit(main, {
        ...EDITORIAL,
        headline: fill(300),
        category: fill(80),
        summary: fill(1000),
        whyNow: fill(1000),
        whyImportant: fill(1000),
        whatChanges: fill(1000),
        winners: Array.from({ length: 10 }, () => fill(200)),
        losers: Array.from({ length: 10 }, () => fill(200)),
        tags: Array.from({ length: 30 }, () => fill(100)),
        secondOrderEffects: { direct: fill(600), second: fill(600), third: fill(600) },
      });
      const r = await approve(main);
      expect(r.status, r.text.slice(0, 300)).toBe(200);
      expect((await h.api('GET', '/api/me', { token: h.tokens.viewer })).status).toBe(200);
    });
  });
});

const BIDI = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/u;

describe('bidi controls from the sources file (its name, category and tags)', () => {
  // The feed's text lost its bidi controls at the parse coercer, but the sources file's own text went into
  // every draft as written: the desk's queue and draft pages showed "Reuters" reversed by a U+202E.
  it('never reach a draft, a desk page or a signal, through a real run --once', { timeout: 120_000 }, async () => {
    const feed = `<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><link>https://wire.example/</link>
      <item><title>${TITLE}</title><link>https://wire.example/a</link><guid>a</guid><description>${EXCERPT}</description></item></channel></rss>`;
    const server = await startServer((_req, res) => res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(feed));
    const dir = mkdtempSync(join(tmpdir(), 'sd-bidi-'));
    const file = join(dir, 'sources.yaml');
    writeFileSync(file, `sources:\n  - id: wire\n    name: "Wire \\u202Esretuer\\u202C"\n    url: ${server.url('/feed')}\n    category: "\\u2067Semis\\u2069"\n    tags: ["\\u202Bchips\\u202C"]\n`);
    try {
      await withDesk(async (h) => {
        const r = await promisify(execFile)(process.execPath, ['bin/signal-desk.js', 'run', '--once', '--sources', file], {
          env: { ...process.env, REDIS_URL, SIGNAL_DESK_PREFIX: h.settings.prefix, SIGNAL_DESK_ALLOW_PRIVATE: '127.0.0.1', SIGNAL_DESK_LOG_LEVEL: 'warn', SIGNAL_DESK_HOST_DELAY_MS: '0' },
        });
        const list = await h.api('GET', '/api/drafts', { token: h.tokens.editor });
        expect(list.body.drafts, r.stdout + r.stderr).toHaveLength(1);
        const id: string = list.body.drafts[0].id;
        const draft = await h.api('GET', `/api/drafts/${id}`, { token: h.tokens.editor });
        expect(draft.body.source.name).toBe('Wire sretuer');
        expect(draft.text).not.toMatch(BIDI);
        for (const path of ['/', `/drafts/${id}`]) {
          const page = await h.api('GET', path, { token: h.tokens.editor });
          expect(page.status, path).toBe(200);
          expect(page.text, path).toContain('Wire sretuer');
          expect(page.text, path).not.toMatch(BIDI);
        }
        // The draft the pipeline made is guarded too: its excerpt, with a hair space in every word, is refused.
        const copied = await h.api('PATCH', `/api/drafts/${id}`, { token: h.tokens.editor, body: { version: draft.body.version, ...EDITORIAL, whyNow: inside(PIECE, '\u200a') } });
        const refused = await h.api('POST', `/api/drafts/${id}/approve`, { token: h.tokens.editor, body: { version: copied.body.version } });
        expect(refused.status, refused.text).toBe(422);
        const edited = await h.api('PATCH', `/api/drafts/${id}`, { token: h.tokens.editor, body: { version: copied.body.version, whyNow: 'Supply is back on track.' } });
        const approved = await h.api('POST', `/api/drafts/${id}/approve`, { token: h.tokens.editor, body: { version: edited.body.version } });
        expect(approved.status, approved.text).toBe(200);
        for (const path of ['/signals.atom', '/signals.json', '/signals']) {
          const out = await h.api('GET', path);
          expect(out.text, path).toContain('Wire sretuer');
          expect(out.text, path).not.toMatch(BIDI);
        }
      });
    } finally {
      await server.close();
    }
  });
});

describe('URL settings are http(s), as every link the desk publishes or calls', () => {
  // SIGNAL_DESK_PUBLIC_URL builds the feeds' own links (JSON Feed `url`, Atom rel="related" href) and
  // SIGNAL_DESK_WEBHOOK_URL is called with every signal: both took any scheme, "javascript:alert(1)//" included.
  const BAD: [string, string][] = [
    ['SIGNAL_DESK_PUBLIC_URL', 'javascript:alert(1)//'],
    ['SIGNAL_DESK_PUBLIC_URL', 'data:text/html,x'],
    ['SIGNAL_DESK_WEBHOOK_URL', 'javascript:alert(1)'],
    ['SIGNAL_DESK_WEBHOOK_URL', 'file:///etc/passwd'],
  ];
  it.each(BAD)('%s=%s is a config error naming the variable', { timeout: 60_000 }, async (name, value) => {
    const r = await promisify(execFile)(process.execPath, ['bin/signal-desk.js', 'sources', 'list'], {
      env: { ...process.env, REDIS_URL, SIGNAL_DESK_PREFIX: '{atk-settings}', SIGNAL_DESK_WEBHOOK_SECRET: 'test-secret-0123456789abcdef', [name]: value },
    }).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => e,
    );
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(name);
    expect(r.stderr).toContain('http(s)');
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });
});

describe('published links carry no user name or password', () => {
  // `https://www.reuters.com@evil.example/` reads as a Reuters link and goes to evil.example; a real
  // `user:pass@` leaks a credential. Both were published as the signal's link (`external_url`, Atom href).
  it.each(['https://www.reuters.com@evil.example/story', 'https://user:secret@wire.example/a'])('drops %s', { timeout: 60_000 }, async (url) => {
    await withDesk(async (h) => {
      const [id] = await h.seed([{ title: TITLE, summary: 'Short.', url }]);
      const draft = await h.api('GET', `/api/drafts/${id}`, { token: h.tokens.editor });
      expect(draft.body.link).toBeNull();
      const r = await approve(await edit({ h, id: id!, version: 1 }, EDITORIAL));
      expect(r.status, r.text).toBe(200);
      for (const path of ['/signals.json', '/signals.atom', '/signals']) {
        const out = await h.api('GET', path);
        expect(out.text, path).not.toContain('evil.example');
        expect(out.text, path).not.toContain('secret@');
      }
    });
  });
});
