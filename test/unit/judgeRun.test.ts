import { describe, expect, it } from 'vitest';
import { describeProgress, judgeRun } from '../../src/cli/commands/run.ts';

const s = (sourceId: string, outcome: 'ok' | 'failed' | 'cancelled' | 'not_modified') => ({ sourceId, outcome });

describe('run --once exit code (--fail-on, issue 11 item 9)', () => {
  const summaries = [s('a', 'ok'), s('b', 'failed'), s('c', 'failed'), s('d', 'cancelled')];

  it('any (the default): 1 when any source failed, whatever failed before', () => {
    expect(judgeRun(summaries, 'any', new Set(['b', 'c']))).toEqual({ code: 1, newlyFailing: ['b', 'c'], stillFailing: [] });
    expect(judgeRun([s('a', 'ok'), s('d', 'cancelled')], 'any', new Set())).toMatchObject({ code: 0 });
  });

  it('new: 1 only for a source that was not failing before the run', () => {
    expect(judgeRun(summaries, 'new', new Set(['b', 'c']))).toEqual({ code: 0, newlyFailing: [], stillFailing: ['b', 'c'] });
    expect(judgeRun(summaries, 'new', new Set(['b']))).toEqual({ code: 1, newlyFailing: ['c'], stillFailing: ['b'] });
    // A source that was failing and now works is no failure at all.
    expect(judgeRun([s('a', 'ok')], 'new', new Set(['a']))).toEqual({ code: 0, newlyFailing: [], stillFailing: [] });
  });

  it('progress lines: one readable line per source', () => {
    const base = { items: 1, duplicates: 0, related: 0, enriched: 0, enrichPending: 0, stories: 0, storyPending: 0, dropped: {}, skipped: {} };
    expect(describeProgress({ ...base, sourceId: 'wire', outcome: 'ok', code: 'ok', newDrafts: 3, error: null }, 2, 5)).toBe('[2/5] wire: ok, 3 new');
    expect(describeProgress({ ...base, sourceId: 'blog', outcome: 'failed', code: 'not_found', newDrafts: 0, error: 'HTTP 404' }, 5, 5)).toBe('[5/5] blog: failed (not_found)');
  });
});
