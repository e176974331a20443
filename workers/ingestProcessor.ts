import { UnrecoverableError, type Job } from 'bullmq';
import { commitDrafts } from '../src/dedupe/seenStore.ts';
import { ageRank, reviewRank } from '../src/drafts/score.ts';
import { addCounts, recordSkips, tallySkips, type ItemSkip } from '../src/drafts/recordSkips.ts';
import type { DraftSignal } from '../src/drafts/schema.ts';
import { skipReason } from '../src/drafts/skipReason.ts';
import { toCoverageJson, toDraft, toStoredJson } from '../src/drafts/toDraft.ts';
import { JobDataError } from '../src/errors.ts';
import { queueEnrichment } from '../src/enrich/queueEnrichment.ts';
import { queueAnnotation } from '../src/annotate/queueAnnotation.ts';
import { failpoint } from '../src/failpoint.ts';
import { IngestChunkResult, IngestJobData, IngestPollJobData, validateJobData, type IngestResult } from '../src/queue/jobs.ts';
import { INGEST_POLL_JOB } from '../src/queue/queueIngest.ts';
import { recordIngestDone, recordIngestFailure } from '../src/schedule/ingestHealth.ts';
import type { WorkerContext } from './context.ts';

/**
 * The draft stage: new items become draft signals in the review queue, exactly once each (the commit
 * is atomic per item; see dedupe/seenStore.ts). Deterministic for a given job, so a retry after a
 * crash writes the same drafts and finds them already there. A large poll comes as chunks (child jobs)
 * under one `ingest-poll` parent, which reports the poll's drafts once every chunk has committed.
 * An ingest that fails for good is recorded in the source's health, with its validators dropped.
 */
export function createIngestProcessor(ctx: WorkerContext) {
  return async (job: Job): Promise<IngestResult | IngestChunkResult> => {
    const sourceId: unknown = job.data?.sourceId ?? job.data?.source?.id;
    try {
      return job.name === INGEST_POLL_JOB ? await finishPoll(ctx, job) : await commitItems(ctx, job);
    } catch (err) {
      const final = err instanceof UnrecoverableError || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      if (final && typeof sourceId === 'string') {
        await recordIngestFailure(ctx.redis, ctx.keys, sourceId, { jobId: job.id ?? '?', message: (err as Error).message, at: ctx.clock.now() }).catch((e: Error) =>
          ctx.logger.error({ error: e.message, source_id: sourceId, job_id: job.id }, 'could not record the failed ingest in the source health'),
        );
        // The message only: a Redis error carries the whole command, a thousand drafts' JSON.
        ctx.logger.error({ source_id: sourceId, job_id: job.id, error: (err as Error).message }, `ingest failed for good: drafts not written; ${sourceId}'s validators dropped, its next poll fetches the whole feed`);
      }
      throw err;
    }
  };
}

async function commitItems(ctx: WorkerContext, job: Job): Promise<IngestResult | IngestChunkResult> {
  let data: IngestJobData;
  try {
    data = validateJobData(IngestJobData, job.data, 'ingest');
  } catch (err) {
    if (err instanceof JobDataError) throw new UnrecoverableError(err.message);
    throw err;
  }
  // The draft stage's own checks: an item that cannot be a signal (queued by a version that did not skip it at
  // the poll), or that toDraft refuses, costs that item only; each is counted once in the source's skips.
  const skips: ItemSkip[] = [];
  const records = data.items.flatMap((item) => {
    const reason = skipReason(item, {});
    if (reason) {
      skips.push({ reason, itemHash: item.itemHash });
      return [];
    }
    let draft: DraftSignal;
    try {
      draft = toDraft(item, data.source, data.discoveredAt);
    } catch (err) {
      ctx.logger.warn({ source_id: data.source.id, job_id: job.id, item_key: item.key.slice(0, 200), error: (err as Error).message.slice(0, 500) }, 'item not readable as a draft: skipped');
      skips.push({ reason: 'unreadable', itemHash: item.itemHash });
      return [];
    }
    return [{
      itemHash: item.itemHash,
      urlHash: item.urlHash ?? undefined,
      draftId: draft.id,
      rank: reviewRank(draft.score, draft.discoveredAt),
      age: ageRank(draft.publishedAt, draft.discoveredAt),
      json: toStoredJson(draft),
      coverage: toCoverageJson(draft),
    }];
  });
  await recordSkips(ctx.redis, ctx.keys, data.source.id, skips, ctx.clock.now(), ctx.metrics);
  const skipped = tallySkips(skips);
  failpoint('ingest.beforeCommit');
  const outcomes = await commitDrafts(ctx.redis, ctx.keys, data.source.id, records, ctx.clock.now(), ctx.settings.seenTtlMs);
  failpoint('ingest.afterCommit');
  const ids = records.filter((_, i) => outcomes[i] === 'created').map((r) => r.draftId);
  const related = outcomes.filter((o) => o === 'related').length;
  const duplicates = records.length - ids.length - related;
  // Not only the drafts this attempt created: a retry after a crash between the commit and this call finds its
  // drafts already committed (duplicates now). Those still exactly as the commit wrote them (never marked, never
  // edited) are queued again, under the same job ids.
  const duplicateIdx = outcomes.flatMap((o, i) => (o === 'duplicate' ? [i] : []));
  const stored = duplicateIdx.length > 0 ? await ctx.redis.mget(...duplicateIdx.map((i) => ctx.keys.draft(records[i]!.draftId))) : [];
  const unmarked = new Set(duplicateIdx.filter((i, n) => stored[n] === records[i]!.json));
  await queueEnrichment({ redis: ctx.redis, keys: ctx.keys, queue: ctx.queues.enrich, switches: { enabled: ctx.settings.enrich, sourceEnrich: ctx.sources.get(data.source.id)?.enrich !== false }, now: ctx.clock.now() }, data.source.id, records.filter((_, i) => outcomes[i] === 'created' || unmarked.has(i)));
  // Annotated (then placed in stories): this job's drafts, whichever attempt committed them. A retry after a crash
  // finds them as duplicates still carrying this job's discoveredAt, so it names the same drafts, hence the same
  // annotate job id (queued once); a true duplicate of an earlier poll has that poll's discoveredAt.
  const ours = new Set(duplicateIdx.filter((i, n) => stored[n] === records[i]!.json || discoveredAtOf(stored[n]) === data.discoveredAt));
  await queueAnnotation(ctx.queues.annotate, records.filter((_, i) => outcomes[i] === 'created' || ours.has(i)).map((r) => r.draftId), 'new');
  failpoint('ingest.afterAnnotateQueued');
  ctx.metrics.items.inc({ kind: 'new' }, ids.length);
  if (duplicates > 0) ctx.metrics.items.inc({ kind: 'duplicate' }, duplicates);
  if (related > 0) ctx.metrics.items.inc({ kind: 'related' }, related);
  ctx.logger.info({ source_id: data.source.id, job_id: job.id, created: ids.length, duplicates, related }, 'drafts created');
  if (job.parent) return { drafted: ids, duplicates, related, skipped };
  await recordIngestDone(ctx.redis, ctx.keys, data.source.id, { id: job.id!, discoveredAt: data.discoveredAt });
  return { created: ids, duplicates, related, skipped };
}

/** The parent of a chunked poll: every chunk has committed; their drafts are the poll's. */
async function finishPoll(ctx: WorkerContext, job: Job): Promise<IngestResult> {
  let data: IngestPollJobData;
  try {
    data = validateJobData(IngestPollJobData, job.data, 'ingest-poll');
  } catch (err) {
    if (err instanceof JobDataError) throw new UnrecoverableError(err.message);
    throw err;
  }
  const result: IngestResult = { created: [], duplicates: 0, related: 0, skipped: {} };
  for (const value of Object.values(await job.getChildrenValues())) {
    const chunk = IngestChunkResult.parse(value);
    for (const id of chunk.drafted) result.created.push(id);
    result.duplicates += chunk.duplicates;
    result.related += chunk.related;
    result.skipped = addCounts(result.skipped, chunk.skipped);
  }
  await recordIngestDone(ctx.redis, ctx.keys, data.sourceId, { id: job.id!, discoveredAt: data.discoveredAt });
  ctx.logger.info({ source_id: data.sourceId, job_id: job.id, chunks: data.chunks, created: result.created.length, duplicates: result.duplicates, related: result.related }, 'drafts of a large poll created');
  return result;
}

/** The discoveredAt of a stored draft's JSON (null when absent or unreadable). */
function discoveredAtOf(json: string | null | undefined): string | null {
  if (!json) return null;
  try {
    const v = (JSON.parse(json) as { discoveredAt?: unknown }).discoveredAt;
    return typeof v === 'string' ? v : null;
  } catch {
    return null;
  }
}
