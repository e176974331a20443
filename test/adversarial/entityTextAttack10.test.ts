import { describe, expect, it } from 'vitest';
import { parseTaxonomy } from '../../src/categories/loadTaxonomy.ts';
import { matchTaxonomy } from '../../src/categories/matchTaxonomy.ts';
import { entityKey, extractEntities } from '../../src/entities/extractEntities.ts';
import { readRules } from '../../src/rules/loadRules.ts';
import { matchRules } from '../../src/rules/matchRules.ts';
import { toRuleInput } from '../../src/rules/ruleInput.ts';

// Invisible characters inside a word and look-alike letters of another script inside a Latin word: a reader
// sees "Nvidia" and "Kubernetes"; the entity extractor split "Nvi\u00addia" in two at the soft hyphen, keyed
// "Nvіdia" (Ukrainian і) apart from "nvidia", and the taxonomy never found "Kuber\u00adnetes".
const names = (headline: string) => extractEntities({ headline, excerpt: null, page: null }).map((e) => entityKey(e.name));

describe('entities through invisible and look-alike characters', () => {
  for (const [what, headline] of [
    ['a soft hyphen', 'Nvi\u00addia beats estimates again'],
    ['a zero-width joiner', 'Nvi\u200ddia beats estimates again'],
    ['a word joiner', 'Nvid\u2060ia beats estimates again'],
    ['a Ukrainian і', 'Nv\u0456dia beats estimates again'],
    ['a Greek ν and Cyrillic а', 'N\u03bdidi\u0430 beats estimates again'],
  ] as const) {
    it(`finds Nvidia written with ${what}`, () => expect(names(headline)).toContain('nvidia'));
  }

  it('an entity rule fires on it', () => {
    const { rules } = readRules('rules:\n  - name: chips\n    when: {entity: Nvidia}\n    route: chips\n', 'rules.yaml');
    const draft = { headline: 'Nv\u0456dia beats estimates again', excerpt: null, source: { id: 's' }, category: null, tags: [] } as unknown as Parameters<typeof toRuleInput>[0];
    expect(matchRules(toRuleInput(draft), { rules }).view).toBe('chips');
  });

  it('a name in one script keeps its own letters', () => {
    expect(entityKey('Газпром')).toBe('газпром');
    expect(entityKey('Αθήνα')).toBe('αθήνα');
  });
});

describe('taxonomy keywords through invisible and look-alike characters', () => {
  const taxonomy = parseTaxonomy('categories:\n  - name: Cloud\n    keywords: [kubernetes]\n  - name: Energy\n    keywords: [Газпром]\n', 'categories.yaml');
  const match = (headline: string) => matchTaxonomy({ headline, excerpt: null, sourceId: 's', entities: [], keywords: [] }, taxonomy).map((m) => m.category);
  for (const [what, headline] of [
    ['a soft hyphen', 'Kuber\u00adnetes 2.0 released'],
    ['a zero-width joiner', 'K\u200dubernetes 2.0 released'],
    ['a Cyrillic е', 'Kubern\u0435tes 2.0 released'],
  ] as const) {
    it(`finds kubernetes written with ${what}`, () => expect(match(headline)).toEqual(['Cloud']));
  }
  it('and Cyrillic keywords in Cyrillic text', () => expect(match('Газпром снизил добычу')).toEqual(['Energy']));
});
