import { describe, expect, it } from 'vitest';
import { groupFacets } from '../../src/search/readFacets.ts';
import { searchEntry } from '../../src/search/searchIndex.ts';
import { draftTokens, foldSearchText, matchesTerms, parseSearchQuery, QUERY_TERMS_MAX, toSearchTokens, TOKEN_MAX, TOKENS_PER_DRAFT, type SearchableDraft } from '../../src/search/searchText.ts';

const draft = (over: Partial<SearchableDraft> = {}): SearchableDraft => ({
  headline: 'DRAM prices climb',
  excerpt: 'The memory market in Zürich tightens.',
  summary: '',
  tags: ['Memory'],
  category: 'Hardware',
  source: { id: 'toms', name: 'Tom’s Hardware' },
  author: 'Łukasz Müller',
  status: 'pending',
  ...over,
});
const finds = (d: SearchableDraft, q: string) => matchesTerms(draftTokens(d).words, parseSearchQuery(q));

describe('search text (pure)', () => {
  it('folds case, accents, compatibility widths, invisible and bidi characters, and letters without a decomposition', () => {
    expect(foldSearchText('ＤＲＡＭ Zürich ﬁnance São')).toBe('dram zurich finance sao');
    expect(toSearchTokens('se\u200Bmi\u00ADcon\u2060duc\u202Etor\u200F')).toEqual(['semiconductor']);
    expect(toSearchTokens('Łódź Øresund straße')).toEqual(['lodz', 'oresund', 'strasse']);
    // A Cyrillic look-alike inside a Latin word is the Latin letter; a word all in Cyrillic stays Cyrillic.
    expect(toSearchTokens('Nvіdia Газпром')).toEqual(['nvidia', 'газпром']);
  });

  it('cuts CJK and Thai runs into character pairs (every character starts a token) and keeps Latin inside them apart', () => {
    expect(toSearchTokens('台积电扩产')).toEqual(['台积', '积电', '电扩', '扩产', '产']);
    expect(toSearchTokens('gpu芯片')).toEqual(['gpu', '芯片', '片']);
    expect(parseSearchQuery('半导体')).toEqual([{ text: '半导', prefix: false }, { text: '导体', prefix: false }]);
    expect(parseSearchQuery('芯')).toEqual([{ text: '芯', prefix: true }]);
    const cjk = draft({ headline: '台积电扩大半导体产能' });
    expect(finds(cjk, '半导体')).toBe(true);
    expect(finds(cjk, '产')).toBe(true);
    expect(finds(cjk, '半体')).toBe(false);
  });

  it('every query word must start a word of the headline, tags, source name, author, excerpt or summary', () => {
    const d = draft();
    for (const q of ['dram', 'DRA', 'memory', 'zurich', 'zür', 'lukasz', 'muller', 'hardw', 'tom', 'mem tight', 'ＤＲＡＭ']) expect(finds(d, q), q).toBe(true);
    for (const q of ['ram', 'dram wafer', 'ardware', 'xyz']) expect(finds(d, q), q).toBe(false);
    expect(finds(draft({ headline: 'Semiconductors rally' }), 'semicond')).toBe(true);
  });

  it('function words are not indexed from the excerpt, and are left out of a query with other words', () => {
    const d = draft({ headline: 'Fed holds rates', excerpt: 'The Fed is in no hurry.' });
    expect(draftTokens(d).words).not.toContain('the');
    expect(parseSearchQuery('the fed')).toEqual([{ text: 'fed', prefix: true }]);
    expect(finds(d, 'the fed')).toBe(true);
    // Alone, a function word is a prefix like any other.
    expect(parseSearchQuery('the')).toEqual([{ text: 'the', prefix: true }]);
  });

  it('symbols and regex metacharacters are no words: a query of only symbols has no terms; the query and the entry are bounded', () => {
    expect(parseSearchQuery('.* % ( [ \\ ^$ | ? + {2}')).toEqual([{ text: '2', prefix: true }]);
    expect(parseSearchQuery('* % --')).toEqual([]);
    expect(parseSearchQuery(Array.from({ length: 50 }, (_, i) => `w${i}`).join(' '))).toHaveLength(QUERY_TERMS_MAX);
    expect(toSearchTokens('x'.repeat(500))).toEqual(['x'.repeat(TOKEN_MAX)]);
    const many = draft({ headline: Array.from({ length: 200 }, (_, i) => `word${i}`).join(' ') });
    expect(draftTokens(many).words).toHaveLength(TOKENS_PER_DRAFT);
    expect(finds(many, 'word0')).toBe(true);
  });

  it('an entry holds the status, words, filter tokens (tag, category, source id and name) and facets, one a line, no line break or NUL from the data', () => {
    const entry = searchEntry(draft({ tags: ['AI\nnews', 'x\u0000y'] }));
    const lines = entry.split('\n');
    expect(lines[0]).toBe('pending');
    expect(lines).toContain('\u0001t:ai news');
    expect(lines).toContain('\u0001c:hardware');
    expect(lines).toContain('\u0001s:toms');
    expect(lines).toContain('\u0001s:tom’s hardware');
    expect(lines).toContain('\u0002t\u0000AI news');
    expect(lines).toContain('\u0002t\u0000x y');
    expect(lines.filter((l) => l.startsWith('\u0002')).every((l) => l.split('\u0000').length <= 3)).toBe(true);
  });

  it('facets: spellings that fold alike are one value under the commonest; sources by id under their commonest name', () => {
    expect(groupFacets({ 't\u0000AI': '3', 't\u0000ai': '1', 't\u0000Chips': '2', 'c\u0000Hardware': '2', 's\u0000toms\u0000Tom’s': '4', 's\u0000toms\u0000Toms old': '1', 't\u0000gone': '0' })).toEqual({
      categories: [{ value: 'Hardware', count: 2 }],
      tags: [{ value: 'AI', count: 4 }, { value: 'Chips', count: 2 }],
      sources: [{ id: 'toms', name: 'Tom’s', count: 5 }],
    });
  });
});
