import { z } from 'zod';
import { HttpLink, HttpUrl } from './httpUrl.ts';

export const DRAFT_STATUSES = ['pending', 'approved', 'rejected', 'merged'] as const;
export const HORIZONS = ['Short term', 'Medium term', 'Long term'] as const;
export const LEVELS = ['Low', 'Medium', 'High'] as const;
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
  editorialConfidence: z.enum(LEVELS).nullable(),
  structuralImpact: z.enum(LEVELS).nullable(),
  // Review state. Defaults keep drafts written before these fields existed readable.
  /** Other coverage of the same event, merged into this draft by an editor. */
  related: z.array(RelatedCoverage).max(50).default([]),
  /** Set when this draft was merged into another. */
  mergedInto: z.string().nullable().default(null),
  /** The last decision (approve, reject, merge, reopen): who, when and, for a rejection, why. */
  decision: z.object({ action: z.string(), by: z.string(), at: isoDate, reason: z.string().optional() }).nullable().default(null),
  updatedAt: isoDate.nullable().default(null),
});

export type DraftSignal = z.infer<typeof DraftSignal>;
export type DraftStatus = (typeof DRAFT_STATUSES)[number];
