import { describe, expect, it } from 'vitest';
import { EDITORIAL, withDesk, type DeskHarness, type Response } from '../helpers/desk.ts';
import { putStory, seedFrom } from '../helpers/stories.ts';

// Issue 8, item 11: the copy guard was evaded, 10 of 25 probes carried 12 or more words of their excerpt.
// Each evasion goes through the real approve route and must be refused (422 copied_text, naming the field
// as the desk labels it); legitimate editing of the same story must still be approved.

const TITLE = 'Chipmaker pulls forward its server processor launch';
const EXCERPT =
  'The chipmaker said on Tuesday that its next generation of data centre processors would ship six months earlier than planned, after a supplier resolved packaging problems that had delayed volume production at two plants in Arizona and Taiwan for most of the year.';
const ZH = '该公司周二表示，由于供应商解决了封装问题，其下一代数据中心处理器将比原计划提前六个月发货，此前这些问题导致亚利桑那州和台湾两家工厂的量产推迟了大半年。';
const JA = '同社は火曜日、供給業者が実装の問題を解決したため、次世代のデータセンター向けプロセッサーを予定より六か月早く出荷すると発表した。';
const OTHER_EXCERPT =
  'Analysts at the bank wrote that the earlier launch would squeeze the margins of rival server vendors who had planned their own refresh cycles around the original schedule next spring.';

/** Words a to b (exclusive) of a text, as written. */
const words = (text: string, a: number, b: number) => text.split(' ').slice(a, b).join(' ');

const CYRILLIC: Record<string, string> = { a: 'а', e: 'е', o: 'о', p: 'р', c: 'с', x: 'х', y: 'у', i: 'і' };
const inside = (text: string, mark: string) => text.split(' ').map((w) => (w.length > 3 ? `${w.slice(0, 2)}${mark}${w.slice(2)}` : w)).join(' ');

interface Ctx {
  h: DeskHarness;
  id: string;
  version: number;
}

async function draftWith(h: DeskHarness, summary = EXCERPT, title = TITLE): Promise<Ctx> {
  const [id] = await h.seed([{ title, summary }]);
  return { h, id: id!, version: 1 };
}

async function edit(c: Ctx, patch: Record<string, unknown>, token = c.h.tokens.editor): Promise<Ctx> {
  const r = await c.h.api('PATCH', `/api/drafts/${c.id}`, { token, body: { version: c.version, ...patch } });
  expect(r.status, r.text).toBe(200);
  return { ...c, version: r.body.version };
}

async function approve(c: Ctx): Promise<Response> {
  return c.h.api('POST', `/api/drafts/${c.id}/approve`, { token: c.h.tokens.editor, body: { version: c.version } });
}

/** Merges a fresh draft (with `otherExcerpt`, its headline edited to `headline` when given) into `into`. */
async function mergeInto(into: Ctx, otherExcerpt: string, headline?: string): Promise<Ctx> {
  let other = await draftWith(into.h, otherExcerpt, 'Rival vendors face a squeeze');
  if (headline) other = await edit(other, { headline });
  const r = await into.h.api('POST', `/api/drafts/${other.id}/merge`, { token: into.h.tokens.editor, body: { version: other.version, into: into.id } });
  expect(r.status, r.text).toBe(200);
  return { ...into, version: r.body.into.version };
}

type Case = [name: string, run: (h: DeskHarness) => Promise<Response>, fields: string[], label: string];

const EVASIONS: Case[] = [
  ['Cyrillic look-alike letters', async (h) => approve(await edit(await draftWith(h), { ...EDITORIAL, whyNow: Array.from(words(EXCERPT, 2, 16), (ch) => CYRILLIC[ch] ?? ch).join('') })), ['whyNow'], 'Why now'],
  ['U+200B inside words', async (h) => approve(await edit(await draftWith(h), { ...EDITORIAL, whyImportant: inside(words(EXCERPT, 0, 14), '\u200b') })), ['whyImportant'], "Why it's important"],
  ['U+00AD (soft hyphen) inside words', async (h) => approve(await edit(await draftWith(h), { ...EDITORIAL, whatChanges: inside(words(EXCERPT, 10, 24), '\u00ad') })), ['whatChanges'], 'What changes'],
  ['U+2060 (word joiner) inside words', async (h) => approve(await edit(await draftWith(h), { ...EDITORIAL, summary: inside(words(EXCERPT, 20, 34), '\u2060') })), ['summary'], 'Summary'],
  ['&nbsp; for every space', async (h) => approve(await edit(await draftWith(h), { ...EDITORIAL, whyNow: words(EXCERPT, 0, 14).split(' ').join('&nbsp;') })), ['whyNow'], 'Why now'],
  ['the whole excerpt as the headline', async (h) => approve(await edit(await draftWith(h), { ...EDITORIAL, headline: EXCERPT })), ['headline'], 'Headline'],
  ['split into tags', async (h) => approve(await edit(await draftWith(h), { ...EDITORIAL, tags: [0, 3, 6, 9, 12].map((i) => words(EXCERPT, i, i + 3)) })), ['tags'], 'Tags'],
  ['split between the category and tags', async (h) => approve(await edit(await draftWith(h), { ...EDITORIAL, category: words(EXCERPT, 0, 6), tags: [6, 8, 10].map((i) => words(EXCERPT, i, i + 2)) })), ['category', 'tags'], 'Category'],
  ['through a merge: a related headline', async (h) => approve(await mergeInto(await edit(await draftWith(h), EDITORIAL), OTHER_EXCERPT, words(EXCERPT, 0, 20))), ['related.0.headline'], 'Related coverage 1'],
  ['Chinese text (no spaces)', async (h) => approve(await edit(await draftWith(h, ZH, '芯片制造商提前推出服务器处理器'), { ...EDITORIAL, whyNow: `据报道，${ZH.slice(10, 40)}。` })), ['whyNow'], 'Why now'],
  ['Japanese text (no spaces)', async (h) => approve(await edit(await draftWith(h, JA, '半導体メーカーが出荷を前倒し'), { ...EDITORIAL, whyImportant: `報道によると${JA.slice(8, 36)}という。` })), ['whyImportant'], "Why it's important"],
  ['another (merged) draft’s excerpt', async (h) => approve(await edit(await mergeInto(await draftWith(h), OTHER_EXCERPT), { ...EDITORIAL, whyNow: words(OTHER_EXCERPT, 2, 16) })), ['whyNow'], 'merged draft'],
  [
    '11-word pieces spread over several fields',
    async (h) => approve(await edit(await draftWith(h), { ...EDITORIAL, summary: words(EXCERPT, 0, 11), whyNow: words(EXCERPT, 12, 23), whyImportant: words(EXCERPT, 24, 35) })),
    ['summary', 'whyNow', 'whyImportant'],
    'together',
  ],
];

describe('the copy guard is not evaded (issue 8, item 11)', () => {
  it.each(EVASIONS)('refuses: %s', { timeout: 60_000 }, async (_name, run, fields, label) => {
    await withDesk(async (h) => {
      const r = await run(h);
      expect(r.status, r.text).toBe(422);
      expect(r.body.error).toBe('copied_text');
      expect(r.body.message).toContain(label);
      expect(r.body.message).toMatch(/copies|reproduce/);
      for (const f of fields) expect(Object.keys(r.body.fields), r.text).toContain(f);
      // The message names the copied text, normalised (Latin letters, no hidden characters).
      expect(r.body.message).toMatch(/"[^"]{10,}"/);
      expect(r.body.message).not.toMatch(/[\u200b\u00ad\u2060]|&nbsp;/);
      const signals = await h.api('GET', '/api/signals', { token: h.tokens.viewer });
      expect(signals.body.signals).toHaveLength(0);
    });
  });

  it('reports the Cyrillic copy in Latin letters, and the run as the desk labels the field', async () => {
    await withDesk(async (h) => {
      const r = await approve(await edit(await draftWith(h), { ...EDITORIAL, whyNow: Array.from(words(EXCERPT, 2, 16), (ch) => CYRILLIC[ch] ?? ch).join('') }));
      expect(r.body.message).toBe(
        'cannot approve: Why now copies 14 consecutive words from the source ("said on tuesday that its next generation of data centre processors would ship six"): say it in your own words and link to the source',
      );
    });
  });

  const LEGITIMATE: [string, (h: DeskHarness) => Promise<Response>][] = [
    ['the source’s own title as the headline, and an 11-word quotation', async (h) => approve(await edit(await draftWith(h), { ...EDITORIAL, whyNow: `The company says it "${words(EXCERPT, 4, 15)}", a rare acceleration.` }))],
    [
      'editorial text about the same story, in its own words',
      async (h) =>
        approve(
          await edit(await draftWith(h), {
            ...EDITORIAL,
            headline: 'Server chips arrive half a year early',
            summary: 'The chipmaker moves its data centre processor launch forward by six months once packaging issues at its supplier are fixed.',
            whyNow: 'Plants in Arizona and Taiwan can now reach volume production.',
            tags: ['chips', 'data centre', 'Arizona', 'Taiwan'],
          }),
        ),
    ],
    ['two short quotations in different fields (under 40% of the excerpt)', async (h) => approve(await edit(await draftWith(h), { ...EDITORIAL, whyNow: `It said "${words(EXCERPT, 0, 8)}".`, whatChanges: `Rivals note "${words(EXCERPT, 30, 37)}".` }))],
    ['a short Chinese quotation (under 24 characters)', async (h) => approve(await edit(await draftWith(h, ZH, '芯片制造商提前推出服务器处理器'), { ...EDITORIAL, whyNow: `公司称“${ZH.slice(10, 30)}”，这对竞争对手不利。` }))],
    ['a merged draft with its own title as related headline', async (h) => approve(await edit(await mergeInto(await draftWith(h), OTHER_EXCERPT), EDITORIAL))],
  ];

  it.each(LEGITIMATE)('approves: %s', { timeout: 60_000 }, async (_name, run) => {
    await withDesk(async (h) => {
      const r = await run(h);
      expect(r.status, r.text).toBe(200);
    });
  });
});

// Issue 8, item 11, "compare with the excerpts of every draft in the story": approving a draft merges its story's
// other pending members into it (approveStory.ts). A member not merged yet, and a member left pending because
// another editor holds a claim on it, are drafts of the story all the same: their excerpts are sources too.
describe('the copy guard compares with the excerpts of the story’s pending members (issue 8, item 11)', () => {
  async function storyOfTwo(h: DeskHarness): Promise<{ a: string; b: string }> {
    const a = await seedFrom(h, { id: 'reuters', name: 'Reuters' }, { title: TITLE, summary: EXCERPT });
    const b = await seedFrom(h, { id: 'ap', name: 'AP News' }, { title: 'Rival vendors face a squeeze', summary: OTHER_EXCERPT });
    await putStory(h, 's_chips', [a, b]);
    return { a, b };
  }

  async function editAndApprove(h: DeskHarness, id: string, patch: Record<string, unknown>): Promise<Response> {
    const got = await h.api('GET', `/api/drafts/${id}`, { token: h.tokens.editor });
    return approve(await edit({ h, id, version: got.body.version }, patch));
  }

  it.each([
    ['a member not merged yet (the approval would merge it)', false],
    ['a member another editor has claimed (the approval leaves it pending)', true],
  ])('refuses a field that copies the excerpt of %s', { timeout: 60_000 }, async (_name, claimed) => {
    await withDesk(async (h) => {
      const { a, b } = await storyOfTwo(h);
      if (claimed) expect((await h.api('POST', `/api/drafts/${b}/claim`, { token: h.tokens.editor2, body: {} })).status).toBe(200);
      const r = await editAndApprove(h, a, { ...EDITORIAL, whyNow: words(OTHER_EXCERPT, 2, 16) });
      expect(r.status, r.text).toBe(422);
      expect(r.body.error).toBe('copied_text');
      expect(Object.keys(r.body.fields)).toContain('whyNow');
      expect(r.body.message).toContain(b);
      expect(r.body.message).toContain('AP News');
      expect((await h.api('GET', '/api/signals', { token: h.tokens.viewer })).body.signals).toHaveLength(0);
      const member = await h.api('GET', `/api/drafts/${b}`, { token: h.tokens.editor });
      expect(member.body.status).toBe('pending');
    });
  });

  it('approves the same story told in its own words, and merges the free member', { timeout: 60_000 }, async () => {
    await withDesk(async (h) => {
      const { a, b } = await storyOfTwo(h);
      const r = await editAndApprove(h, a, EDITORIAL);
      expect(r.status, r.text).toBe(200);
      expect(r.body.merged).toEqual([b]);
    });
  });
});
