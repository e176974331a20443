import { UnrecoverableError, type Job } from 'bullmq';
import { commitDrafts } from '../src/dedupe/seenStore.ts';
import { ageRank, reviewRank } from '../src/drafts/score.ts';
import { toDraft } from '../src/drafts/toDraft.ts';
import { JobDataError } from '../src/errors.ts';
import { failpoint } from '../src/failpoint.ts';
import { IngestJobData, validateJobData, type IngestResult } from '../src/queue/jobs.ts';
import type { WorkerContext } from './context.ts';

/**
 * The draft stage: new items become draft signals in the review queue, exactly once each (the commit
 * is one atomic script; see dedupe/seenStore.ts). Deterministic for a given job, so a retry after a
 * crash writes the same drafts and finds them already there.
 */
export function createIngestProcessor(ctx: WorkerContext) {
  return async (job: Job): Promise<IngestResult> => {
    let data: IngestJobData;
    try {
      data = validateJobData(IngestJobData, job.data, 'ingest');
    } catch (err) {
      if (err instanceof JobDataError) throw new UnrecoverableError(err.message);
      throw err;
    }
    const records = data.items.map((item) => {
      const draft = toDraft(item, data.source, data.discoveredAt);
      return { itemHash: item.itemHash, urlHash: item.urlHash ?? undefined, draftId: draft.id, rank: reviewRank(draft.score, draft.discoveredAt), age: ageRank(draft.publishedAt, draft.discoveredAt), json: JSON.stringify(draft) };
    });
    const created = await commitDrafts(ctx.redis, ctx.keys, data.source.id, records, ctx.clock.now(), ctx.settings.seenTtlMs);
    failpoint('ingest.afterCommit');
    const ids = records.filter((_, i) => created[i]).map((r) => r.draftId);
    ctx.metrics.items.inc({ kind: 'new' }, ids.length);
    if (records.length > ids.length) ctx.metrics.items.inc({ kind: 'duplicate' }, records.length - ids.length);
    ctx.logger.info({ source_id: data.source.id, job_id: job.id, created: ids.length, duplicates: records.length - ids.length }, 'drafts created');
    return { created: ids, duplicates: records.length - ids.length };
  };
}
