import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { syncSchedulers } from '../../src/queue/scheduler.ts';
import { source } from '../helpers/pipeline.ts';
import { dropPrefix, REDIS_URL, testPrefix, testSettings } from '../helpers/redis.ts';

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

function queueFor(prefix: string) {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const q = new Queue('poll', { connection: redis, prefix });
  closers.push(() => redis.quit(), () => q.close());
  return q;
}

describe('syncSchedulers', () => {
  it('adds, changes and removes schedules to match the config', async () => {
    const prefix = testPrefix();
    closers.push(() => dropPrefix(prefix));
    const q = queueFor(prefix);
    const settings = testSettings(prefix);
    const a = source('a', 'https://a.example/feed', { schedule: { every: '15m' } });
    const b = source('b', 'https://b.example/feed', { schedule: { cron: '*/10 * * * *' } });
    const c = source('c', 'https://c.example/feed');
    expect(await syncSchedulers(q, [a, b, c], settings)).toEqual({ added: ['a', 'b', 'c'], changed: [], unchanged: [], removed: [] });

    const a2 = source('a', 'https://a.example/feed', { schedule: { every: '5m' } });
    const cOff = source('c', 'https://c.example/feed', { enabled: false });
    expect(await syncSchedulers(q, [a2, b, cOff], settings)).toEqual({ added: [], changed: ['a'], unchanged: ['b'], removed: ['c'] });

    const schedulers = await q.getJobSchedulers();
    expect(schedulers.map((s) => [s.key, s.every ?? s.pattern]).sort()).toEqual([
      ['poll-a', 300_000],
      ['poll-b', '*/10 * * * *'],
    ]);
    // Each scheduler has exactly one next poll queued (an "every" schedule starts at once, cron waits).
    const next = await q.getJobs(['wait', 'delayed']);
    expect(next.map((j) => j.data.sourceId).sort()).toEqual(['a', 'b']);
  });

  it('several processes starting at once leave one schedule per source', async () => {
    const prefix = testPrefix();
    closers.push(() => dropPrefix(prefix));
    const settings = testSettings(prefix);
    const sources = Array.from({ length: 20 }, (_, i) => source(`s${i}`, `https://s${i}.example/feed`));
    await Promise.all([0, 1, 2, 3].map(() => syncSchedulers(queueFor(prefix), sources, settings)));
    const q = queueFor(prefix);
    expect(await q.getJobSchedulersCount()).toBe(20);
    const next = await q.getJobs(['wait', 'delayed']);
    expect(next.map((j) => j.data.sourceId).sort()).toEqual(sources.map((s) => s.id).sort());
  });
});
