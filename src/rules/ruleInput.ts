import type { DraftSignal } from '../drafts/schema.ts';
import { entityKey, extractEntities, type Entity } from '../entities/extractEntities.ts';
import type { RuleInput } from './types.ts';

/**
 * What the rules see of a draft: its headline, excerpt, source, Category, tags, the article page's language,
 * and its entities (those given, else its annotation's, else extracted now from the headline, excerpt and
 * page description and keywords, as the annotate stage does). Pure.
 */
export function toRuleInput(draft: DraftSignal, entities?: readonly Entity[]): RuleInput {
  const found =
    entities ??
    draft.annotation?.entities ??
    extractEntities({
      headline: draft.headline,
      excerpt: draft.excerpt,
      page: [draft.enrichment?.description?.value, ...(draft.enrichment?.keywords?.value ?? [])].filter(Boolean).join('. ') || null,
    });
  return {
    headline: draft.headline,
    excerpt: draft.excerpt,
    sourceId: draft.source.id,
    category: draft.category,
    lang: draft.enrichment?.lang?.value ?? null,
    entities: [...new Set(found.map((e) => entityKey(e.name)))],
    tags: draft.tags,
  };
}
