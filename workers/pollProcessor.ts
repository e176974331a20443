import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import type { Source } from '../src/config/sourceSchema.ts';
import { effectiveUrl, validatorsFor } from '../src/fetch/sourceState.ts';
import { seenDigests } from '../src/dedupe/itemKey.ts';
import { partitionSeen } from '../src/dedupe/seenStore.ts';
import { recordSkips, tallySkips, type ItemSkip } from '../src/drafts/recordSkips.ts';
import { skipReason } from '../src/drafts/skipReason.ts';
import { JobDataError } from '../src/errors.ts';
import { failpoint } from '../src/failpoint.ts';
import { IngestJobData, PollJobData, validateJobData, type PollResult } from '../src/queue/jobs.ts';
import { planIngest, queueIngest } from '../src/queue/queueIngest.ts';
import { syncSources } from '../src/schedule/chain.ts';
import { beginPoll } from '../src/schedule/beginPoll.ts';
import { checkLastIngest } from '../src/schedule/ingestHealth.ts';
import { recordPollOutcome } from '../src/schedule/recordPollOutcome.ts';
import type { WorkerContext } from './context.ts';
import { fetchAndParse, type FetchParseResult } from './fetchAndParse.ts';
import { hostOf, takeHostTurn } from '../src/fetch/politeness.ts';
import { cachedRobots, fetchRobotsFile, isAllowedByRobots } from '../src/fetch/robots.ts';

export const RECONCILE_JOB = 'reconcile';

/**
 * The poll job: fetch → classify → parse → skip what cannot be a draft (counted) → drop already-seen → hand new items to the draft
 * stage → record the source's health → queue its next poll. Wiring only; the decisions live in the
 * stages (classifyOutcome, planNextPoll). Outcomes map onto BullMQ: in a source's chain of polls a
 * failure fails the job at once (it stays visible) and the chain's backoff retries it; one-off polls
 * (`run --once`, cron schedulers) keep BullMQ's retries; a 429 there delays the job without spending an
 * attempt; a shutdown always puts the job back for another worker.
 */
export function createPollProcessor(ctx: WorkerContext) {
  return async (job: Job, token?: string): Promise<PollResult | object> => {
    if (job.name === RECONCILE_JOB) {
      // The configuration applied in Redis, not this process's file (config/appliedSources.ts).
      await ctx.appliedSources?.refresh();
      return syncSources({ redis: ctx.redis, keys: ctx.keys, queue: ctx.queues.poll, settings: ctx.settings, now: ctx.clock.now(), random: ctx.random }, [...ctx.sources.values()]);
    }
    const data = parseJob(job.data);
    // Unknown here: a newer applied configuration may know it; only the newest one ends its chain.
    if (!ctx.sources.has(data.sourceId)) await ctx.appliedSources?.refresh();
    const source = ctx.sources.get(data.sourceId);
    if (!source) throw new UnrecoverableError(`source "${data.sourceId}" is not in ${ctx.appliedSources ? `the applied sources configuration (version ${ctx.appliedSources.version})` : ctx.settings.sourcesFile} any more; its polls stop`);
    // Disabled in the sources file (sources disable) while a poll of it ran or waited: that poll, or the next one it
    // queued before the reload reached it, fetches nothing and ends the chain (sources enable starts it again).
    if (!source.enabled) return { sourceId: source.id, outcome: 'not_modified', code: 'disabled', message: `disabled in ${ctx.settings.sourcesFile}: not polled (signal-desk sources enable ${source.id})`, items: 0, filtered: 0, skipped: {}, alreadySeen: 0, candidates: 0 } satisfies PollResult;
    const startedAt = ctx.clock.now();
    // The source's state and the outage window, in one read.
    const begun = await beginPoll(ctx.redis, ctx.keys, source.id, startedAt);
    // Paused by an operator (sources pause): no fetch, no health change, no next poll until resumed.
    const pausedBy = begun.state.pausedBy;
    if (pausedBy) return { sourceId: source.id, outcome: 'not_modified', code: 'paused', message: `paused by ${pausedBy}: not polled (signal-desk sources resume ${source.id})`, items: 0, filtered: 0, skipped: {}, alreadySeen: 0, candidates: 0 } satisfies PollResult;
    const log = ctx.logger.child({ source_id: source.id, job_id: job.id });
    // Validators whose items never became drafts (their ingest failed) are not sent: a 304 would hide them.
    const state = await checkLastIngest(ctx.redis, ctx.keys, ctx.queues.ingest, source.id, begun.state, startedAt);
    const url = effectiveUrl(state, source.url);

    // Politeness: a turn at the host, shared by every process; a long wait hands the job back as delayed
    // (no attempt spent) instead of holding a worker.
    const waitStarted = performance.now();
    const turn = await takeHostTurn(ctx.redis, ctx.keys, hostOf(url), { concurrency: ctx.settings.hostConcurrency, minDelayMs: ctx.settings.hostDelayMs, slotTtlMs: ctx.settings.fetchTimeoutMs + 5000, maxInlineWaitMs: 5000 });
    if (!turn.granted) {
      log.debug({ host: hostOf(url), retry_in_ms: turn.waitMs, reason: turn.reason }, 'waiting for a turn at the host');
      if (!token) throw new Error(`host ${hostOf(url)} busy`);
      await job.moveToDelayed(Date.now() + turn.waitMs + Math.round(ctx.random() * 1000), token);
      throw new DelayedError();
    }
    let result: FetchParseResult;
    const fetchStarted = performance.now();
    let fetchEnded: number;
    try {
      result = await fetchAndParse(
        {
          url,
          ...validatorsFor(state, url),
          userAgent: ctx.userAgent,
          maxBytes: ctx.settings.maxBytes,
          timeoutMs: ctx.settings.fetchTimeoutMs,
          dispatcher: ctx.agent,
          signal: ctx.shutdown,
        },
        () => ctx.clock.now(),
        source.kind === 'html'
          ? {
              listing: source.selectors,
              robotsAllow: async (u) => isAllowedByRobots(await cachedRobots(ctx.redis, ctx.keys, u, (r) => fetchRobotsFile(r, { userAgent: ctx.userAgent, timeoutMs: ctx.settings.fetchTimeoutMs, dispatcher: ctx.agent })), u),
            }
          : {},
      );
      fetchEnded = performance.now();
    } finally {
      await turn.release();
    }
    const { response, outcome, parsed } = result;
    // What the log says of time: the fetch itself (fetch_ms), the politeness wait for the host's turn apart
    // (wait_ms), and the whole poll (total_ms, with the Redis work around them).
    const timing = { fetch_ms: Math.round(fetchEnded - fetchStarted), wait_ms: Math.round(fetchStarted - waitStarted) };
    ctx.metrics.fetchSeconds.observe({ outcome: outcome.kind }, (fetchEnded - fetchStarted) / 1000);
    if (outcome.code === 'shutdown' && token) {
      // Not the source's fault and not a poll: hand the job back untouched.
      await job.moveToDelayed(ctx.clock.now(), token);
      throw new DelayedError();
    }

    const base = { sourceId: source.id, status: response?.status, items: 0, filtered: 0, skipped: {}, alreadySeen: 0, candidates: 0, ...(response?.movedTo ? { movedTo: response.movedTo } : {}) };
    let fresh: IngestJobData['items'] = [];
    // What a finished poll reports (ok, 304, 429); failures throw below instead.
    let pollResult: PollResult;
    if (parsed && response) {
      // The draft stage's rules (drafts/skipReason.ts), applied here so that what cannot become a draft never
      // crosses the queue: each skipped item is counted once per reason in the source's skips.
      const skips: ItemSkip[] = [];
      const kept = parsed.items.filter((item) => {
        const reason = skipReason(item, source);
        if (reason) skips.push({ reason, itemHash: seenDigests(item).itemHash });
        return reason === undefined;
      });
      await recordSkips(ctx.redis, ctx.keys, source.id, skips, ctx.clock.now(), ctx.metrics);
      const skipped = tallySkips(skips);
      const digests = kept.map(seenDigests);
      const seen = await partitionSeen(ctx.redis, ctx.keys, source.id, digests, ctx.clock.now());
      fresh = kept.flatMap((item, i) => (seen[i] ? [] : [{ ...item, itemHash: digests[i]!.itemHash, urlHash: digests[i]!.urlHash ?? null }]));
      let ingestJobId: string | undefined;
      if (fresh.length > 0) ingestJobId = await enqueueIngest(ctx, job, source, fresh, startedAt);
      failpoint('poll.afterEnqueue');
      pollResult = { ...base, outcome: 'ok', code: 'ok', message: outcome.message, items: parsed.items.length, filtered: skipped.filtered ?? 0, skipped, alreadySeen: kept.length - fresh.length, candidates: fresh.length, ...(ingestJobId ? { ingestJobId } : {}) };
      log.info({ outcome: 'ok', items: parsed.items.length, new: fresh.length, skipped: skips.length, ...timing, total_ms: ctx.clock.now() - startedAt }, 'polled');
    } else {
      log.info({ outcome: outcome.kind, code: outcome.code, ...timing, total_ms: ctx.clock.now() - startedAt }, outcome.message);
      pollResult = { ...base, outcome: outcome.kind === 'rate_limited' ? 'rate_limited' : 'not_modified', code: outcome.code, message: outcome.message };
    }

    // Validators are stored only once the new items are durably queued (above): a crash before this point
    // means the next poll fetches the full body again instead of getting a 304 and losing them.
    await recordPollOutcome(ctx, { source, state, outageBefore: begun.outage, url, ...result, fresh, ingestJobId: pollResult.ingestJobId, startedAt, seq: data.seq });
    ctx.metrics.polls.inc({ outcome: outcome.kind, code: outcome.code });
    if (parsed) ctx.metrics.items.inc({ kind: 'duplicate' }, pollResult.alreadySeen);

    switch (outcome.kind) {
      case 'ok':
      case 'not_modified':
        return pollResult;
      case 'rate_limited':
        // In a chain, or in a run --once, the next poll already waits for Retry-After; a one-off
        // scheduled poll waits for it as a delayed job, which does not count as a failed attempt.
        if (data.seq !== undefined || data.runId || !token) return pollResult;
        await job.moveToDelayed(ctx.clock.now() + (outcome.retryAfterMs ?? 60_000), token);
        throw new DelayedError();
      default:
        if (outcome.kind === 'permanent' || data.seq !== undefined) throw new UnrecoverableError(`${outcome.code}: ${outcome.message}`);
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

/** The new items of one poll, as one ingest job or a flow of chunks, with ids derived from the items (queue/queueIngest.ts). */
async function enqueueIngest(ctx: WorkerContext, job: Job, source: Source, items: IngestJobData['items'], startedAt: number): Promise<string> {
  const data = validateJobData(IngestJobData, {
    source: { id: source.id, name: source.name, url: source.url, weight: source.weight, ...(source.category ? { category: source.category } : {}), tags: source.tags },
    discoveredAt: new Date(startedAt).toISOString(),
    items,
  }, 'ingest');
  return queueIngest(ctx.queues.ingest, planIngest(job.id!, data));
}
