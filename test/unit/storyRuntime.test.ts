import { describe, expect, it } from 'vitest';
import { annotateJobId } from '../../src/annotate/queueAnnotation.ts';
import { formatDropped } from '../../src/cli/commands/run.ts';
import { digest } from '../../src/dedupe/itemKey.ts';
import { normalizeUrl } from '../../src/dedupe/normalizeUrl.ts';
import { Enrichment, type DraftSignal } from '../../src/drafts/schema.ts';
import { toDraft } from '../../src/drafts/toDraft.ts';
import { draftProgress } from '../../src/queue/runOnce.ts';
import { storyJobId } from '../../src/stories/queueStories.ts';
import { describeDecision, STORY_MEMBERS_MAX, toMember, toStoryItem, withMember, withoutMember } from '../../src/stories/recordStory.ts';

// The story stage's pure parts: job ids, what the clusterer reads of a draft, story records, run --once's reading.

const NOW = Date.parse('2026-03-02T09:00:00Z');

function draft(over: Partial<DraftSignal> = {}, item: { key?: string; url?: string; publishedAt?: string | null } = {}): DraftSignal {
  const d = toDraft(
    { key: item.key ?? 'k1', guid: item.key ?? 'k1', url: item.url ?? 'https://news.example/a?utm_source=rss', title: 'Intel names a new chief executive', author: null, publishedAt: item.publishedAt === undefined ? '2026-03-02T08:00:00Z' : item.publishedAt, updatedAt: null, categories: [], summary: 'Intel named a new chief executive on Monday.' },
    { id: 'wire', name: 'Wire', url: 'https://news.example/feed', weight: 0.8, tags: [] },
    '2026-03-02T08:30:00.000Z',
  );
  return { ...d, ...over };
}

describe('job ids', () => {
  it.each([
    ['the same drafts in any order name the same job', () => expect(storyJobId(['d_b', 'd_a'], 'new')).toBe(storyJobId(['d_a', 'd_b'], 'new'))],
    ['another reason is another job', () => expect(storyJobId(['d_a'], 'enriched')).not.toBe(storyJobId(['d_a'], 'new'))],
    ['other drafts are another job', () => expect(annotateJobId(['d_a', 'd_c'], 'new')).not.toBe(annotateJobId(['d_a', 'd_b'], 'new'))],
    ['annotate and story jobs never share an id', () => expect(annotateJobId(['d_a'], 'new')).not.toBe(storyJobId(['d_a'], 'new'))],
    ['no colon (BullMQ refuses it in custom ids)', () => expect(`${annotateJobId(['d_a'], 'new')}${storyJobId(['d_a'], 'new')}`).not.toContain(':')],
  ])('%s', (_name, check) => check());
});

describe('toStoryItem', () => {
  it('reads the headline, the excerpt with the page description and keywords, link and canonical digests, entity keys, blocked stories', () => {
    const enrichment = Enrichment.parse({ state: 'done', description: { value: 'The board named its pick.', rule: 'meta:description' }, keywords: { value: ['Intel', 'CEO'], rule: 'meta:keywords' }, canonicalUrl: { value: 'https://news.example/story/intel-ceo', rule: 'link:canonical' } });
    const d = draft({
      enrichment,
      annotation: { at: '2026-03-02T08:31:00.000Z', entities: [{ name: 'Intel', kind: 'organization', from: 'headline', count: 2 }, { name: 'INTEL', kind: 'organization', from: 'page', count: 1 }], suggestion: null, rules: [], boost: 0, view: null },
      story: { id: 's_old', pinned: false, blocked: ['s_split'] },
    });
    const item = toStoryItem(d, ['s_old']);
    expect(item).toEqual({
      id: d.id,
      sourceId: 'wire',
      sourceName: 'Wire',
      at: Date.parse('2026-03-02T08:00:00Z'),
      headline: 'Intel names a new chief executive',
      text: 'Intel named a new chief executive on Monday.\nThe board named its pick.\nIntel, CEO',
      urls: [digest(normalizeUrl(d.link!)!), digest(normalizeUrl('https://news.example/story/intel-ceo')!)],
      entities: ['intel'],
      blocked: ['s_split', 's_old'],
    });
  });

  it('an undated item is placed at its discovery; no link, no URL digest; a canonical equal to the link counts once', () => {
    expect(toStoryItem(draft({}, { publishedAt: null })).at).toBe(Date.parse('2026-03-02T08:30:00.000Z'));
    expect(toStoryItem(draft({ link: null })).urls).toEqual([]);
    const same = draft({ enrichment: Enrichment.parse({ state: 'done', canonicalUrl: { value: 'https://news.example/a', rule: 'link:canonical' } }) });
    expect(toStoryItem(same).urls).toHaveLength(1);
  });
});

describe('describeDecision', () => {
  it.each([
    ['a new story', { kind: 'new' as const, storyId: 's_1', similarity: 0.1, reasons: ['nothing close'] }, 'started the story'],
    ['a join, with its reasons', { kind: 'join' as const, storyId: 's_1', similarity: 0.6234, reasons: ['same entities: intel', 'other publisher'] }, 'similar: 0.62 (same entities: intel; other publisher)'],
    ['a join without reasons', { kind: 'join' as const, storyId: 's_1', similarity: 1, reasons: [] }, 'similar: 1.00'],
  ])('%s', (_name, decision, why) => expect(describeDecision(decision)).toBe(why));

  it('is held to the record schema’s 300 characters', () => {
    const why = describeDecision({ kind: 'join', storyId: 's', similarity: 0.5, reasons: ['x'.repeat(1000)] });
    expect(why).toHaveLength(300);
    expect(why.endsWith('…')).toBe(true);
  });
});

describe('story records', () => {
  const a = draft();
  const b = draft({}, { key: 'k2', url: 'https://news.example/b' });
  const member = (d: DraftSignal) => toMember(d, 'started the story', NOW);

  it('a new story lists its first member; adding it again (a retry) changes nothing; another member is appended', () => {
    const first = withMember(undefined, 's_1', member(a), NOW);
    expect(first).toEqual({ id: 's_1', createdAt: '2026-03-02T09:00:00.000Z', updatedAt: '2026-03-02T09:00:00.000Z', members: [member(a)] });
    expect(withMember(first, 's_1', member(a), NOW + 1000)).toBe(first);
    const two = withMember(first, 's_1', member(b), NOW + 1000);
    expect(two.members.map((m) => m.draftId)).toEqual([a.id, b.id]);
    expect(two.updatedAt).toBe('2026-03-02T09:00:01.000Z');
  });

  it('a full story is left as it is; the last member leaving deletes the record', () => {
    const full = { id: 's_1', createdAt: '2026-03-02T09:00:00.000Z', updatedAt: '2026-03-02T09:00:00.000Z', members: Array.from({ length: STORY_MEMBERS_MAX }, () => member(a)) };
    expect(withMember(full, 's_1', member(b), NOW)).toBe(full);
    const one = withMember(undefined, 's_1', member(a), NOW);
    expect(withoutMember(one, a.id, NOW)).toBeNull();
    expect(withoutMember(one, 'd_other', NOW)).toBe(one);
  });
});

describe('run --once reads drafts', () => {
  it.each([
    ['placed', { status: 'pending', story: { id: 's_1' }, enrichment: { state: 'done' } }, { enrichment: 'done', story: 's_1', storyPending: false, droppedBy: null }],
    ['waiting for its story', { status: 'pending', story: null, enrichment: { state: 'pending' } }, { enrichment: 'pending', story: null, storyPending: true, droppedBy: null }],
    ['dropped by a rule', { status: 'rejected', story: null, decision: { action: 'drop', by: 'rule:no-sports' } }, { enrichment: null, story: null, storyPending: false, droppedBy: 'no-sports' }],
    ['rejected by an editor', { status: 'rejected', story: null, decision: { action: 'reject', by: 'ana' } }, { enrichment: null, story: null, storyPending: false, droppedBy: null }],
  ])('%s', (_name, stored, progress) => expect(draftProgress(JSON.stringify(stored))).toEqual(progress));

  it('a gone or unreadable draft is nothing', () => {
    expect(draftProgress(null)).toBeNull();
    expect(draftProgress('{not json')).toBeNull();
  });

  it('the dropped column names the rules, most drops first', () => {
    expect(formatDropped({ dropped: {} })).toBe('');
    expect(formatDropped({ dropped: { 'no-ads': 1, 'no-sports': 2 } })).toBe('3 (no-sports 2, no-ads 1)');
  });
});
