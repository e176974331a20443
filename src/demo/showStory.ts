import type { DraftSignal } from '../drafts/schema.ts';
import { truncate } from '../parse/text.ts';
import type { StoryRecord } from '../stories/storyRecord.ts';

export interface ShownStory {
  storyId: string;
  /** The story's pending drafts, best-ranked first (the first is the row's lead). */
  drafts: DraftSignal[];
  /** Distinct sources, in the drafts' order. */
  sources: string[];
}

/**
 * The story the demo shows: the one with the most distinct sources among the pending drafts (ties: the
 * best-ranked lead), when at least two sources carry it. `drafts` come in the review queue's order. Pure.
 */
export function pickStory(drafts: DraftSignal[]): ShownStory | undefined {
  const byStory = new Map<string, DraftSignal[]>();
  for (const d of drafts) {
    if (!d.story) continue;
    byStory.set(d.story.id, [...(byStory.get(d.story.id) ?? []), d]);
  }
  let best: ShownStory | undefined;
  for (const [storyId, members] of byStory) {
    const sources = [...new Set(members.map((d) => d.source.name))];
    if (sources.length < 2) continue;
    if (!best || sources.length > best.sources.length) best = { storyId, drafts: members, sources };
  }
  return best;
}

const pad = (s: string, n: number) => (s.length >= n ? s : s + ' '.repeat(n - s.length));
const signed = (n: number, first: boolean) => (first || n <= 0 ? String(n) : `+${n}`);

/**
 * What the demo prints about that story: one queue row for all its sources, its members (with how each joined,
 * from the story record when there is one), the lead draft's entities, its category suggestion and why, and
 * its score breakdown. Plain text, one line per fact. Pure.
 */
export function describeStory(story: ShownStory, record?: StoryRecord): string[] {
  const lead = story.drafts[0]!;
  const why = new Map((record?.members ?? []).map((m) => [m.draftId, m.why]));
  const lines = [
    `One story, ${story.sources.length} sources, one queue row (story ${story.storyId}): ${story.sources.join(', ')}`,
    ...story.drafts.map((d, i) => `  ${i === 0 ? 'lead' : '    '}  ${pad(truncate(d.headline, 70) ?? '', 70)}  ${pad(d.source.name, 22)}  score ${d.score}${why.get(d.id) ? `  (${truncate(why.get(d.id) ?? null, 90)})` : ''}`),
    '',
    `Its lead draft, ${lead.id} (signal-desk review show ${lead.id}):`,
  ];
  const entities = lead.annotation?.entities ?? [];
  lines.push(entities.length ? `  entities    ${entities.slice(0, 8).map((e) => `${e.name} (${e.kind}, ${e.from})`).join('; ')}` : '  entities    none found yet');
  const s = lead.annotation?.suggestion;
  lines.push(s ? `  category    suggested: ${s.category} (${s.from}, ${Math.round(s.confidence * 100)}%): ${s.why}; the editor accepts it with one key` : '  category    no suggestion yet');
  if (lead.scoreBreakdown.length) {
    lines.push(`  score       ${lead.score} / 100, made of:`);
    lead.scoreBreakdown.forEach((c, i) => lines.push(`    ${pad(c.label, 18)} ${pad(signed(c.points, i === 0), 4)}  ${c.detail}`));
  }
  return lines;
}
