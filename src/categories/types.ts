import type { Suggestion } from '../drafts/schema.ts';

/** One category of the taxonomy (config/categories.yaml), as validated: keywords and entities already normalised for matching. */
export interface TaxonomyCategory {
  name: string;
  /** Words or phrases that point at this category (matched as whole words, case- and accent-insensitively). */
  keywords: readonly string[];
  /** Entity names (matched on `entityKey`) that point at this category. */
  entities: readonly string[];
  /** Source ids whose drafts lean to this category (a weak hint, outweighed by any keyword or entity). */
  defaultFor: readonly string[];
}

/** A validated taxonomy (config/categories.yaml). */
export interface Taxonomy {
  categories: readonly TaxonomyCategory[];
}

/** The taxonomy in force, reloaded live when the file changes. */
export interface TaxonomySource {
  current(): Taxonomy;
  /** Re-reads the file now (SIGHUP); false when it was refused and the taxonomy in force stays. */
  reload?(why: string): Promise<boolean>;
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
