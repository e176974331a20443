import { Job, type Queue } from 'bullmq';
import type { Clock } from '../clock.ts';
import { scheduleBounds, type Source } from '../config/sourceSchema.ts';
import type { Settings } from '../config/settings.ts';
import type { Outcome } from '../fetch/classify.ts';
import type { FetchResponse } from '../fetch/fetchFeed.ts';
import type { SourceState, SourceStateUpdate } from '../fetch/sourceState.ts';
import { failpoint } from '../failpoint.ts';
import type { Logger } from '../log.ts';
import type { ParsedFeed } from '../parse/types.ts';
import type { Keys } from '../queue/keys.ts';
import type { RedisClient } from '../redisClient.ts';
import { freshnessFloor } from './cacheHints.ts';
import { readScheduleWhy } from './describeSchedule.ts';
import { pollJobId, queueNextPoll } from './chain.ts';
import { finishPoll } from './finishPoll.ts';
import { projectOutage, type OutageSnapshot } from './outage.ts';
import { planNextPoll, type PublishingHistory } from './planNextPoll.ts';

/** What recording a poll needs from its process (the worker context fits). */
export interface RecordPollDeps {
  redis: RedisClient;
  keys: Keys;
  queues: { poll: Queue };
  settings: Settings;
  /** The sources as configured now (a reload may have disabled this one while it was polled). */
  sources: ReadonlyMap<string, Source>;
  clock: Clock;
  random: () => number;
  logger: Logger;
}

/** One poll as it happened. */
export interface PollFacts {
  source: Source;
  /** The source's state as read before the poll (beginPoll). */
  state: SourceState;
  /** The outage window as read before the poll (beginPoll). */
  outageBefore: OutageSnapshot;
  /** The URL polled. */
  url: string;
  response?: FetchResponse | undefined;
  outcome: Outcome;
  parsed?: ParsedFeed | undefined;
  /** The new items, already durably queued as `ingestJobId`. */
  fresh: { itemHash: string }[];
  ingestJobId?: string | undefined;
  startedAt: number;
  /** Position in the source's chain; undefined for one-off polls. */
  seq?: number | undefined;
}

/**
 * The source's health after a poll, and (in a chain) its next poll: planNextPoll's verdict, then one
 * transaction with the last attempt and outcome, validators (on success, with the ingest that holds the
 * items of that response), failures, interval, next poll, pause (410), the URL a permanent redirect moved
 * it to, new items. Every kind of poll updates the health; only chain polls queue the next one. Called once
 * the new items are durably queued: validators saved earlier could hide them behind a 304. Redis: the next
 * poll (BullMQ) for a chain poll, then one script (finishPoll) for all the rest.
 */
export async function recordPollOutcome(deps: RecordPollDeps, poll: PollFacts): Promise<void> {
  const { source, state, url, response, outcome, parsed, fresh, startedAt, seq } = poll;
  const now = deps.clock.now();
  const { outage } = projectOutage(poll.outageBefore, outcome.code);
  const freshness = response ? freshnessFloor(response.headers, parsed?.ttlMinutes ?? null, now) : undefined;
  const plan = planNextPoll({
    now,
    kind: outcome.kind,
    code: outcome.code,
    ...scheduleBounds(source),
    previousIntervalMs: state.intervalMs ? Number(state.intervalMs) : undefined,
    previousBasis: readScheduleWhy(state.scheduleWhy)?.basis,
    history: readHistory(state),
    failures: Number(state.consecutiveFailures ?? 0),
    itemDates: parsed ? parsed.items.map((i) => Date.parse(i.publishedAt ?? i.updatedAt ?? '')).filter((d) => !Number.isNaN(d)) : [],
    freshnessMs: freshness?.ms,
    freshnessFrom: freshness?.from,
    retryAfterMs: outcome.retryAfterMs,
    outage,
    backoffCapMs: deps.settings.backoffCapMs,
    random: deps.random(),
  });
  const at = (ms: number) => new Date(ms).toISOString();
  const update: SourceStateUpdate = {
    lastAttemptAt: at(startedAt),
    lastStatus: response ? String(response.status) : null,
    lastOutcome: outcome.kind,
    lastCode: outcome.code,
    lastOutage: outage && outcome.kind === 'transient' ? '1' : null,
    lastMessage: parsed ? `${parsed.items.length} items, ${fresh.length} new` : outcome.message,
    consecutiveFailures: String(plan.failures),
    intervalMs: String(plan.intervalMs),
  };
  if (plan.history) Object.assign(update, { historyItems: String(plan.history.items), historyFrom: String(plan.history.from), historyTo: String(plan.history.to) });
  if (outcome.kind === 'ok' || outcome.kind === 'not_modified') {
    update.lastSuccessAt = at(startedAt);
    update.lastNewItems = String(fresh.length);
    if (state.pausedReason) Object.assign(update, { pausedReason: null, pausedAt: null, pausedUrl: null });
  }
  if (parsed && response) {
    // A truncated document read leniently keeps no validators: the next poll must fetch it whole, not get a 304.
    const cut = parsed.recovered?.truncated === true;
    Object.assign(update, {
      validatorsUrl: url,
      etag: cut ? null : (response.headers.etag ?? null),
      lastModified: cut ? null : (response.headers['last-modified'] ?? null),
      ingestJobId: poll.ingestJobId ?? null,
    });
  }
  if (parsed) update.lastWarning = parsed.recovered ? JSON.stringify({ code: parsed.recovered.code, message: parsed.recovered.message, at: at(startedAt) }) : null;
  if (response?.movedTo) {
    // A permanent redirect (301/308 at every hop) is applied: the next polls go to the new address.
    Object.assign(update, { url: response.movedTo, configUrl: source.url, movedFrom: url, movedTo: response.movedTo });
    deps.logger.warn({ source_id: source.id, from: url, to: response.movedTo }, `permanent redirect applied: ${source.id} now polls ${response.movedTo} (update ${deps.settings.sourcesFile})`);
  } else if (state.url && state.configUrl !== source.url) {
    Object.assign(update, { url: null, configUrl: null, movedFrom: null, movedTo: null });
  }
  // The reason is stored with the decision it explains: with a pause, or with the next poll queued below.
  if (plan.pause) Object.assign(update, { pausedReason: plan.pause, pausedAt: at(now), pausedUrl: source.url, nextPollAt: null, nextJobId: null, scheduleReason: plan.reason, scheduleWhy: JSON.stringify(plan.why) });
  if (fresh.length > 0) update.lastNewItemAt = at(startedAt);

  if (seq !== undefined) update.pollSeq = String(seq);
  // The chain's owner as this poll found it: a chain started again since (Redis lost its state and a sync rebuilt
  // it) is checked once more by finishPoll, which then leaves that chain's fields alone.
  const owns = seq !== undefined && ownsChain(state, source.id, seq);
  let chain: { owners: string[]; fields: Record<string, string> } | undefined;
  let queued: string | undefined;
  if (seq !== undefined && plan.delayMs !== null && deps.sources.get(source.id)?.enabled !== false) {
    if (owns) {
      queued = await queueNextPoll(deps.queues.poll, deps.settings, source.id, seq + 1, plan.delayMs);
      chain = { owners: [pollJobId(source.id, seq), pollJobId(source.id, seq + 1)], fields: { nextJobId: queued, nextPollAt: String(plan.nextAt), scheduleReason: plan.reason, scheduleWhy: JSON.stringify(plan.why) } };
      failpoint('poll.afterNextQueued');
    } else {
      warnSecondChain(deps, source.id, seq);
    }
  } else if (owns) {
    // No next poll (paused, disabled): one that this poll's earlier attempt queued before it was killed goes too,
    // or it would poll at that attempt's plan what this one paused.
    const leftover = await Job.fromId(deps.queues.poll, pollJobId(source.id, seq! + 1));
    if (leftover && ['delayed', 'waiting', 'prioritized'].includes(await leftover.getState())) await leftover.remove().catch(() => undefined);
  }
  // A whole feed read after an ingest failed, and nothing in it is waiting for a draft: the failure is over.
  const clearFailureSince = parsed && fresh.length === 0 && state.ingestFailedAt ? at(startedAt) : undefined;
  const written = await finishPoll(deps.redis, deps.keys, { sourceId: source.id, now, code: outcome.code, update, chain, newItems: { discoveredAt: startedAt, itemHashes: fresh.map((f) => f.itemHash) }, clearFailureSince });
  if (queued && !written.ownsChain) {
    // The chain was started again while this poll fetched: the poll queued above would be a second chain.
    warnSecondChain(deps, source.id, seq!);
    if (written.owner !== queued) await (await Job.fromId(deps.queues.poll, queued))?.remove().catch(() => undefined);
  }
}

function warnSecondChain(deps: RecordPollDeps, sourceId: string, seq: number): void {
  deps.logger.warn({ source_id: sourceId, seq }, `${sourceId}'s chain was started again while this poll ran (Redis lost its state): this poll does not queue a next one, so the source keeps one chain`);
}

/** The stored publishing history, or undefined when absent or unreadable. */
function readHistory(s: SourceState): PublishingHistory | undefined {
  const [items, from, to] = [Number(s.historyItems), Number(s.historyFrom), Number(s.historyTo)];
  return s.historyItems !== undefined && [items, from, to].every(Number.isFinite) ? { items, from, to } : undefined;
}

/**
 * Whether the poll at `seq` may continue its source's chain: the source's state names it (or its next job, when
 * a stalled poll runs again), or names nothing (Redis lost the state and nobody restarted the chain yet). A state
 * naming another job means the chain was started again while this poll ran (a Redis restarted empty or flushed,
 * then rebuilt): a next poll queued here would be a second chain, polling the source twice as often for good.
 */
function ownsChain(state: SourceState, sourceId: string, seq: number): boolean {
  const owner = state.nextJobId;
  return owner === undefined || owner === pollJobId(sourceId, seq) || owner === pollJobId(sourceId, seq + 1);
}
