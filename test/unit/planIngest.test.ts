import { describe, expect, it } from 'vitest';
import type { IngestJobData } from '../../src/queue/jobs.ts';
import { planIngest } from '../../src/queue/queueIngest.ts';

const item = (n: number): IngestJobData['items'][number] => ({
  key: `guid:item-${n}`,
  guid: `item-${n}`,
  url: `https://pub.example/${n}`,
  title: `Story ${n}`,
  author: null,
  publishedAt: null,
  updatedAt: null,
  categories: [],
  summary: null,
  itemHash: `hash-${n}`,
  urlHash: `url-${n}`,
});
const data = (ns: number[], discoveredAt = '2026-11-27T06:00:00.000Z'): IngestJobData => ({
  source: { id: 's', name: 'S', url: 'https://pub.example/feed', weight: 1, tags: [] },
  discoveredAt,
  items: ns.map(item),
});
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('planIngest: ingest job ids derived from the items they carry', () => {
  it('the same poll with the same new items names the same job (a re-run adds it once), whatever the order or the attempt time', () => {
    const a = planIngest('p-s-7', data([1, 2, 3]));
    const b = planIngest('p-s-7', data([3, 1, 2], '2026-11-27T06:05:00.000Z'));
    expect(b.id).toBe(a.id);
    expect(a.chunks).toEqual([{ id: a.id, data: data([1, 2, 3]) }]);
  });

  it('other items (the feed changed before the re-run) or another poll name another job: an existing job never stands for items it does not hold', () => {
    const first = planIngest('p-s-7', data(range(30))).id;
    expect(planIngest('p-s-7', data(range(40))).id).not.toBe(first);
    expect(planIngest('p-s-7', data(range(29))).id).not.toBe(first);
    expect(planIngest('p-s-8', data(range(30))).id).not.toBe(first);
  });

  it('a large poll becomes chunks of at most the chunk size, each with its own content-derived id, the same whatever the feed order', () => {
    const plan = planIngest('p-s-1', data(range(2500)), 1000);
    expect(plan.chunks.map((c) => c.data.items.length)).toEqual([1000, 1000, 500]);
    expect(plan.chunks.flatMap((c) => c.data.items.map((i) => i.key)).sort()).toEqual(range(2500).map((n) => `guid:item-${n}`).sort());
    const ids = plan.chunks.map((c) => c.id);
    expect(new Set([...ids, plan.id]).size).toBe(4);
    expect(planIngest('p-s-1', data(range(2500).reverse()), 1000)).toEqual({ id: plan.id, chunks: plan.chunks });
    // One more item: another parent, and every chunk id changes with it.
    const grown = planIngest('p-s-1', data(range(2501)), 1000);
    expect(grown.id).not.toBe(plan.id);
    expect(grown.chunks.map((c) => c.id).filter((id) => ids.includes(id))).toEqual([]);
  });

  it('exactly the chunk size is one job, not a flow', () => {
    const plan = planIngest('p-s-1', data(range(1000)), 1000);
    expect(plan.chunks).toHaveLength(1);
    expect(plan.chunks[0]!.id).toBe(plan.id);
  });
});
