import { commitDrafts } from '../../src/dedupe/seenStore.ts';
import { Annotation, type DraftSignal, type ScoreComponent } from '../../src/drafts/schema.ts';
import { ageRank, reviewRank } from '../../src/drafts/score.ts';
import { toDraft } from '../../src/drafts/toDraft.ts';
import type { FeedItem } from '../../src/parse/types.ts';
import { applyDraftChanges, getDraft } from '../../src/review/draftStore.ts';
import type { StoryRecord } from '../../src/stories/storyRecord.ts';
import { updateStoryRecords } from '../../src/stories/storyRecords.ts';
import type { DeskHarness } from './desk.ts';

type H = Pick<DeskHarness, 'redis' | 'keys' | 'clock'>;
let counter = 0;

/** One feed item of a named source, drafted and committed the way the ingest worker does; returns the draft id. */
export async function seedFrom(h: H, source: { id: string; name: string }, item: Partial<FeedItem> & { title: string }): Promise<string> {
  const n = ++counter;
  const src = { id: source.id, name: source.name, url: `https://${source.id}.example/feed`, weight: 0.8, category: undefined, tags: [] };
  const full: FeedItem = { key: `k${n}`, guid: `g${n}`, url: `https://${source.id}.example/news/${n}`, author: null, publishedAt: new Date(h.clock.now() - n * 60_000).toISOString(), updatedAt: null, categories: [], summary: null, ...item };
  const d = toDraft(full, src, new Date(h.clock.now()).toISOString());
  await commitDrafts(h.redis, h.keys, src.id, [{ itemHash: `h-${d.id}`, urlHash: undefined, draftId: d.id, rank: reviewRank(d.score, d.discoveredAt), age: ageRank(d.publishedAt, d.discoveredAt), json: JSON.stringify(d) }], h.clock.now(), 86_400_000);
  return d.id;
}

/**
 * Writes a pipeline stage's fields onto a draft as the annotate and story stages do: one version up through the
 * desk's write script as a system actor, with an audit entry and the rank the new score gives.
 */
export async function writeStage(h: H, id: string, fields: Partial<DraftSignal>, actor = 'stories'): Promise<DraftSignal> {
  const d = (await getDraft(h.redis, h.keys, id))!;
  const next = { ...d, ...fields, version: d.version + 1 };
  const result = await applyDraftChanges(h.redis, h.keys, actor, h.clock.now(), [
    { expectedVersion: d.version, next, scoreRank: reviewRank(next.score, next.discoveredAt), ageRank: ageRank(next.publishedAt, next.discoveredAt), audit: { at: new Date(h.clock.now()).toISOString(), actor, action: actor === 'annotate' ? 'annotated' : 'story', version: next.version }, claim: 'none' },
  ]);
  if (!result.ok) throw new Error(`stage write of ${id} failed: ${result.reason}`);
  return next;
}

/** Puts drafts in one story as the story stage does: the story record (members in order, through the compare-and-set script), then each draft's `story`. */
export async function putStory(h: H, storyId: string, ids: string[], scores: number[] = []): Promise<StoryRecord> {
  const drafts = await Promise.all(ids.map(async (id) => (await getDraft(h.redis, h.keys, id))!));
  const at = new Date(h.clock.now()).toISOString();
  const written = await updateStoryRecords(h.redis, h.keys, [storyId], (records) => {
    const had = records.get(storyId);
    const members = drafts.map((d, i) => ({ draftId: d.id, sourceId: d.source.id, sourceName: d.source.name, headline: d.headline, link: d.link, addedAt: new Date(h.clock.now() - (ids.length - i) * 60_000).toISOString(), publishedAt: d.publishedAt, why: i === 0 ? 'started the story' : 'similar: 0.7 (terms)' }));
    return new Map([[storyId, { id: storyId, createdAt: had?.createdAt ?? members[0]!.addedAt, updatedAt: at, members: [...(had?.members ?? []), ...members] }]]);
  });
  for (const [i, d] of drafts.entries()) await writeStage(h, d.id, { story: { id: storyId, pinned: false, blocked: [] }, ...(scores[i] === undefined ? {} : { score: scores[i] }) });
  return written.get(storyId)!;
}

/** An annotation as the annotate stage writes it (entities, suggestion, rules), and a score breakdown as the score stage explains it. */
export async function annotate(h: H, id: string, annotation: Partial<Annotation>, breakdown: ScoreComponent[] = []): Promise<DraftSignal> {
  const a = Annotation.parse({ at: new Date(h.clock.now()).toISOString(), entities: [], suggestion: null, rules: [], boost: 0, view: null, ...annotation });
  return writeStage(h, id, { annotation: a, scoreBreakdown: breakdown }, 'annotate');
}
