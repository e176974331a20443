import type { CategoryInput, Suggestion, Taxonomy } from './types.ts';

/** Placeholder of the contract commit: no suggestion. The categories helper replaces it (taxonomy, then the classifier's model). Pure. */
export function suggestCategory(input: CategoryInput, taxonomy: Taxonomy, model: unknown): Suggestion | null {
  void input;
  void taxonomy;
  void model;
  return null;
}
