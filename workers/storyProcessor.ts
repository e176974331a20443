import { UnrecoverableError, type Job } from 'bullmq';
import type { DraftSignal } from '../src/drafts/schema.ts';
import { JobDataError } from '../src/errors.ts';
import { failpoint } from '../src/failpoint.ts';
import { StoryJobData, validateJobData, type StoryResult } from '../src/queue/jobs.ts';
import { getDrafts } from '../src/review/draftStore.ts';
import { newStoryId } from '../src/stories/assignStory.ts';
import { placeItem } from '../src/stories/placeItem.ts';
import { describeDecision, recordMember, STORY_ACTOR, toStoryItem, writeStoryToDrafts } from '../src/stories/recordStory.ts';
import { RedisStoryStore } from '../src/stories/redisStore.ts';
import { withStoryLock } from '../src/stories/storyLock.ts';
import { getStoryRecords } from '../src/stories/storyRecords.ts';
import type { WorkerContext } from './context.ts';

type Placement = { draftId: string; storyId: string; joined: boolean } | 'skipped';

/**
 * The story job: places drafts in stories, oldest first, one decision at a time across every worker process
 * (the stories queue's global concurrency is 1, so the clusterer's read-decide-commit never interleaves).
 * Per draft: the clusterer's decision (`placeItem` on the Redis store), the desk's story record, `draft.story`
 * and every pending member re-scored, then a desk event. Idempotent: a draft that has a story is skipped
 * (except an enriched singleton, which may move to a match), and a decision already committed for a draft
 * (a retry after a crash) is reused rather than made again.
 */
export function createStoryProcessor(ctx: WorkerContext) {
  const store = new RedisStoryStore(ctx.redis, ctx.keys, ctx.settings.storyWindowMs);
  return async (job: Job): Promise<StoryResult> => {
    let data: StoryJobData;
    try {
      data = validateJobData(StoryJobData, job.data, 'stories');
    } catch (err) {
      if (err instanceof JobDataError) throw new UnrecoverableError(err.message);
      throw err;
    }
    const drafts = (await getDrafts(ctx.redis, ctx.keys, data.draftIds)).sort((a, b) => itemAt(a) - itemAt(b) || a.id.localeCompare(b.id));
    const result: StoryResult = { assigned: [], skipped: data.draftIds.length - drafts.length };
    for (const draft of drafts) {
      const placed = await placeDraft(ctx, store, draft, data.reason);
      if (placed === 'skipped') {
        result.skipped++;
        ctx.metrics.stories.inc({ decision: 'skipped' });
        continue;
      }
      result.assigned.push(placed);
      ctx.metrics.stories.inc({ decision: placed.joined ? 'joined' : 'new' });
    }
    ctx.logger.info({ job_id: job.id, reason: data.reason, assigned: result.assigned.length, joined: result.assigned.filter((a) => a.joined).length, skipped: result.skipped }, 'drafts placed in stories');
    return result;
  };
}

async function placeDraft(ctx: WorkerContext, store: RedisStoryStore, draft: DraftSignal, reason: StoryJobData['reason']): Promise<Placement> {
  if (draft.status !== 'pending') return 'skipped';
  const now = ctx.clock.now();
  let from: string | undefined;
  if (draft.story) {
    if (reason !== 'enriched' || !(await isMovableSingleton(ctx, draft))) return 'skipped';
    from = draft.story.id;
  }
  // Read-decide-commit under the story lock: never interleaved with another process's decision, even when the
  // stories queue's global concurrency has been lost (a Redis restarted empty), see stories/storyLock.ts.
  const { storyId, why } = await withStoryLock(ctx.redis, ctx.keys, ctx.settings.lockMs, 3 * ctx.settings.lockMs, async () => {
    // A decision committed before a crash (the store's marker) is reused: the item is never placed twice.
    const earlier = from ? undefined : await store.placedStory(draft.id);
    if (earlier) return { storyId: earlier, why: earlier === newStoryId(draft) ? 'started the story' : 'joined (decided before a restart)' };
    const decision = await placeItem(store, toStoryItem(draft, from ? [from] : []), now, { windowMs: ctx.settings.storyWindowMs });
    return { storyId: decision.storyId, why: describeDecision(decision) };
  });
  failpoint('stories.afterPlace');
  if (from && storyId === from) return 'skipped';
  const record = await recordMember(ctx.redis, ctx.keys, draft, storyId, why, now, from);
  if (from) await store.forget(from);
  failpoint('stories.afterRecord');
  const blocked = draft.story?.blocked ?? [];
  const weightOf = (id: string) => ctx.sources.get(id)?.weight ?? 0.5;
  await writeStoryToDrafts({ redis: ctx.redis, keys: ctx.keys, weightOf, now }, draft.id, { id: storyId, pinned: false, blocked }, record, why, draft.story);
  await ctx.redis.publish(ctx.keys.deskEvents, JSON.stringify({ type: 'story', draftId: draft.id, storyId, actor: STORY_ACTOR }));
  return { draftId: draft.id, storyId, joined: record.members.length > 1 };
}

/** An enriched draft may move to a matching story only while it is alone in the story it started, not pinned by an editor. */
async function isMovableSingleton(ctx: WorkerContext, draft: DraftSignal): Promise<boolean> {
  const story = draft.story;
  if (!story || story.pinned || story.id !== newStoryId(draft)) return false;
  const record = (await getStoryRecords(ctx.redis, ctx.keys, [story.id])).get(story.id);
  return !record || record.members.every((m) => m.draftId === draft.id);
}

function itemAt(d: DraftSignal): number {
  const published = d.publishedAt ? Date.parse(d.publishedAt) : Number.NaN;
  return Number.isNaN(published) ? Date.parse(d.discoveredAt) : published;
}
