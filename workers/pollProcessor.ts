import { createHash } from 'node:crypto';
import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import type { Source } from '../src/config/sourceSchema.ts';
import { readSourceState, validatorsFor, writeSourceState } from '../src/fetch/sourceState.ts';
import { seenDigests } from '../src/dedupe/itemKey.ts';
import { partitionSeen } from '../src/dedupe/seenStore.ts';
import { matchFilters } from '../src/drafts/matchFilters.ts';
import { JobDataError } from '../src/errors.ts';
import { failpoint } from '../src/failpoint.ts';
import { IngestJobData, PollJobData, validateJobData, type PollResult } from '../src/queue/jobs.ts';
import type { WorkerContext } from './context.ts';
import { fetchAndParse } from './fetchAndParse.ts';

/**
 * The poll job: fetch → classify → parse → filter → drop already-seen → hand new items to the draft
 * stage. Wiring only; the decisions live in the stages. Outcomes map onto BullMQ: permanent failures
 * fail at once (UnrecoverableError), transient ones throw and are retried with backoff, a 429 delays the
 * job without spending an attempt, and a shutdown puts the job back for another worker.
 */
export function createPollProcessor(ctx: WorkerContext) {
  return async (job: Job, token?: string): Promise<PollResult> => {
    const data = parseJob(job.data);
    const source = ctx.sources.get(data.sourceId);
    if (!source) throw new UnrecoverableError(`source "${data.sourceId}" is not in ${ctx.settings.sourcesFile} any more; its schedule is removed at the next start`);
    const log = ctx.logger.child({ source_id: source.id, job_id: job.id });
    const startedAt = ctx.clock.now();
    const state = await readSourceState(ctx.redis, ctx.keys, source.id);

    const { response, outcome, parsed } = await fetchAndParse(
      {
        url: source.url,
        ...validatorsFor(state, source.url),
        userAgent: ctx.userAgent,
        maxBytes: ctx.settings.maxBytes,
        timeoutMs: ctx.settings.fetchTimeoutMs,
        dispatcher: ctx.agent,
        signal: ctx.shutdown,
      },
      () => ctx.clock.now(),
    );

    const base = { sourceId: source.id, status: response?.status, items: 0, filtered: 0, alreadySeen: 0, candidates: 0, ...(response?.movedTo ? { movedTo: response.movedTo } : {}) };
    const record = { lastAttemptAt: new Date(startedAt).toISOString(), lastStatus: response ? String(response.status) : null, ...(response?.movedTo ? { movedTo: response.movedTo } : {}) };

    if (parsed && response) {
      const kept = parsed.items.filter((item) => matchFilters(item, source.filters));
      const digests = kept.map(seenDigests);
      const seen = await partitionSeen(ctx.redis, ctx.keys, source.id, digests, ctx.clock.now());
      const fresh = kept.flatMap((item, i) => (seen[i] ? [] : [{ ...item, itemHash: digests[i]!.itemHash, urlHash: digests[i]!.urlHash ?? null }]));
      let ingestJobId: string | undefined;
      if (fresh.length > 0) ingestJobId = await enqueueIngest(ctx, job, source, fresh, startedAt);
      failpoint('poll.afterEnqueue');
      // Validators are stored only once the new items are safely queued: a crash before this point
      // means the next poll fetches the full body again instead of getting a 304 and losing them.
      await writeSourceState(ctx.redis, ctx.keys, source.id, {
        ...record,
        validatorsUrl: source.url,
        etag: response.headers.etag ?? null,
        lastModified: response.headers['last-modified'] ?? null,
        lastSuccessAt: new Date(startedAt).toISOString(),
        lastOutcome: 'ok',
        lastCode: 'ok',
        lastMessage: `${parsed.items.length} items, ${fresh.length} new`,
        lastNewItems: String(fresh.length),
      });
      log.info({ outcome: 'ok', items: parsed.items.length, new: fresh.length, ms: ctx.clock.now() - startedAt }, 'polled');
      return { ...base, outcome: 'ok', code: 'ok', message: outcome.message, items: parsed.items.length, filtered: parsed.items.length - kept.length, alreadySeen: kept.length - fresh.length, candidates: fresh.length, ...(ingestJobId ? { ingestJobId } : {}) };
    }

    await writeSourceState(ctx.redis, ctx.keys, source.id, {
      ...record,
      lastOutcome: outcome.kind,
      lastCode: outcome.code,
      lastMessage: outcome.message,
      ...(outcome.kind === 'not_modified' ? { lastSuccessAt: new Date(startedAt).toISOString(), lastNewItems: '0' } : {}),
    });
    log.info({ outcome: outcome.kind, code: outcome.code, ms: ctx.clock.now() - startedAt }, outcome.message);

    switch (outcome.kind) {
      case 'not_modified':
        return { ...base, outcome: 'not_modified', code: outcome.code, message: outcome.message };
      case 'rate_limited':
        // A run --once reports the wait and leaves the next poll to the schedule; a scheduled poll waits
        // for Retry-After as a delayed job, which does not count as a failed attempt.
        if (data.runId || !token) return { ...base, outcome: 'rate_limited', code: outcome.code, message: outcome.message };
        await job.moveToDelayed(ctx.clock.now() + (outcome.retryAfterMs ?? 60_000), token);
        throw new DelayedError();
      case 'permanent':
        throw new UnrecoverableError(`${outcome.code}: ${outcome.message}`);
      default:
        if (outcome.code === 'shutdown' && token) {
          await job.moveToDelayed(ctx.clock.now(), token);
          throw new DelayedError();
        }
        throw new Error(`${outcome.code}: ${outcome.message}`);
    }
  };
}

function parseJob(data: unknown) {
  try {
    return validateJobData(PollJobData, data, 'poll');
  } catch (err) {
    if (err instanceof JobDataError) throw new UnrecoverableError(err.message);
    throw err;
  }
}

async function enqueueIngest(ctx: WorkerContext, job: Job, source: Source, items: IngestJobData['items'], startedAt: number): Promise<string> {
  // One id per poll attempt: a re-run of the same attempt (after a crash) re-adds nothing.
  const jobId = `ingest-${createHash('sha256').update(`${job.id}\n${job.attemptsMade}`).digest('hex').slice(0, 24)}`;
  const data = validateJobData(IngestJobData, {
    source: { id: source.id, name: source.name, url: source.url, weight: source.weight, ...(source.category ? { category: source.category } : {}), tags: source.tags },
    discoveredAt: new Date(startedAt).toISOString(),
    items,
  }, 'ingest');
  await ctx.queues.ingest.add('ingest', data, { jobId });
  return jobId;
}
