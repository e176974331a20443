import { describe, expect, it } from 'vitest';
import type { DraftSignal } from '../../src/drafts/schema.ts';
import { toDraft } from '../../src/drafts/toDraft.ts';
import { gatherMembers } from '../../src/review/approveStory.ts';
import { toRow } from '../../src/review/listStories.ts';
import { memberOf, withoutMember } from '../../src/stories/correctStory.ts';
import type { StoryRecord } from '../../src/stories/storyRecord.ts';

function draft(id: string, source: string, extra: Partial<DraftSignal> = {}): DraftSignal {
  const item = { key: id, guid: id, url: `https://${source}.example/${id}`, title: `Headline ${id}`, author: null, publishedAt: null, updatedAt: null, categories: [], summary: null };
  return { ...toDraft(item, { id: source, name: source.toUpperCase(), url: `https://${source}.example/feed`, weight: 0.5, tags: [] }, '2026-11-27T10:00:00.000Z'), id, ...extra };
}

const member = (id: string, source: string, addedAt: string) => ({ ...memberOf(draft(id, source), addedAt), addedAt });

describe('story rows and story approval (pure parts)', () => {
  it('a row lists members oldest first, its publishers once each in the order they joined, and counts the listed others', () => {
    const record: StoryRecord = { id: 's_1', createdAt: '2026-11-27T08:00:00.000Z', updatedAt: '2026-11-27T09:30:00.000Z', members: [member('d_c', 'ap', '2026-11-27T09:30:00.000Z'), member('d_a', 'reuters', '2026-11-27T08:00:00.000Z'), member('d_b', 'reuters', '2026-11-27T09:00:00.000Z')] };
    const row = toRow({ ...draft('d_c', 'ap'), claim: null }, record, new Set(['d_c', 'd_a']));
    expect(row.members.map((m) => [m.draftId, m.listed])).toEqual([['d_a', true], ['d_b', false], ['d_c', true]]);
    expect(row.sources).toEqual(['REUTERS', 'AP']);
    expect(row).toMatchObject({ storyId: 's_1', firstSeen: '2026-11-27T08:00:00.000Z', latestAt: '2026-11-27T09:30:00.000Z', others: 1 });
    // No record (a draft without a story, or one whose record ended): the draft alone.
    expect(toRow({ ...draft('d_x', 'ars'), claim: null }, null, new Set(['d_x']))).toMatchObject({ storyId: null, sources: ['ARS'], others: 0, members: [{ draftId: 'd_x', listed: true }] });
  });

  it('gathering members for an approval: each member and what it had gathered, once; their pipeline coverage joined', () => {
    const lead = draft('d_l', 'ap', { related: [{ draftId: 'd_m1', headline: 'old entry', sourceName: 'REUTERS', link: null }] });
    const m1 = { ...draft('d_m1', 'reuters'), coverage: [{ sourceId: 'ft', sourceName: 'FT', headline: 'FT', link: 'https://ft.example/x', at: '2026-11-27T10:00:00.000Z', publishedAt: null }] };
    const m2 = draft('d_m2', 'verge', { related: [{ draftId: 'd_old', headline: 'merged earlier', sourceName: 'WIRED', link: 'https://wired.example/y' }] });
    const whole = gatherMembers(lead, [m1, m2]);
    expect(whole.related.map((r) => r.draftId)).toEqual(['d_m1', 'd_m2', 'd_old']);
    expect(whole.related[0]!.headline).toBe('Headline d_m1');
    expect(whole.coverage.map((c) => c.sourceName)).toEqual(['FT']);
    expect(gatherMembers(lead, [])).toBe(lead);
  });

  it('a member leaving a record: the others stay; the last one leaving deletes it', () => {
    const record: StoryRecord = { id: 's_1', createdAt: '2026-11-27T08:00:00.000Z', updatedAt: '2026-11-27T08:00:00.000Z', members: [member('d_a', 'ap', '2026-11-27T08:00:00.000Z'), member('d_b', 'ap', '2026-11-27T08:10:00.000Z')] };
    expect(withoutMember(record, 'd_a', '2026-11-27T11:00:00.000Z')).toMatchObject({ updatedAt: '2026-11-27T11:00:00.000Z', members: [{ draftId: 'd_b' }] });
    expect(withoutMember({ ...record, members: [record.members[0]!] }, 'd_a', '2026-11-27T11:00:00.000Z')).toBeNull();
  });
});
