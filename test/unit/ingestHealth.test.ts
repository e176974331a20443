import { describe, expect, it } from 'vitest';
import { SourceSchema } from '../../src/config/sourceSchema.ts';
import type { SourceState } from '../../src/fetch/sourceState.ts';
import { describeHealth } from '../../src/schedule/health.ts';

const source = SourceSchema.parse({ id: 'big', name: 'Big', url: 'https://pub.example/feed' });
const now = Date.parse('2026-11-27T06:00:00Z');
const polledOk: SourceState = { lastAttemptAt: '2026-11-27T05:59:00.000Z', lastSuccessAt: '2026-11-27T05:59:00.000Z', lastOutcome: 'ok', lastCode: 'ok', lastMessage: '100000 items, 100000 new', consecutiveFailures: '0', intervalMs: '900000' };

describe('describeHealth: an ingest that failed for good', () => {
  const failed: SourceState = { ...polledOk, ingestFailedAt: '2026-11-27T05:58:00.000Z', ingestError: 'Maximum call stack size exceeded (ingest job ingest-abc)' };

  it('is failing, with what went wrong and what happens next, even though the latest poll itself was ok', () => {
    const h = describeHealth(source, failed, { day: 0, week: 0 }, now);
    expect(h.state).toBe('failing');
    expect(h.summary).toBe('drafts not written since 2026-11-27T05:58:00.000Z: Maximum call stack size exceeded (ingest job ingest-abc); the next poll fetches the whole feed again');
  });

  it('outranks failed polls (the silent loss first), and a paused source stays paused', () => {
    expect(describeHealth(source, { ...failed, consecutiveFailures: '3', lastCode: 'timeout' }, { day: 0, week: 0 }, now).summary).toMatch(/^drafts not written/);
    expect(describeHealth(source, { ...failed, pausedReason: 'HTTP 410 Gone' }, { day: 0, week: 0 }, now).state).toBe('paused');
  });

  it('without the mark the source is ok again', () => {
    expect(describeHealth(source, polledOk, { day: 1, week: 1 }, now)).toMatchObject({ state: 'ok', summary: '100000 items, 100000 new' });
  });
});
