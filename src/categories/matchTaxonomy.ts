import { entityKey } from '../entities/entity.ts';
import type { CategoryInput, Taxonomy } from './types.ts';
import { toWords } from './words.ts';

/** Points one piece of evidence gives a category: a keyword in the headline says most, a source's default least. */
export const EVIDENCE_POINTS = { headline: 3, excerpt: 1, keywords: 1, entity: 2, source: 1 } as const;
/** Categories listed under one word, one entity or one source that are considered: a word every category uses is no evidence, and the cost stays bounded. */
export const POSTINGS_MAX = 64;
/** Words in one keyword phrase. */
const PHRASE_WORDS_MAX = 8;

interface Phrase {
  words: string[];
  category: number;
  keyword: string;
}

interface TaxonomyIndex {
  /** First word of a keyword → the keywords starting with it. */
  phrases: Map<string, Phrase[]>;
  entities: Map<string, { category: number; name: string }[]>;
  sources: Map<string, number[]>;
}

export interface TaxonomyMatch {
  category: string;
  /** Position in the file (ties go to the earlier category). */
  order: number;
  points: number;
  /** Keywords found, with the field each was found in first. */
  keywords: { keyword: string; field: 'headline' | 'excerpt' | 'keywords' }[];
  entities: string[];
  /** True when the draft's source names this category in `default_for`. */
  source: boolean;
}

const indexes = new WeakMap<Taxonomy, TaxonomyIndex>();

/** The taxonomy's lookup tables, built once per loaded taxonomy (so 10,000 categories cost a lookup per word, not a scan). */
function indexOf(taxonomy: Taxonomy): TaxonomyIndex {
  const cached = indexes.get(taxonomy);
  if (cached) return cached;
  const index: TaxonomyIndex = { phrases: new Map(), entities: new Map(), sources: new Map() };
  taxonomy.categories.forEach((c, category) => {
    for (const keyword of c.keywords) {
      const words = toWords(keyword).slice(0, PHRASE_WORDS_MAX);
      if (words.length === 0) continue;
      push(index.phrases, words[0]!, { words, category, keyword });
    }
    for (const name of c.entities) push(index.entities, entityKey(name), { category, name });
    for (const id of c.defaultFor) push(index.sources, id, category);
  });
  indexes.set(taxonomy, index);
  return index;
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/**
 * The categories whose keywords, entities or source defaults the draft shows, best first, with the evidence.
 * Pure; bounded by the text read (words.ts TEXT_MAX) times POSTINGS_MAX.
 */
export function matchTaxonomy(input: CategoryInput, taxonomy: Taxonomy): TaxonomyMatch[] {
  if (taxonomy.categories.length === 0) return [];
  const index = indexOf(taxonomy);
  const found = new Map<number, TaxonomyMatch>();
  const at = (category: number): TaxonomyMatch => {
    let m = found.get(category);
    if (!m) found.set(category, (m = { category: taxonomy.categories[category]!.name, order: category, points: 0, keywords: [], entities: [], source: false }));
    return m;
  };
  const fields: ['headline' | 'excerpt' | 'keywords', string][] = [
    ['headline', input.headline],
    ['excerpt', input.excerpt ?? ''],
    ['keywords', input.keywords.join(' · ')],
  ];
  for (const [field, text] of fields) {
    const words = toWords(text);
    for (let i = 0; i < words.length; i++) {
      const phrases = index.phrases.get(words[i]!);
      if (!phrases || phrases.length > POSTINGS_MAX) continue;
      for (const p of phrases) {
        if (!startsAt(words, i, p.words)) continue;
        const m = at(p.category);
        if (m.keywords.some((k) => k.keyword === p.keyword)) continue;
        m.keywords.push({ keyword: p.keyword, field });
        m.points += EVIDENCE_POINTS[field];
      }
    }
  }
  for (const key of new Set(input.entities.map(entityKey))) {
    const hits = index.entities.get(key);
    if (!hits || hits.length > POSTINGS_MAX) continue;
    for (const h of hits) {
      const m = at(h.category);
      m.entities.push(h.name);
      m.points += EVIDENCE_POINTS.entity;
    }
  }
  for (const category of (index.sources.get(input.sourceId) ?? []).slice(0, POSTINGS_MAX)) {
    const m = at(category);
    m.source = true;
    m.points += EVIDENCE_POINTS.source;
  }
  return [...found.values()].sort((a, b) => b.points - a.points || a.order - b.order);
}

function startsAt(words: string[], i: number, phrase: string[]): boolean {
  for (let j = 0; j < phrase.length; j++) if (words[i + j] !== phrase[j]) return false;
  return true;
}

