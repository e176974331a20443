import { describe, expect, it } from 'vitest';
import { readRules } from '../../src/rules/loadRules.ts';
import { matchRules } from '../../src/rules/matchRules.ts';

// A hostile publisher steps around the operator's drop rule with characters a reader never sees: a soft
// hyphen, a zero-width joiner or a word joiner inside the word, a Cyrillic "о" for the Latin one, or (for
// patterns, which ran on the raw text) full-width letters. The desk shows "Sponsored"; the rule did not fire.
const { rules, issues } = readRules(
  [
    'rules:',
    '  - name: sponsored',
    '    when: {keyword: sponsored}',
    '    drop: true',
    '  - name: advertorial',
    "    when: {regex: '^\\s*advertorial\\b'}",
    '    drop: true',
    '  - name: russian',
    '    when: {keyword: Газпром}',
    '    tag: energy',
    '',
  ].join('\n'),
  'rules.yaml',
);
const base = { excerpt: null, sourceId: 's', category: null, lang: null, entities: [], tags: [] };
const drop = (headline: string, excerpt: string | null = null) => matchRules({ ...base, headline, excerpt }, { rules }).drop;

describe('rules see through invisible and look-alike characters', () => {
  it('the file is valid', () => expect(issues).toEqual([]));

  for (const [what, headline] of [
    ['a soft hyphen', 'Spon\u00adsored: the best VPN'],
    ['a zero-width joiner', 'Spon\u200dsored: the best VPN'],
    ['a zero-width non-joiner', 'Spon\u200csored: the best VPN'],
    ['a word joiner', 'S\u2060ponsored: the best VPN'],
    ['a byte-order mark', 'Sponsor\ufeffed: the best VPN'],
    ['a Cyrillic о', 'Sp\u043ensored: the best VPN'],
    ['a Greek ο and a Cyrillic е', 'Sp\u03bfnsor\u0435d: the best VPN'],
  ] as const) {
    it(`a keyword is found with ${what} inside it`, () => expect(drop(headline)).toBe('sponsored'));
  }

  for (const [what, headline] of [
    ['full-width letters', '\uff21\uff44\uff56\uff45\uff52\uff54\uff4f\uff52\uff49\uff41\uff4c: our partner'],
    ['a soft hyphen', 'Adver\u00adtorial: our partner'],
    ['mathematical bold letters', '\u{1d400}dvertorial: our partner'],
  ] as const) {
    it(`a pattern matches with ${what}`, () => expect(drop(headline)).toBe('advertorial'));
  }

  it('in the excerpt too', () => expect(drop('A fine headline', 'Spon\u00adsored content')).toBe('sponsored'));

  it('and no more than that: other scripts still match their own keywords, and not Latin ones', () => {
    expect(matchRules({ ...base, headline: 'Газпром заявил о росте' }, { rules }).tags).toEqual(['energy']);
    expect(drop('Модем и спонсор')).toBeNull();
    expect(drop('Sponsoredness is not a word')).toBeNull();
  });
});
