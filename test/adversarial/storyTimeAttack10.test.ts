import { PassThrough, Readable } from 'node:stream';
import type { Job } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { clusterJsonl } from '../../src/cli/commands/cluster.ts';
import { createLogger } from '../../src/log.ts';
import { createKeys } from '../../src/queue/keys.ts';
import { getDrafts } from '../../src/review/draftStore.ts';
import { getStoryRecords } from '../../src/stories/storyRecords.ts';
import { startRuntime, type Runtime } from '../../workers/runtime.ts';
import { createStoryProcessor } from '../../workers/storyProcessor.ts';
import { dropPrefix, testPrefix, testSettings } from '../helpers/redis.ts';
import { seedFrom } from '../helpers/stories.ts';

// Attack 10 (story stage): a publisher's date far in the future (a wrong year, a hostile feed) must not poison the
// story stage's sense of time: not the story's latest time in the workers, not the clock of `cluster --jsonl`.

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.reverse()) await fn().catch(() => {});
  cleanup = [];
});

const TITLE = 'Nvidia unveils Blackwell Ultra GPU for AI data centers';
const TEXT = 'Nvidia on Tuesday unveiled its Blackwell Ultra GPU for AI data centers at its GTC developer conference in San Jose, California.';

async function cluster(lines: unknown[]): Promise<{ id: string | null; story: string | null; why?: string[] }[]> {
  const out = new PassThrough();
  let text = '';
  out.on('data', (d) => (text += d));
  await clusterJsonl(Readable.from(lines.map((l) => `${JSON.stringify(l)}\n`)), out, { windowMs: 72 * 3_600_000 });
  return text.trim().split('\n').map((l) => JSON.parse(l));
}

describe('cluster --jsonl: one line dated in the year 9999', () => {
  it('does not end the window for the lines after it', async () => {
    const out = await cluster([
      { id: 'a', title: TITLE, summary: TEXT, source: 'Wire', publishedAt: '2026-03-18T10:00:00Z' },
      { id: 'x', title: 'Completely unrelated local council budget vote', source: 'Hostile', publishedAt: '9999-12-31T00:00:00Z' },
      { id: 'b', title: TITLE, summary: TEXT, source: 'Daily', publishedAt: '2026-03-18T11:00:00Z' },
    ]);
    expect(out.map((l) => [l.id, l.story])).toEqual([
      ['a', 's_a'],
      ['x', 's_x'],
      ['b', 's_a'],
    ]);
  });
});

const job = (id: string, draftIds: string[]) => ({ id, data: { draftIds, reason: 'new' }, attemptsMade: 0, opts: {} }) as unknown as Job;

describe('story stage: a member published "in 2099"', () => {
  it('does not make every later member look decades apart from its story', { timeout: 30_000 }, async () => {
    const prefix = testPrefix();
    const runtime: Runtime = await startRuntime(testSettings(prefix, { SIGNAL_DESK_ENRICH: 'off' }), [], { workers: false, logger: createLogger('silent') });
    cleanup.push(async () => {
      await runtime.stop();
      await dropPrefix(prefix);
    });
    const h = { redis: runtime.ctx.redis, keys: createKeys(prefix), clock: { now: () => Date.now(), advance: () => {}, set: () => {} } };
    const first = await seedFrom(h, { id: 'wire', name: 'Wire' }, { title: TITLE, summary: TEXT });
    const future = await seedFrom(h, { id: 'typo', name: 'Typo Times' }, { title: TITLE, summary: TEXT, publishedAt: '2099-01-01T00:00:00.000Z' });
    const later = await seedFrom(h, { id: 'daily', name: 'Daily' }, { title: TITLE, summary: TEXT });
    const place = createStoryProcessor(runtime.ctx);
    await place(job('j1', [first]));
    await place(job('j2', [future]));
    await place(job('j3', [later]));

    const drafts = await getDrafts(h.redis, h.keys, [first, future, later]);
    const storyId = drafts[0]!.story!.id;
    expect(drafts.map((d) => d.story?.id)).toEqual([storyId, storyId, storyId]);
    const sig = JSON.parse((await h.redis.get(h.keys.storySignature(storyId)))!) as { lastAt: number };
    expect(sig.lastAt).toBeLessThanOrEqual(Date.now());
    const record = (await getStoryRecords(h.redis, h.keys, [storyId])).get(storyId)!;
    expect(record.members.find((m) => m.draftId === later)!.why).toContain('within the hour');
  });
});

describe('cluster --jsonl: an id given twice', () => {
  it('is refused, and the story its first line started keeps every member', async () => {
    const out = await cluster([
      { id: 'c', title: TITLE, summary: TEXT, source: 'Wire', publishedAt: '2026-03-18T10:00:00Z' },
      { id: 'd', title: TITLE, summary: TEXT, source: 'Daily', publishedAt: '2026-03-18T10:10:00Z' },
      { id: 'c', title: 'Completely unrelated local council budget vote', source: 'Hostile', publishedAt: '2026-03-18T10:20:00Z' },
      { id: 'e', title: TITLE, summary: TEXT, source: 'Post', publishedAt: '2026-03-18T10:30:00Z' },
    ]);
    expect(out.map((l) => [l.id, l.story])).toEqual([
      ['c', 's_c'],
      ['d', 's_c'],
      ['c', null],
      ['e', 's_c'],
    ]);
  });
});
