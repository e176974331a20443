import { describe, expect, it } from 'vitest';
import { can, describeMissing, type Role } from '../../src/auth/roles.ts';
import { findCopiedRun } from '../../src/review/copyGuard.ts';
import { applyPatch, changedFields, parseBody, PatchBody } from '../../src/review/draftEdits.ts';
import { toAtomFeed, toJsonFeed } from '../../src/publish/feeds.ts';
import { toSignal, type Signal } from '../../src/publish/signal.ts';
import { toDraft } from '../../src/drafts/toDraft.ts';
import { html, safeHref } from '../../src/web/html.ts';
import { DeskError } from '../../src/errors.ts';

const SOURCE = 'The company said the new accelerator would enter volume production in the second quarter, ahead of its main rival.';

describe('findCopiedRun', () => {
  it.each([
    ['twelve words in a row', 'Reportedly the new accelerator would enter volume production in the second quarter, ahead of schedule.', 'the new accelerator would enter volume production in the second quarter ahead of'],
    ['case and punctuation do not hide a copy', 'THE NEW ACCELERATOR — would enter volume production; in the second quarter, ahead!', 'the new accelerator would enter volume production in the second quarter ahead'],
    ['the whole run is reported, not just twelve words', SOURCE, 'the company said the new accelerator would enter volume production in the second quarter ahead of its main rival'],
    ['eleven words are a quotation, not a copy', 'Note: new accelerator would enter volume production in the second quarter, they say.', undefined],
    ['same words, different order', 'Quarter second the in production volume enter would accelerator new the said company.', undefined],
    ['empty text', '', undefined],
    ['Cyrillic and Greek look-alikes are read as Latin', 'Тhе nеw ассеlеrаtоr wοuld еntеr vοlumе рrοduсtiοn in thе sесοnd quаrtеr, аhеаd', 'the new accelerator would enter volume production in the second quarter ahead'],
    ['look-alikes from other scripts too (Armenian "օ", Cherokee "Ꭲ", Latin small capitals: UTS #39 skeletons)', 'Ꭲhe new accelerat\u0585r w\u0585uld enter v\u0585lume producti\u0585n in the sec\u0585nd quarter ahead', 'the new accelerator would enter volume production in the second quarter ahead'],
    ['zero-width and soft-hyphen characters inside words are ignored', 'the n\u200bew acce\u00adlerator would en\u2060ter volume production in the second quarter ahead', 'the new accelerator would enter volume production in the second quarter ahead'],
    ['entities are decoded first', 'the&nbsp;new&nbsp;accelerator&#32;would enter volume production in the second quarter ahead', 'the new accelerator would enter volume production in the second quarter ahead'],
    ['full-width letters are folded (NFKC)', 'ｔｈｅ ｎｅｗ accelerator would enter volume production in the second quarter ａｈｅａｄ', 'the new accelerator would enter volume production in the second quarter ahead'],
  ])('%s', (_name, text, expected) => {
    expect(findCopiedRun(text, SOURCE)).toBe(expected);
  });

  it('counts CJK text by characters: 24 copied characters are a run, 23 are not', () => {
    const zh = '该公司周二表示由于供应商解决了封装问题其下一代数据中心处理器将比原计划提前六个月发货';
    expect(findCopiedRun(`据报道${zh.slice(0, 24)}。`, zh)).toBe(zh.slice(0, 24));
    expect(findCopiedRun(`据报道${zh.slice(0, 23)}。`, zh)).toBeUndefined();
  });

  it('is not fooled by a short source', () => {
    expect(findCopiedRun('a b c', 'a b c')).toBeUndefined();
  });
});

describe('roles', () => {
  it.each<[Role, string, boolean]>([
    ['viewer', 'read', true],
    ['viewer', 'review', false],
    ['editor', 'review', true],
    ['editor', 'forceLock', false],
    ['editor', 'manageUsers', false],
    ['operator', 'forceLock', true],
    ['operator', 'manageUsers', true],
  ])('%s may %s: %s', (role, permission, allowed) => {
    expect(can({ name: 'x', role }, permission as 'read')).toBe(allowed);
  });

  it('says what is missing', () => {
    expect(describeMissing({ name: 'val', role: 'editor' }, 'forceLock')).toBe("val (role editor) cannot force another editor's claim: needs role operator");
  });
});

describe('draft edits', () => {
  const draft = toDraft({ key: 'k', guid: 'k', url: 'https://x.example/1', title: 'T', author: null, publishedAt: null, updatedAt: null, categories: [], summary: null }, { id: 's', name: 'S', url: 'https://x.example/feed', weight: 1, tags: [] }, '2026-11-27T10:00:00.000Z');

  it('merges second-order effects per level and reports only the fields that changed', () => {
    const next = applyPatch(draft, { secondOrderEffects: { second: 'B' }, whyNow: 'now', headline: 'T' });
    expect(next.secondOrderEffects).toEqual({ direct: '', second: 'B', third: '' });
    expect(changedFields(draft, next)).toEqual(['whyNow', 'secondOrderEffects']);
  });

  it('rejects unknown and non-editable fields by name with the list of editable ones', () => {
    try {
      parseBody(PatchBody, { version: 1, link: 'https://evil.example', status: 'approved' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(DeskError);
      expect(Object.keys((err as DeskError).fields!)).toEqual(['link', 'status']);
      expect((err as DeskError).status).toBe(422);
    }
  });
});

describe('feeds', () => {
  const signal: Signal = toSignal(
    {
      ...toDraft({ key: 'k', guid: 'k', url: 'https://x.example/a?b=1&c=2', title: 'A <b>bold</b> claim & \u0001control', author: null, publishedAt: '2026-11-26T09:00:00.000Z', updatedAt: null, categories: ['Chips'], summary: 'EXCERPT TEXT' }, { id: 's', name: 'S & Co', url: 'https://x.example/feed', weight: 1, tags: [] }, '2026-11-27T10:00:00.000Z'),
      category: 'Infrastructure Software',
      horizon: 'Short term',
      whyNow: 'w',
      whyImportant: 'i',
      editorialConfidence: 90,
      structuralImpact: 30,
    },
    '2026-11-27T11:00:00.000Z',
    'ed',
  );

  it('a signal carries no excerpt', () => {
    expect(JSON.stringify(signal)).not.toContain('EXCERPT TEXT');
  });

  it('Atom escapes markup and drops characters XML 1.0 forbids', () => {
    const atom = toAtomFeed([signal], { title: 'T', baseUrl: 'https://desk.example' }, new Date('2026-11-27T12:00:00Z'));
    expect(atom).toContain('<title type="text">A &lt;b&gt;bold&lt;/b&gt; claim &amp; control</title>');
    expect(atom).toContain('href="https://x.example/a?b=1&amp;c=2"');
    expect(atom).not.toContain('\u0001');
    expect(atom).not.toContain('EXCERPT TEXT');
  });

  it('JSON Feed links the desk (url) and the primary source (external_url)', () => {
    const feed = toJsonFeed([signal], { title: 'T', baseUrl: 'https://desk.example' }) as { items: Record<string, unknown>[] };
    expect(feed.items[0]).toMatchObject({ id: signal.id, url: `https://desk.example/signals#${signal.id}`, external_url: 'https://x.example/a?b=1&c=2', date_published: '2026-11-27T11:00:00.000Z', tags: ['Infrastructure Software', 'Chips'] });
  });
});

describe('html', () => {
  it.each([
    ['markup', '<img src=x onerror=alert(1)>', '&lt;img src=x onerror=alert(1)&gt;'],
    ['attribute breakout', '" onmouseover="x', '&quot; onmouseover=&quot;x'],
    ['single quotes', "' x='", '&apos; x=&apos;'],
    ['ampersand', 'AT&T', 'AT&amp;T'],
  ])('escapes %s', (_name, input, expected) => {
    expect(html`<a title="${input}">${input}</a>`.value).toBe(`<a title="${expected}">${expected}</a>`);
  });

  it('does not escape nested html twice', () => {
    expect(html`<p>${html`<b>${'<i>'}</b>`}</p>`.value).toBe('<p><b>&lt;i&gt;</b></p>');
  });

  it.each([
    ['https://a.example/x', 'https://a.example/x'],
    ['javascript:alert(1)', undefined],
    ['data:text/html,<script>', undefined],
    ['not a url', undefined],
  ])('safeHref(%s)', (input, expected) => {
    expect(safeHref(input)).toBe(expected);
  });
});
