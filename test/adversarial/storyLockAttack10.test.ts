import type { Job } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.ts';
import { createKeys } from '../../src/queue/keys.ts';
import { getDrafts } from '../../src/review/draftStore.ts';
import { startRuntime, type Runtime } from '../../workers/runtime.ts';
import { createStoryProcessor } from '../../workers/storyProcessor.ts';
import { dropPrefix, testPrefix, testSettings } from '../helpers/redis.ts';
import { seedFrom } from '../helpers/stories.ts';

// Attack 10 (story runtime): the story stage's read-decide-commit must not interleave across processes even when
// the stories queue's BullMQ global concurrency is gone (a Redis restarted empty drops the queue's meta hash while
// the workers keep running; nothing sets it again until a process restarts). Two processes' story processors
// (each its own runtime and Redis connection), one story job each, at the same moment.

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.reverse()) await fn().catch(() => {});
  cleanup = [];
});

const job = (id: string, draftIds: string[]) => ({ id, data: { draftIds, reason: 'new' }, attemptsMade: 0, opts: {} }) as unknown as Job;

describe('two story processors at once, no global concurrency', () => {
  it('two items of one story from two publishers, placed at the same moment: one story', { timeout: 30_000 }, async () => {
    const prefix = testPrefix();
    const settings = testSettings(prefix, { SIGNAL_DESK_ENRICH: 'off' });
    const runtimes: Runtime[] = [];
    for (let i = 0; i < 2; i++) runtimes.push(await startRuntime(settings, [], { workers: false, logger: createLogger('silent') }));
    cleanup.push(async () => {
      for (const r of runtimes) await r.stop();
      await dropPrefix(prefix);
    });
    const h = { redis: runtimes[0]!.ctx.redis, keys: createKeys(prefix), clock: { now: () => Date.now(), advance: () => {}, set: () => {} } };
    const text = 'Nvidia on Tuesday unveiled its Blackwell Ultra GPU for AI data centers at its GTC developer conference in San Jose, California.';
    const title = 'Nvidia unveils Blackwell Ultra GPU for AI data centers';
    const a = await seedFrom(h, { id: 'wire', name: 'Wire' }, { title, summary: text });
    const b = await seedFrom(h, { id: 'daily', name: 'Daily' }, { title, summary: text });

    // Both processes read the clusterer's state before either commits: the moment two jobs are taken together.
    let arrived = 0;
    const both = new Promise<void>((resolve) => {
      for (const r of runtimes) {
        const redis = r.ctx.redis as unknown as { hmget: (...args: unknown[]) => Promise<unknown> };
        const hmget = redis.hmget.bind(redis);
        redis.hmget = async (...args: unknown[]) => {
          if (args[0] === h.keys.storyDf && ++arrived === 2) resolve();
          if (args[0] === h.keys.storyDf) await Promise.race([both, new Promise((r2) => setTimeout(r2, 2000))]);
          return hmget(...args);
        };
      }
    });
    const [pa, pb] = runtimes.map((r) => createStoryProcessor(r.ctx));
    await Promise.all([pa!(job('j1', [a])), pb!(job('j2', [b]))]);

    const drafts = await getDrafts(h.redis, h.keys, [a, b]);
    expect(drafts.map((d) => d.story?.id).every((s) => s !== undefined)).toBe(true);
    expect(new Set(drafts.map((d) => d.story!.id)).size).toBe(1);
  });
});
