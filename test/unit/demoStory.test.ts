import { describe, expect, it } from 'vitest';
import { describeStory, pickStory } from '../../src/demo/showStory.ts';
import type { DraftSignal } from '../../src/drafts/schema.ts';
import { scoreDraft } from '../../src/drafts/scoreDraft.ts';
import { toDraft } from '../../src/drafts/toDraft.ts';
import type { StoryRecord } from '../../src/stories/storyRecord.ts';

const at = '2026-11-26T15:00:00.000Z';
const make = (sourceId: string, name: string, title: string, storyId: string | null, weight = 0.6): DraftSignal => ({
  ...toDraft({ key: `${sourceId}-${title}`, guid: null, url: `https://${sourceId}.example/${encodeURIComponent(title)}`, title, author: null, publishedAt: '2026-11-26T14:00:00Z', updatedAt: null, categories: [], summary: null }, { id: sourceId, name, url: `https://${sourceId}.example/feed`, weight, tags: [] }, at),
  story: storyId ? { id: storyId, pinned: false, blocked: [] } : null,
});

describe('the demo: one story from several sources', () => {
  const register = make('the-register', 'The Register', 'Broadcom raises VMware licence prices again', 'st_vmware', 0.75);
  const sth = make('servethehome', 'ServeTheHome', 'VMware price rise: Broadcom sets a 72-core minimum', 'st_vmware');
  const weekly = make('infra-weekly', 'Infrastructure Weekly', 'Broadcom VMware prices push small customers to Proxmox', 'st_vmware', 0.5);
  const egress1 = make('the-register', 'The Register', 'Cloud giant scraps egress fees', 'st_egress', 0.75);
  const egress2 = make('slashdot', 'Slashdot', 'Cloud Giant Drops Egress Fees', 'st_egress', 0.4);
  const alone = make('toms', "Tom's Hardware", 'Arm server chip tapes out', 'st_arm');
  const unplaced = make('toms', "Tom's Hardware", 'HBM4 sold out', null);

  it('picks the story with the most distinct sources; a second draft of one source is not a second source', () => {
    // Four drafts from three sources beats three drafts from two.
    const again = make('servethehome', 'ServeTheHome', 'VMware minimum: the quotes', 'st_vmware');
    const egress3 = make('the-register', 'The Register', 'Egress fees: the small print', 'st_egress');
    const story = pickStory([alone, egress1, egress3, register, again, sth, egress2, weekly, unplaced])!;
    expect(story.storyId).toBe('st_vmware');
    expect(story.sources).toEqual(['The Register', 'ServeTheHome', 'Infrastructure Weekly']);
    expect(story.drafts.map((d) => d.id)).toEqual([register.id, again.id, sth.id, weekly.id]);
  });

  it('shows nothing when no story has two sources', () => {
    expect(pickStory([alone, unplaced, make('toms', "Tom's Hardware", 'Same source, same story', 'st_arm')])).toBeUndefined();
  });

  it('prints the row, each member with how it joined, the lead draft\'s entities, suggestion and score breakdown', () => {
    const members = [register, sth, weekly].map((d, i) => ({ draftId: d.id, sourceId: d.source.id, sourceName: d.source.name, headline: d.headline, link: d.link, addedAt: at, publishedAt: d.publishedAt, why: i ? `similar: 0.6${i}` : 'started the story' }));
    const record: StoryRecord = { id: 'st_vmware', createdAt: at, updatedAt: at, members };
    const annotation = {
      at,
      entities: [{ name: 'Broadcom', kind: 'organization' as const, from: 'headline' as const, count: 1 }, { name: 'VMware', kind: 'product' as const, from: 'headline' as const, count: 1 }],
      suggestion: { category: 'Infrastructure Software', from: 'taxonomy' as const, confidence: 0.8, why: 'keywords: VMware, licence' },
      rules: [],
      boost: 0,
      view: null,
    };
    const weights: Record<string, number> = { 'the-register': 0.75, servethehome: 0.6, 'infra-weekly': 0.5 };
    const scored = scoreDraft({ ...register, annotation }, { story: record, weightOf: (id) => weights[id] ?? 0.5, now: Date.parse(at) });
    const lead = { ...register, annotation, score: scored.score, scoreBreakdown: scored.components };
    const text = describeStory({ storyId: 'st_vmware', drafts: [lead, sth, weekly], sources: ['The Register', 'ServeTheHome', 'Infrastructure Weekly'] }, record).join('\n');
    expect(text).toContain('One story, 3 sources, one queue row (story st_vmware): The Register, ServeTheHome, Infrastructure Weekly');
    expect(text).toMatch(/lead {2}Broadcom raises VMware licence prices again +The Register +score \d+ +\(started the story\)/);
    expect(text).toMatch(/VMware price rise: Broadcom sets a 72-core minimum +ServeTheHome +score \d+ +\(similar: 0\.61\)/);
    expect(text).toContain('entities    Broadcom (organization, headline); VMware (product, headline)');
    expect(text).toContain('category    suggested: Infrastructure Software (taxonomy, 80%): keywords: VMware, licence; the editor accepts it with one key');
    expect(text).toContain(`score       ${scored.score} / 100, made of:`);
    expect(text).toMatch(/Coverage breadth +\+9 +2 other publishers: ServeTheHome 0\.6, Infrastructure Weekly 0\.5/);
    expect(text).toMatch(/Entity prominence +\+\d+ +2 named in the headline, 2 also named by other publishers/);
  });
});
