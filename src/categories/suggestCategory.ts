import type { CategoryModel } from './classifier.ts';
import { draftCategoryText } from './classifier.ts';
import { matchTaxonomy, type TaxonomyMatch } from './matchTaxonomy.ts';
import type { CategoryInput, Suggestion, Taxonomy } from './types.ts';

/** Points at which a taxonomy match counts as sure (a headline keyword and an entity, say); fewer scale its confidence down. */
const SURE_POINTS = 5;
/** The classifier speaks only when it is at least this sure, and surer than the taxonomy. */
export const MODEL_MIN_PROBABILITY = 0.6;

/**
 * The category to suggest for a draft, and why. The taxonomy first (config/categories.yaml: keywords in the
 * headline weigh most, then entities, the excerpt and page keywords, a source's default least); the classifier
 * trained on approved signals when it has learnt enough and is surer than the taxonomy. Never applied by
 * itself: the desk shows it, an editor accepts it. Pure.
 */
export function suggestCategory(input: CategoryInput, taxonomy: Taxonomy, model: CategoryModel | null | undefined): Suggestion | null {
  const matches = matchTaxonomy(input, taxonomy);
  const fromTaxonomy = matches.length > 0 ? taxonomySuggestion(matches) : null;
  const guess = model?.classify(draftCategoryText(input));
  if (guess && guess.probability >= MODEL_MIN_PROBABILITY && guess.probability > (fromTaxonomy?.confidence ?? 0)) {
    const words = guess.words.length ? ` (words: ${guess.words.join(', ')})` : '';
    return {
      category: guess.category.slice(0, 100),
      from: 'classifier',
      confidence: round(guess.probability),
      why: cut(`like ${guess.like} approved signal${guess.like === 1 ? '' : 's'} in ${guess.category}${words}; ${Math.round(guess.probability * 100)} % sure, from ${model!.samples} approvals`),
    };
  }
  return fromTaxonomy;
}

function taxonomySuggestion(matches: TaxonomyMatch[]): Suggestion {
  const best = matches[0]!;
  const total = matches.reduce((sum, m) => sum + m.points, 0);
  const confidence = (best.points / total) * Math.min(1, best.points / SURE_POINTS);
  const parts: string[] = [];
  for (const field of ['headline', 'excerpt', 'keywords'] as const) {
    const words = best.keywords.filter((k) => k.field === field).map((k) => k.keyword);
    if (words.length) parts.push(`${words.length === 1 ? 'keyword' : 'keywords'} ${words.join(', ')} in the ${field === 'keywords' ? "page's keywords" : field}`);
  }
  if (best.entities.length) parts.push(`${best.entities.length === 1 ? 'entity' : 'entities'} ${best.entities.join(', ')}`);
  if (best.source) parts.push('the default for this source');
  const others = matches.length > 1 ? `; also ${matches.slice(1, 3).map((m) => m.category).join(', ')}` : '';
  return { category: best.category, from: 'taxonomy', confidence: round(confidence), why: cut(`${parts.join('; ')}${others}`) };
}

function round(n: number): number {
  return Math.round(Math.min(1, Math.max(0, n)) * 1000) / 1000;
}

function cut(text: string): string {
  return text.length <= 300 ? text : `${text.slice(0, 299)}…`;
}
