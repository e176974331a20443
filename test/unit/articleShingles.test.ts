import { describe, expect, it } from 'vitest';
import { decodePageShingles, MAX_PAGE_SHINGLES, toPageShingles } from '../../src/article/shingles.ts';
import type { DraftSignal } from '../../src/drafts/schema.ts';
import { findArticleCopy } from '../../src/review/findCopiedText.ts';

const ARTICLE =
  'Dock workers at the northern container terminal voted on Thursday to end a nine-day strike, after the operator agreed to a pay rise of six percent over two years. ' +
  'The stoppage had left more than forty ships waiting offshore, and freight forwarders said it would take at least a fortnight to clear the backlog of containers.';
const CJK_ARTICLE = '北部集装箱码头的工人周四投票结束了为期九天的罢工运营商同意在两年内加薪百分之六并审查夜班人员配置';

const draft = (whyNow: string, extra: Partial<DraftSignal> = {}) => ({ headline: null, title: 'Port strike ends', category: null, tags: [], summary: null, whyNow, whyImportant: null, whatChanges: null, winners: [], losers: [], secondOrderEffects: { direct: null, second: null, third: null }, related: [], ...extra }) as unknown as DraftSignal;
const check = (whyNow: string, article = ARTICLE, extra: Partial<DraftSignal> = {}) => findArticleCopy(draft(whyNow, extra), [], { encoded: toPageShingles(article), site: 'harbourtimes.example' });

describe('article shingles: hashes of 8-word windows, never the text', () => {
  it('encodes the same text the same way, as sorted unique 4-byte hashes, and holds none of its words', () => {
    const a = toPageShingles(ARTICLE);
    expect(toPageShingles(ARTICLE)).toBe(a);
    expect(toPageShingles(ARTICLE.toUpperCase().replace(/,/g, ''))).toBe(a); // tokenised as the copy guard does
    const words = ARTICLE.split(/\W+/).length;
    expect(Buffer.from(a, 'base64').length).toBe(4 * (words - 1 - 7)); // one hash per window (trailing split is empty)
    expect(decodePageShingles(a)!.size).toBe(words - 8);
    expect(Buffer.from(a, 'base64').toString('latin1')).not.toMatch(/strike|workers/i);
  });

  it('caps the count: a 100,000-word page keeps at most MAX_PAGE_SHINGLES hashes', () => {
    const long = Array.from({ length: 100_000 }, (_, i) => `word${i}`).join(' ');
    expect(decodePageShingles(toPageShingles(long))!.size).toBe(MAX_PAGE_SHINGLES);
    expect(decodePageShingles('not base64 at all!')).toBeUndefined();
  });
});

describe('findArticleCopy: editorial text that copies the article', () => {
  it('refuses a copied 10-word run, naming the field as the desk labels it and the site', () => {
    const found = check('Workers said it would take at least a fortnight to clear the backlog, we hear.');
    expect(found?.message).toMatch(/^cannot approve: Why now copies 1\d words of the article at harbourtimes\.example \("/);
    expect(Object.keys(found!.fields)).toEqual(['whyNow']);
  });

  it('lets a paraphrase and a 9-word quotation pass', () => {
    expect(check('Forwarders expect two weeks of delays before the container backlog at the terminal is gone.')).toBeUndefined();
    expect(check('It is said the stoppage had left more than forty ships waiting, mostly tankers.')).toBeUndefined(); // 9 words
  });

  it('still matches the run disguised with full-width letters, zero-width spaces and Cyrillic look-alikes, or in quotation marks', () => {
    const run = 'freight forwarders said it would take at least a fortnight';
    expect(check(`As they put it: "${run}".`)).toBeDefined();
    expect(check(run.replace('freight', 'ｆｒｅｉｇｈｔ'))).toBeDefined();
    expect(check(run.replace(/ /g, ' \u200b'))).toBeDefined();
    expect(check(run.replace(/o/g, '\u043e').replace(/a/g, '\u0430'))).toBeDefined();
  });

  it('matches CJK copied without spaces (20 characters = 10 words), and not 18', () => {
    expect(check(`消息称${CJK_ARTICLE.slice(4, 24)}。`, CJK_ARTICLE)?.fields.whyNow).toMatch(/copies 10 words of the article/);
    expect(check(`消息称${CJK_ARTICLE.slice(4, 22)}。`, CJK_ARTICLE)).toBeUndefined();
  });

  it('refuses a field stitched from article pieces shorter than a run (half the field or more)', () => {
    const stitched = 'Dock workers at the northern container terminal voted on. Then, more than forty ships waiting offshore and freight forwarders.';
    expect(check(stitched)?.fields.whyNow).toMatch(/in pieces \(\d+% of the field/);
  });

  it('checks every published field, and the headline only outside the source title it repeats', () => {
    const copied = 'the operator agreed to a pay rise of six percent over two years';
    expect(Object.keys(check('Original.', ARTICLE, { whatChanges: copied })!.fields)).toEqual(['whatChanges']);
    const title = 'Dock workers at the northern container terminal voted on Thursday';
    expect(check('Original.', ARTICLE, { headline: title, title })).toBeUndefined();
    expect(check('Original.', ARTICLE, { headline: `${title}: more`, title })).toBeUndefined();
  });

  it('does nothing without stored shingles', () => {
    expect(findArticleCopy(draft(ARTICLE), [], undefined)).toBeUndefined();
  });
});
