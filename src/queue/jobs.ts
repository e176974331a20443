import { z } from 'zod';
import { JobDataError } from '../errors.ts';
import { HttpLink } from '../drafts/httpUrl.ts';
import { Signal } from '../publish/signal.ts';

export const POLL_QUEUE = 'poll';
export const INGEST_QUEUE = 'ingest';
export const WEBHOOK_QUEUE = 'webhook';
export const ENRICH_QUEUE = 'enrich';
/** Entities, rules and category suggestions for new (or newly enriched) drafts; many at once across workers. */
export const ANNOTATE_QUEUE = 'annotate';
/** Story assignment: BullMQ global concurrency 1, so one decision at a time across every worker process. */
export const STORY_QUEUE = 'stories';

/** A poll of one source. `runId` marks a poll started by `run --once` (it reports rather than waits). */
export const PollJobData = z.object({
  sourceId: z.string().min(1),
  runId: z.string().optional(),
  /** Position in the source's chain of polls (each poll queues the next, id `p-<source>-<seq>`). */
  seq: z.number().int().min(1).optional(),
});
export type PollJobData = z.infer<typeof PollJobData>;

export const PollResult = z.object({
  sourceId: z.string(),
  outcome: z.enum(['ok', 'not_modified', 'rate_limited']),
  code: z.string(),
  message: z.string(),
  status: z.number().optional(),
  items: z.number().int(),
  /** Items the source's include/exclude filters left out (also in `skipped` as `filtered`). */
  filtered: z.number().int(),
  /** Items of this poll the draft stage made no draft of, by reason (drafts/skipReason.ts); recorded once each in `{sd}:skips:<id>`. */
  skipped: z.record(z.string(), z.number().int()).default({}),
  alreadySeen: z.number().int(),
  candidates: z.number().int(),
  /** The poll's ingest: its single job, or the parent of its chunks (queue/queueIngest.ts). */
  ingestJobId: z.string().optional(),
  movedTo: z.string().optional(),
});
export type PollResult = z.infer<typeof PollResult>;

const FeedItemData = z.object({
  key: z.string(),
  guid: z.string().nullable(),
  url: z.string().nullable(),
  title: z.string().nullable(),
  author: z.string().nullable(),
  publishedAt: z.string().nullable(),
  updatedAt: z.string().nullable(),
  categories: z.array(z.string()),
  summary: z.string().nullable(),
});

/** A new item with the digests the poll stage computed for it, so the draft stage does not compute them again. */
const IngestItemData = FeedItemData.extend({
  /** Only an http(s) link crosses the queue; any other scheme arrives as null (the item becomes a draft without a link). */
  url: HttpLink,
  itemHash: z.string().min(1),
  urlHash: z.string().min(1).nullable(),
});

/** New items of one poll, handed from the poll worker to the draft stage. Carries a snapshot of the source. */
export const IngestJobData = z.object({
  source: z.object({
    id: z.string(),
    name: z.string(),
    url: z.string(),
    weight: z.number(),
    category: z.string().optional(),
    tags: z.array(z.string()),
  }),
  discoveredAt: z.iso.datetime(),
  items: z.array(IngestItemData).min(1),
});
export type IngestJobData = z.infer<typeof IngestJobData>;

/** What a poll's ingest reports (the single job, or the parent of its chunks): the drafts it created. */
export const IngestResult = z.object({
  created: z.array(z.string()),
  duplicates: z.number().int(),
  /** Items recorded as related coverage on an existing draft of the same article (another source's link to it). */
  related: z.number().int().default(0),
  /** Items this job made no draft of, by reason (an item `toDraft` refuses: `unreadable`); recorded once each in `{sd}:skips:<id>`. */
  skipped: z.record(z.string(), z.number().int()).default({}),
});
export type IngestResult = z.infer<typeof IngestResult>;

/**
 * The parent of a large poll's ingest jobs (`ingest-poll`, see queue/queueIngest.ts), which BullMQ runs once
 * every chunk (a child job with IngestJobData) has committed.
 */
export const IngestPollJobData = z.object({
  sourceId: z.string().min(1),
  discoveredAt: z.iso.datetime(),
  chunks: z.number().int().min(2),
});
export type IngestPollJobData = z.infer<typeof IngestPollJobData>;

/**
 * What one chunk hands its parent. Not `created`: only a poll's own result carries that, so whoever counts
 * new drafts from the ingest queue's completions (the desk's live events) counts each draft once.
 */
export const IngestChunkResult = z.object({
  drafted: z.array(z.string()),
  duplicates: z.number().int(),
  related: z.number().int().default(0),
  skipped: z.record(z.string(), z.number().int()).default({}),
});
export type IngestChunkResult = z.infer<typeof IngestChunkResult>;

/** One article page to read for a draft's metadata (job id `enrich-<digest of the normalised link>`: one fetch per article). */
export const EnrichJobData = z.object({
  draftId: z.string().min(1),
  sourceId: z.string().min(1),
  url: z.url({ protocol: /^https?$/ }),
});
export type EnrichJobData = z.infer<typeof EnrichJobData>;

/** What an enrichment did: the state recorded on the draft (or `skipped`: the draft was gone or no longer pending). */
export const EnrichResult = z.object({
  draftId: z.string(),
  state: z.enum(['done', 'refused', 'failed', 'non_html', 'skipped']),
  reason: z.string().nullable(),
  /** Set when the page's canonical URL belongs to an article another draft already holds. */
  foldedInto: z.string().optional(),
});
export type EnrichResult = z.infer<typeof EnrichResult>;

/** Drafts to annotate: the new drafts of one ingest commit, or one draft whose article page was read. */
export const AnnotateJobData = z.object({
  draftIds: z.array(z.string().min(1)).min(1).max(1000),
  reason: z.enum(['new', 'enriched']),
});
export type AnnotateJobData = z.infer<typeof AnnotateJobData>;

export const AnnotateResult = z.object({
  annotated: z.number().int(),
  /** Drafts a `drop` rule took out of the queue (rejected, audited with the rule's name). */
  dropped: z.array(z.object({ draftId: z.string(), sourceId: z.string(), rule: z.string() })),
  /** The story job queued for the annotated drafts. */
  storyJobId: z.string().optional(),
});
export type AnnotateResult = z.infer<typeof AnnotateResult>;

/** Drafts to place in stories, oldest first (queued by the annotate job). */
export const StoryJobData = z.object({
  draftIds: z.array(z.string().min(1)).min(1).max(1000),
  reason: z.enum(['new', 'enriched']),
});
export type StoryJobData = z.infer<typeof StoryJobData>;

export const StoryResult = z.object({
  assigned: z.array(z.object({ draftId: z.string(), storyId: z.string(), joined: z.boolean() })),
  skipped: z.number().int(),
});
export type StoryResult = z.infer<typeof StoryResult>;

/** One published signal to deliver to the webhook. */
export const WebhookJobData = z.object({ signal: Signal });

/** Validates job data at either end of a queue; a mismatch is a bug or a version skew, never retried. */
export function validateJobData<T>(schema: z.ZodType<T>, data: unknown, what: string): T {
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    throw new JobDataError(`${what} job data is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  }
  return parsed.data;
}
