import type { Suggestion } from '../drafts/schema.ts';

/** A validated taxonomy (config/categories.yaml). The categories helper defines its entries. */
export interface Taxonomy {
  categories: readonly { name: string }[];
}

/** The taxonomy in force, reloaded live when the file changes. */
export interface TaxonomySource {
  current(): Taxonomy;
}

export interface CategoryInput {
  headline: string;
  excerpt: string | null;
  sourceId: string;
  /** Entity keys. */
  entities: string[];
  keywords: string[];
}

export type { Suggestion };
