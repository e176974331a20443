import { z } from 'zod';
import { Entity } from '../entities/entity.ts';
import { HttpLink, HttpUrl } from './httpUrl.ts';

export const DRAFT_STATUSES = ['pending', 'approved', 'rejected', 'merged'] as const;
export const HORIZONS = ['Short term', 'Medium term', 'Long term'] as const;
/**
 * Editorial confidence and structural impact are whole numbers 0–100 ("Editorial confidence: 90 / 100").
 * Before issue 10 they were Low, Medium or High; a stored draft or published signal that still says so reads
 * as this mapping (and `signal-desk migrate` rewrites stored drafts with it). Documented in the README.
 */
export const LEGACY_LEVELS = { Low: 30, Medium: 60, High: 90 } as const;
export const LEVEL_HINT = 'a whole number from 0 to 100';
/** A 0–100 level; the old words are read through LEGACY_LEVELS (API clients of before issue 10 keep working). */
export const Level = z
  .union([z.number(LEVEL_HINT).int(LEVEL_HINT).min(0, LEVEL_HINT).max(100, LEVEL_HINT), z.enum(['Low', 'Medium', 'High'], LEVEL_HINT).transform((w) => LEGACY_LEVELS[w])], { error: LEVEL_HINT })
  .describe('0–100 (whole number); Low, Medium and High of before issue 10 are read as 30, 60 and 90');
/** "90 / 100", or undefined when not set. */
export function formatLevel(level: number | null): string | undefined {
  return level === null ? undefined : `${level} / 100`;
}
export const EXCERPT_MAX = 280;

const isoDate = z.iso.datetime();

export const RelatedCoverage = z.object({
  draftId: z.string(),
  headline: z.string(),
  sourceName: z.string(),
  link: HttpLink,
});
export type RelatedCoverage = z.infer<typeof RelatedCoverage>;

/**
 * Another source's item that resolved to the same article as this draft (same normalised or canonical
 * URL): recorded by the pipeline instead of a second draft, never dropped. Stored apart from the draft
 * (`{sd}:coverage:<draftId>`, a list the commit script appends to) and joined to it when drafts are read.
 */
export const Coverage = z.object({
  sourceId: z.string(),
  sourceName: z.string(),
  headline: z.string(),
  link: HttpLink,
  /** When the pipeline found it (ISO 8601). */
  at: isoDate,
  /** The item's own date, when the feed gave one. */
  publishedAt: isoDate.nullable().default(null),
});
export type Coverage = z.infer<typeof Coverage>;

/** One page field with its rule. A stored value that no longer fits (a `javascript:` link, an oversized text) reads as null: one bad field never hides the draft. */
const found = <T extends z.ZodType>(value: T) => z.object({ value, rule: z.string() }).nullable().default(null).catch(null);

export const ENRICHMENT_STATES = ['pending', 'done', 'refused', 'failed', 'non_html', 'disabled'] as const;

/**
 * What the article page itself said, filled in by the enrich stage after the draft is in the queue.
 * `state`: pending (queued), done, refused (robots.txt, a private address, a canonical elsewhere…),
 * failed (network, status, size, deadline: `reason` says which), non_html (PDF, video, image: `contentType`),
 * disabled (per source `enrich: false` or the global switch). Each field keeps the rule that gave it.
 */
export const Enrichment = z.object({
  state: z.enum(ENRICHMENT_STATES),
  /** Why it was refused or failed, in words an editor understands ("robots.txt disallows /a1.html"). */
  reason: z.string().max(500).nullable().default(null),
  at: isoDate.nullable().default(null),
  /** The page actually fetched, after redirects. */
  finalUrl: HttpLink.default(null),
  contentType: z.string().max(200).nullable().default(null),
  canonicalUrl: found(HttpUrl),
  title: found(z.string().max(500)),
  description: found(z.string().max(1000)),
  authors: found(z.array(z.string().max(200)).max(20)),
  publishedAt: found(z.string()),
  modifiedAt: found(z.string()),
  siteName: found(z.string().max(200)),
  lang: found(z.string().max(35)),
  image: found(HttpUrl),
  section: found(z.string().max(200)),
  keywords: found(z.array(z.string().max(100)).max(50)),
  type: found(z.string().max(100)),
  isAccessibleForFree: found(z.boolean()),
  wordCount: found(z.number().int().min(0)),
  /** Robots directives that changed what the draft keeps (excerpt dropped or cut, description not kept). */
  robots: z.object({ nosnippet: z.boolean(), maxSnippet: z.number().int().min(0).nullable(), noarchive: z.boolean(), applied: z.array(z.string()) }).nullable().default(null),
});
export type Enrichment = z.infer<typeof Enrichment>;

/** A category the desk suggests, and why ("keywords: GPU, Nvidia" / "like 12 approved signals"). Never applied without an editor. */
export const Suggestion = z.object({
  category: z.string().min(1).max(100),
  from: z.enum(['taxonomy', 'classifier']),
  /** 0–1: the share of the evidence for this category. */
  confidence: z.number().min(0).max(1),
  why: z.string().max(300),
});
export type Suggestion = z.infer<typeof Suggestion>;

export const RULE_ACTIONS = ['boost', 'tag', 'route', 'drop'] as const;
/** One rule of config/rules.yaml that matched the draft, and what it did. */
export const RuleHit = z.object({
  rule: z.string().min(1).max(100),
  action: z.enum(RULE_ACTIONS),
  /** What matched and what it did, for the editor ("keyword 'DRAM' in the headline: +10"). */
  detail: z.string().max(300),
});
export type RuleHit = z.infer<typeof RuleHit>;

/**
 * What the annotate stage found after the draft was committed: entities (headline, excerpt, page metadata),
 * the rules that matched, a category suggestion. Recomputed when the article page is read.
 */
export const Annotation = z.object({
  at: isoDate,
  entities: z.array(Entity.nullable().catch(null)).max(30).transform((l) => l.filter((e): e is Entity => e !== null)),
  suggestion: Suggestion.nullable().catch(null),
  rules: z.array(RuleHit).max(50).catch([]),
  /** Sum of the matched rules' boosts (points of the score, may be negative). */
  boost: z.number().min(-100).max(100).catch(0),
  /** The named desk view a route rule sent the draft to (the last matching route rule). */
  view: z.string().max(100).nullable().catch(null),
});
export type Annotation = z.infer<typeof Annotation>;

export const SCORE_COMPONENTS = ['source_weight', 'freshness', 'coverage', 'rules', 'entities'] as const;
/** One named part of the score, with the points it gave and why, in an editor's words. */
export const ScoreComponent = z.object({
  name: z.enum(SCORE_COMPONENTS),
  label: z.string().max(60),
  points: z.number(),
  detail: z.string().max(300),
});
export type ScoreComponent = z.infer<typeof ScoreComponent>;

/**
 * The draft's story: the cross-source cluster it belongs to (src/stories). `pinned` when an editor moved it
 * there (the pipeline never moves it again); `blocked` the stories an editor split it out of (never rejoined).
 */
export const DraftStory = z.object({
  id: z.string().min(1).max(100),
  pinned: z.boolean().default(false),
  blocked: z.array(z.string()).max(50).default([]),
});
export type DraftStory = z.infer<typeof DraftStory>;

/**
 * A draft signal: metadata about a source item plus the editorial fields of the brief, empty until an
 * editor fills them. By construction it cannot hold the source's body: the only source text is the
 * title (headline) and a short excerpt for editors, capped at EXCERPT_MAX characters.
 */
/** Characters in one tag of a draft; a source's own tags are held to it when the sources file is read. */
export const TAG_MAX = 100;

export const DraftSignal = z.object({
  id: z.string().regex(/^d_[A-Za-z0-9_-]{16}$/),
  version: z.number().int().min(1),
  status: z.enum(DRAFT_STATUSES),
  headline: z.string().min(1).max(300),
  /** The source's own title, as the feed gave it (null without one). Not editable, never published as such: the copy guard lets it, and only it, stand as the headline. */
  title: z.string().max(300).nullable().default(null),
  source: z.object({ id: z.string(), name: z.string(), url: HttpUrl }),
  /** The item's own page; only ever an http(s) URL (see httpUrl.ts), null when the feed gave none or another scheme. */
  link: HttpLink,
  itemKey: z.string(),
  publishedAt: isoDate.nullable(),
  discoveredAt: isoDate,
  author: z.string().max(200).nullable(),
  tags: z.array(z.string().max(TAG_MAX)).max(30),
  category: z.string().nullable(),
  excerpt: z.string().max(EXCERPT_MAX).nullable(),
  score: z.number().int().min(0).max(100),
  horizon: z.enum(HORIZONS).nullable(),
  summary: z.string(),
  whyNow: z.string(),
  whyImportant: z.string(),
  whatChanges: z.string(),
  winners: z.array(z.string()),
  losers: z.array(z.string()),
  secondOrderEffects: z.object({ direct: z.string(), second: z.string(), third: z.string() }),
  /** 0–100; a stored Low/Medium/High reads through LEGACY_LEVELS, anything else unreadable as not set. */
  editorialConfidence: Level.nullable().catch(null),
  structuralImpact: Level.nullable().catch(null),
  // Review state. Defaults keep drafts written before these fields existed readable.
  /** Other coverage of the same event, merged into this draft by an editor. */
  related: z.array(RelatedCoverage).max(50).default([]),
  /** Set when this draft was merged into another. */
  mergedInto: z.string().nullable().default(null),
  /** The last decision (approve, reject, merge, reopen): who, when and, for a rejection, why. */
  decision: z.object({ action: z.string(), by: z.string(), at: isoDate, reason: z.string().optional() }).nullable().default(null),
  updatedAt: isoDate.nullable().default(null),
  /** The article page's own metadata (enrich stage); null before enrichment was queued (drafts older than it). */
  enrichment: Enrichment.nullable().default(null).catch(null),
  /** Entities, rule hits and a category suggestion (annotate stage); null until annotated. */
  annotation: Annotation.nullable().default(null).catch(null),
  /** The story this draft belongs to (story stage); null until assigned (and for drafts older than stories). */
  story: DraftStory.nullable().default(null).catch(null),
  /** How the score was made, component by component (drafts/score.ts `explainScore`); empty for older drafts. */
  scoreBreakdown: z.array(ScoreComponent).max(10).default([]).catch([]),
  /**
   * Other sources' items for the same article, recorded by the pipeline (not by an editor). Not part of the
   * stored draft JSON: kept in its own list and joined on read (review/draftStore.ts); writes leave it out.
   */
  coverage: z
    .array(Coverage.nullable().catch(null))
    .default([])
    .transform((list) => list.filter((c): c is Coverage => c !== null)),
});

export type DraftSignal = z.infer<typeof DraftSignal>;
export type DraftStatus = (typeof DRAFT_STATUSES)[number];
