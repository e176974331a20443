import type { Agent } from 'undici';
import type { Settings } from '../config/settings.ts';
import { recordCanonical } from '../dedupe/recordCanonical.ts';
import { FetchError } from '../errors.ts';
import type { FetchResponse } from '../fetch/fetchFeed.ts';
import { hostOf, takeHostTurn } from '../fetch/politeness.ts';
import { cachedRobots, fetchRobotsFile } from '../fetch/robots.ts';
import type { EnrichJobData, EnrichResult } from '../queue/jobs.ts';
import type { Keys } from '../queue/keys.ts';
import type { RedisClient } from '../redisClient.ts';
import { saveArticleShingles } from '../review/articleShingles.ts';
import { getDraft } from '../review/draftStore.ts';
import { classifyPage, type PageOutcome } from './classifyPage.ts';
import { fetchArticlePage } from './fetchArticlePage.ts';
import type { PageReading } from './readPage.ts';
import { applyRobotsToExcerpt, headlineAfterRobots } from './robotsRules.ts';
import { unreadEnrichment, writeEnrichment } from './writeEnrichment.ts';

export interface EnrichDeps {
  redis: RedisClient;
  keys: Keys;
  settings: Settings;
  agent: Agent;
  userAgent: string;
  shutdown: AbortSignal;
  now: () => number;
  /** Reads a fetched page (on a thread: see pageReader.ts); rejects when it cannot. */
  pageReader: { read(response: FetchResponse, now: number): Promise<PageReading> };
}

/** What the worker does with the job: finished (the result is on the draft), wait for the host, try again, or hand back. */
export type EnrichStep =
  | { kind: 'finished'; result: EnrichResult }
  | { kind: 'wait'; waitMs: number; host: string }
  | { kind: 'retry'; reason: string }
  | { kind: 'shutdown' };

/**
 * The enrich stage for one article: the draft still pending → a turn at the host (shared with polls) →
 * robots.txt → the page → classify → read (metadata, robots directives, shingles) → written onto the draft.
 * A refusal or failure is recorded on the draft, which otherwise stays as it was; a transient failure asks
 * for another attempt unless this is the last one.
 */
export async function enrichArticle(deps: EnrichDeps, data: EnrichJobData, finalAttempt: boolean): Promise<EnrichStep> {
  const { redis, keys, settings } = deps;
  const skipped = (reason: string): EnrichStep => ({ kind: 'finished', result: { draftId: data.draftId, state: 'skipped', reason } });
  const draft = await getDraft(redis, keys, data.draftId);
  if (!draft) return skipped('the draft is gone');
  if (draft.status !== 'pending') return skipped(`the draft is ${draft.status}`);
  if (draft.enrichment && draft.enrichment.state !== 'pending') return skipped(`already ${draft.enrichment.state}`);

  const politeness = { concurrency: settings.hostConcurrency, minDelayMs: settings.hostDelayMs, slotTtlMs: settings.fetchTimeoutMs + 5000, maxInlineWaitMs: 5000 };
  const host = hostOf(data.url);
  const turn = await takeHostTurn(redis, keys, host, politeness);
  if (!turn.granted) return { kind: 'wait', waitMs: turn.waitMs, host };
  // A turn at every host the redirects lead to, held with the first until the page is in.
  const held = new Map([[host, turn]]);
  let busy: { waitMs: number; host: string } | undefined;
  const beforeHost = async (url: string) => {
    const next = hostOf(url);
    if (held.has(next)) return;
    const t = await takeHostTurn(redis, keys, next, politeness);
    if (!t.granted) {
      busy = { waitMs: t.waitMs, host: next };
      throw new FetchError('host_busy', `${data.url} redirects to ${next}, which is busy: the page is fetched on a later turn`);
    }
    held.set(next, t);
  };
  let response: FetchResponse | undefined;
  let outcome: PageOutcome;
  try {
    response = await fetchArticlePage(data.url, {
      userAgent: deps.userAgent,
      maxBytes: settings.pageMaxBytes,
      timeoutMs: settings.fetchTimeoutMs,
      dispatcher: deps.agent,
      signal: deps.shutdown,
      robotsFor: (u) => cachedRobots(redis, keys, u, (r) => fetchRobotsFile(r, { userAgent: deps.userAgent, timeoutMs: settings.fetchTimeoutMs, dispatcher: deps.agent })),
      beforeHost,
    });
    outcome = classifyPage(response, settings.pageMaxBytes);
  } catch (err) {
    outcome = classifyPage(err as Error, settings.pageMaxBytes);
  } finally {
    for (const t of held.values()) if (t.granted) await t.release();
  }
  if (busy) return { kind: 'wait', ...busy };
  if (outcome.shutdown) return { kind: 'shutdown' };
  if (outcome.retry && !finalAttempt) return { kind: 'retry', reason: outcome.reason ?? 'transient failure' };

  const now = deps.now();
  const page = { finalUrl: response?.finalUrl ?? null, contentType: outcome.contentType };
  if (outcome.state !== 'done' || !response) {
    const state = outcome.state === 'done' ? 'failed' : outcome.state;
    const written = await writeEnrichment(redis, keys, data.draftId, { enrichment: unreadEnrichment(state, outcome.reason, now, page) }, now);
    return written === 'skipped' ? skipped('the draft changed state while its page was read') : { kind: 'finished', result: { draftId: data.draftId, state, reason: outcome.reason } };
  }

  let reading;
  try {
    reading = await deps.pageReader.read(response, now);
  } catch (err) {
    // The extractor promises never to throw; if it does, the page's failure is recorded, not the worker's.
    const reason = `the page could not be read: ${(err as Error).message}`.slice(0, 500);
    await writeEnrichment(redis, keys, data.draftId, { enrichment: unreadEnrichment('failed', reason, now, page) }, now);
    return { kind: 'finished', result: { draftId: data.draftId, state: 'failed', reason } };
  }
  const { enrichment } = reading;
  const robots = enrichment.robots ?? { nosnippet: false, maxSnippet: null, noarchive: false, applied: [] };
  if (reading.shingles !== '') await saveArticleShingles(redis, keys, data.draftId, reading.shingles);
  // Robots directives apply to the excerpt the draft holds when written (the feed's, or what it became since).
  const written = await writeEnrichment(redis, keys, data.draftId, (draft) => {
    const { excerpt, effects } = applyRobotsToExcerpt(draft.excerpt, robots);
    if (robots.noarchive && reading.hadDescription) effects.push('noarchive: the page description was not kept');
    const headline = headlineAfterRobots(draft, excerpt, enrichment.title?.value ?? null);
    if (headline !== undefined) effects.push('the headline was the start of the feed\'s summary: it was replaced too');
    return { enrichment: { ...enrichment, robots: { ...robots, applied: [...robots.applied, ...effects].slice(0, 20) } }, excerpt, ...(headline !== undefined ? { headline } : {}) };
  }, now);
  if (written === 'skipped') return skipped('the draft changed state while its page was read');
  let foldedInto: string | undefined;
  if (enrichment.canonicalUrl) foldedInto = (await recordCanonical(redis, keys, data.draftId, enrichment.canonicalUrl.value, now)).foldedInto;
  return { kind: 'finished', result: { draftId: data.draftId, state: 'done', reason: null, ...(foldedInto ? { foldedInto } : {}) } };
}
