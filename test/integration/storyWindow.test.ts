import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/clock.ts';
import { reviewRank } from '../../src/drafts/score.ts';
import { scoreDraft } from '../../src/drafts/scoreDraft.ts';
import type { DraftSignal } from '../../src/drafts/schema.ts';
import { runOnce } from '../../src/queue/runOnce.ts';
import { getDrafts } from '../../src/review/draftStore.ts';
import { getStoryRecords } from '../../src/stories/storyRecords.ts';
import { startRuntime, type Runtime } from '../../workers/runtime.ts';
import { startServer, type TestServer } from '../helpers/httpServer.ts';
import { source } from '../helpers/pipeline.ts';
import { dropPrefix, testPrefix, testSettings } from '../helpers/redis.ts';

// The story window (SIGNAL_DESK_STORY_HOURS, 72 h) on the injected clock: a second publisher's item of the same
// event joins the story within the window (and the first member is re-scored), and starts its own after it.

const HOUR = 3_600_000;
const T0 = Date.parse('2026-03-02T09:00:00Z');
const HEADLINE = 'Intel names new chief executive after board shake-up';
const EXCERPT = 'Intel named a new chief executive on Monday after a board shake-up at the Santa Clara chipmaker.';

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.reverse()) await fn().catch(() => {});
  cleanup = [];
});

/** One publisher per source id, each with the same item (no date: its time is when it was found) on its own link. */
async function setup() {
  const servers: Record<string, TestServer> = {};
  for (const id of ['wire', 'daily']) {
    let origin = '';
    const server = await startServer((_req: IncomingMessage, res: ServerResponse) => {
      res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(`<?xml version="1.0"?><rss version="2.0"><channel><title>${id}</title><link>${origin}/</link><item><title>${HEADLINE}</title><link>${origin}/${id}/intel-ceo</link><guid>${id}-1</guid><description>${EXCERPT}</description></item></channel></rss>`);
    });
    origin = server.origin;
    servers[id] = server;
  }
  const sources = [source('wire', servers.wire!.url('/feed.xml'), { weight: 0.8 }), source('daily', servers.daily!.url('/feed.xml'), { weight: 0.6 })];
  const prefix = testPrefix();
  const clock = fixedClock(T0);
  const runtime: Runtime = await startRuntime(testSettings(prefix, { SIGNAL_DESK_ENRICH: 'off' }), sources, { clock });
  cleanup.push(async () => {
    await runtime.stop();
    await Promise.all(Object.values(servers).map((s) => s.close()));
    await dropPrefix(prefix);
  });
  const { redis, keys } = runtime.ctx;
  const bySource = async (): Promise<Record<string, DraftSignal>> => Object.fromEntries((await getDrafts(redis, keys, await redis.zrange(keys.review, 0, -1))).map((d) => [d.source.id, d]));
  return { runtime, clock, sources, bySource };
}

describe('the story window', () => {
  it('within the window, the second publisher joins the story and the first member is re-scored with it', { timeout: 60_000 }, async () => {
    const { runtime, clock, sources, bySource } = await setup();
    await runOnce(runtime.ctx, [sources[0]!]);
    clock.advance(2 * HOUR);
    const [summary] = await runOnce(runtime.ctx, [sources[1]!]);
    expect(summary).toMatchObject({ newDrafts: 1, stories: 1, storyPending: 0 });
    const { wire, daily } = await bySource();
    expect(daily!.story?.id).toBe(wire!.story?.id);
    const record = (await getStoryRecords(runtime.ctx.redis, runtime.ctx.keys, [wire!.story!.id])).get(wire!.story!.id)!;
    expect(record.members.map((m) => m.sourceId)).toEqual(['wire', 'daily']);
    expect(record.members[1]!.why).toMatch(/^similar: /);
    // The first member's score is the one its grown story gives it now, and the review queue orders by it.
    const weightOf = (id: string) => sources.find((s) => s.id === id)!.weight;
    const expected = scoreDraft(wire!, { story: record, weightOf, now: clock.now() });
    expect({ score: wire!.score, breakdown: wire!.scoreBreakdown }).toEqual({ score: expected.score, breakdown: expected.components });
    expect(Number(await runtime.ctx.redis.zscore(runtime.ctx.keys.byScore('pending'), wire!.id))).toBe(reviewRank(wire!.score, wire!.discoveredAt));
    // Written as the story stage, a system actor: coverage breadth changed its breakdown.
    const audit = (await runtime.ctx.redis.lrange(runtime.ctx.keys.audit(wire!.id), 0, -1)).map((e) => JSON.parse(e) as { actor: string; action: string; reason?: string });
    expect(audit.filter((e) => e.actor === 'stories').map((e) => [e.action, e.reason])).toEqual([
      ['story', `story ${wire!.story!.id}: started the story`],
      ['rescored', `story ${wire!.story!.id} grew to 2 members`],
    ]);
  });

  it('after the window, the same event from the second publisher starts a story of its own', { timeout: 60_000 }, async () => {
    const { runtime, clock, sources, bySource } = await setup();
    await runOnce(runtime.ctx, [sources[0]!]);
    clock.advance(runtime.ctx.settings.storyWindowMs + HOUR);
    await runOnce(runtime.ctx, [sources[1]!]);
    const { wire, daily } = await bySource();
    expect(wire!.story).not.toBeNull();
    expect(daily!.story).not.toBeNull();
    expect(daily!.story!.id).not.toBe(wire!.story!.id);
    const records = await getStoryRecords(runtime.ctx.redis, runtime.ctx.keys, [wire!.story!.id, daily!.story!.id]);
    expect([...records.values()].map((r) => r.members.length)).toEqual([1, 1]);
  });
});
