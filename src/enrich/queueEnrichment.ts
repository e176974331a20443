import type { Queue } from 'bullmq';
import { digest } from '../dedupe/itemKey.ts';
import { normalizeUrl } from '../dedupe/normalizeUrl.ts';
import { Enrichment } from '../drafts/schema.ts';
import type { Keys } from '../queue/keys.ts';
import { withScripts } from '../queue/scripts.ts';
import type { EnrichJobData } from '../queue/jobs.ts';
import { failpoint } from '../failpoint.ts';
import type { RedisClient } from '../redisClient.ts';

/** The job id of an article's enrichment: one per normalised link, so an article seen by several sources is fetched once. */
export function enrichJobId(link: string): string | undefined {
  const url = normalizeUrl(link);
  return url ? `enrich-${digest(url)}` : undefined;
}

export interface EnrichSwitches {
  /** SIGNAL_DESK_ENRICH. */
  enabled: boolean;
  /** The source's `enrich` (true unless the sources file says false). */
  sourceEnrich: boolean;
}

export type EnrichPlan = { state: 'pending'; jobId: string; url: string } | { state: 'disabled'; reason: string };

/** Pure: whether a new draft's article page is to be read, and why not. */
export function planEnrichment(link: string | null, switches: EnrichSwitches): EnrichPlan {
  if (!switches.enabled) return { state: 'disabled', reason: 'enrichment is switched off (SIGNAL_DESK_ENRICH=off)' };
  if (!switches.sourceEnrich) return { state: 'disabled', reason: 'the source has enrich: false in the sources file' };
  const jobId = link ? enrichJobId(link) : undefined;
  if (!link || !jobId) return { state: 'disabled', reason: 'the item has no http(s) link to an article page' };
  return { state: 'pending', jobId, url: link };
}

/** A draft just committed: its id and the JSON the commit wrote. */
export interface CommittedDraft {
  draftId: string;
  json: string;
}

/**
 * Compare-and-set of a draft's JSON: written only if it is still exactly what the commit wrote (an editor
 * who acted on the draft in the meantime wins; the enrichment then fills the draft in when it lands).
 * KEYS: drafts. ARGV: per draft, the committed JSON then the new JSON.
 */
const MARK = `
local out = 0
for i = 1, #KEYS do
  if redis.call('GET', KEYS[i]) == ARGV[2 * i - 1] then
    redis.call('SET', KEYS[i], ARGV[2 * i])
    out = out + 1
  end
end
return out`;

type ScriptClient = { sdMarkEnrichment(numKeys: number, ...args: string[]): Promise<number> };

const CHUNK = 500;

export interface QueueEnrichmentDeps {
  redis: RedisClient;
  keys: Keys;
  queue: Queue;
  switches: EnrichSwitches;
  now: number;
}

/**
 * After the commit: each new draft is marked `pending` (one enrich job per article queued) or `disabled`
 * with the reason, and stays in the review queue whatever becomes of its enrichment. A draft whose article
 * already has an enrich job (another source's draft of the same link) is not fetched again: it says so.
 */
export async function queueEnrichment(deps: QueueEnrichmentDeps, sourceId: string, drafts: CommittedDraft[]): Promise<{ queued: number; disabled: number }> {
  if (drafts.length === 0) return { queued: 0, disabled: 0 };
  const at = new Date(deps.now).toISOString();
  const plans = drafts.map((d) => {
    const parsed = JSON.parse(d.json) as { link?: unknown };
    return planEnrichment(typeof parsed.link === 'string' ? parsed.link : null, deps.switches);
  });
  // Jobs that exist already (the article was queued for another draft): one fetch per article.
  const pendingIds = plans.flatMap((p) => (p.state === 'pending' ? [p.jobId] : []));
  /** Enrich job id → the draft it reads the article for. */
  const claimed = new Map<string, string>();
  if (pendingIds.length > 0) {
    const pipeline = deps.redis.pipeline();
    for (const id of pendingIds) pipeline.hget(deps.queue.toKey(id), 'data');
    const replies = (await pipeline.exec()) ?? [];
    replies.forEach(([, data], i) => {
      if (typeof data !== 'string') return;
      const holder = (JSON.parse(data) as Partial<EnrichJobData>).draftId;
      if (typeof holder === 'string') claimed.set(pendingIds[i]!, holder);
    });
  }
  const jobs: { name: string; data: EnrichJobData; opts: { jobId: string } }[] = [];
  const marks: { key: string; before: string; after: string }[] = [];
  let queued = 0;
  drafts.forEach((d, i) => {
    const plan = plans[i]!;
    let enrichment: Partial<Enrichment>;
    if (plan.state === 'pending') {
      const holder = claimed.get(plan.jobId);
      if (holder !== undefined && holder !== d.draftId) {
        enrichment = { state: 'disabled', reason: `the same article is read once, for draft ${holder}`, at };
      } else {
        enrichment = { state: 'pending', at };
        if (holder === undefined) {
          claimed.set(plan.jobId, d.draftId);
          jobs.push({ name: 'enrich', data: { draftId: d.draftId, sourceId, url: plan.url }, opts: { jobId: plan.jobId } });
          queued++;
        }
      }
    } else {
      enrichment = { state: 'disabled', reason: plan.reason, at };
    }
    const draft = JSON.parse(d.json) as Record<string, unknown>;
    marks.push({ key: deps.keys.draft(d.draftId), before: d.json, after: JSON.stringify({ ...draft, enrichment: Enrichment.parse(enrichment) }) });
  });
  // Queued first, marked second, so a crash anywhere leaves nothing stuck: killed after the jobs were added, the
  // retry finds them (same ids) and marks the drafts; a job that ran in between wrote its draft, and the
  // compare-and-set of the mark then leaves that draft alone.
  for (let i = 0; i < jobs.length; i += CHUNK) await deps.queue.addBulk(jobs.slice(i, i + CHUNK));
  failpoint('ingest.afterEnrichQueued');
  const script = withScripts<ScriptClient>(deps.redis, { sdMarkEnrichment: MARK });
  for (let i = 0; i < marks.length; i += CHUNK) {
    const chunk = marks.slice(i, i + CHUNK);
    await script.sdMarkEnrichment(chunk.length, ...chunk.map((m) => m.key), ...chunk.flatMap((m) => [m.before, m.after]));
  }
  return { queued, disabled: drafts.length - queued };
}
