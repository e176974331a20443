import type { CategoryModel } from '../categories/classifier.ts';
import { suggestCategory } from '../categories/suggestCategory.ts';
import type { Taxonomy } from '../categories/types.ts';
import { TAG_MAX, type Annotation, type DraftSignal, type RuleHit } from '../drafts/schema.ts';
import { scoreDraft } from '../drafts/scoreDraft.ts';
import { entityKey, extractEntities } from '../entities/extractEntities.ts';
import { matchRules } from '../rules/matchRules.ts';
import type { RuleSet } from '../rules/types.ts';
import type { StoryRecord } from '../stories/storyRecord.ts';

/** The actor of the annotate stage's writes (audit, desk events); a system actor (review/systemWrites.ts). */
export const ANNOTATE_ACTOR = 'annotate';
const TAGS_MAX = 30;
const HITS_MAX = 50;

export interface AnnotateInputs {
  rules: RuleSet;
  taxonomy: Taxonomy;
  /** The category classifier trained on approvals; null while it has too few. */
  model: CategoryModel | null;
  /** The draft's story record, when it has one (for the score's coverage breadth). */
  story: StoryRecord | undefined;
  /** A source's trust weight (0–1). */
  weightOf: (sourceId: string) => number;
  now: number;
  /** The rules matcher (rules/matchRules.ts unless a caller brings its own). */
  match?: typeof matchRules;
  /** Fields an editor has set on this draft (its audit): the stage leaves them as the editor left them. */
  editorFields?: ReadonlySet<string>;
}

export interface AnnotatedDraft {
  /** The draft with its annotation, rule tags, score and breakdown (and, for a drop, rejected). */
  next: DraftSignal;
  /** Fields that changed, for the audit entry. */
  fields: string[];
  /** The drop rule that took the draft out of the queue, if any. */
  dropped: RuleHit | null;
}

/**
 * One draft's annotation: entities (headline, excerpt, the page's description and keywords), the category
 * suggestion, the rules that match (a category rule sees the draft's category, else the suggestion), their tags
 * added to the draft's, and the explained score. A drop rule rejects the draft, decided by `rule:<name>`, except
 * a draft an editor reopened (an editor's decision stands over a rule). The version is not bumped here. Pure.
 */
export function annotateDraft(draft: DraftSignal, inputs: AnnotateInputs): AnnotatedDraft {
  const page = [draft.enrichment?.description?.value, draft.enrichment?.keywords?.value?.join(', ')].filter(Boolean).join('\n');
  const entities = extractEntities({ headline: draft.headline, excerpt: draft.excerpt, page });
  const keys = [...new Set(entities.map((e) => entityKey(e.name)))];
  const suggestion = suggestCategory({ headline: draft.headline, excerpt: draft.excerpt, sourceId: draft.source.id, entities: keys, keywords: draft.enrichment?.keywords?.value ?? [] }, inputs.taxonomy, inputs.model);
  const outcome = (inputs.match ?? matchRules)(
    { headline: draft.headline, excerpt: draft.excerpt, sourceId: draft.source.id, category: draft.category ?? suggestion?.category ?? null, lang: draft.enrichment?.lang?.value ?? null, entities: keys, tags: draft.tags },
    inputs.rules,
  );
  // An editor who edited the tags or the score owns them: rule tags are not added back, the score is not recomputed over theirs.
  const tags = inputs.editorFields?.has('tags') ? draft.tags : addTags(draft.tags, outcome.tags);
  const annotation: Annotation = {
    at: new Date(inputs.now).toISOString(),
    entities,
    suggestion,
    rules: outcome.hits.slice(0, HITS_MAX),
    boost: Math.max(-100, Math.min(100, outcome.boost)),
    view: outcome.view,
  };
  const annotated: DraftSignal = { ...draft, tags, annotation };
  const { score, components } = scoreDraft(annotated, { story: inputs.story, weightOf: inputs.weightOf, now: inputs.now });
  const kept = inputs.editorFields?.has('score');
  let next: DraftSignal = { ...annotated, score: kept ? draft.score : Math.max(0, Math.min(100, Math.round(score))), scoreBreakdown: components.slice(0, 10) };
  const dropHit = outcome.drop !== null && draft.decision?.action !== 'reopen' && draft.status === 'pending' ? (outcome.hits.find((h) => h.rule === outcome.drop && h.action === 'drop') ?? { rule: outcome.drop, action: 'drop' as const, detail: 'drop rule matched' }) : null;
  if (dropHit) next = { ...next, status: 'rejected', decision: { action: 'drop', by: `rule:${dropHit.rule}`, at: annotation.at, reason: `rule ${dropHit.rule}: ${dropHit.detail}`.slice(0, 500) } };
  const fields = ['annotation', ...(tags.length !== draft.tags.length ? ['tags'] : []), ...(next.score !== draft.score ? ['score'] : []), ...(dropHit ? ['status'] : [])];
  return { next, fields, dropped: dropHit };
}

/** The draft's tags with the rules' tags added (case-insensitively new ones only), at most 30. */
function addTags(tags: string[], added: string[]): string[] {
  const seen = new Set(tags.map((t) => t.toLowerCase()));
  const out = [...tags];
  for (const raw of added) {
    const tag = raw.trim().slice(0, TAG_MAX);
    if (!tag || seen.has(tag.toLowerCase()) || out.length >= TAGS_MAX) continue;
    seen.add(tag.toLowerCase());
    out.push(tag);
  }
  return out;
}
