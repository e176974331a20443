import { describe, expect, it } from 'vitest';
import { DeskError } from '../../src/errors.ts';
import type { AuditEntry } from '../../src/review/draftStore.ts';
import { onlySystemWritesSince, retryAfterSystemWrite } from '../../src/review/systemWrites.ts';

const at = '2026-11-27T10:00:00.000Z';
const entry = (actor: string, action: string, version?: number): AuditEntry => ({ at, actor, action, version });

describe('onlySystemWritesSince: which intervening versions an editor need not have read', () => {
  it('only enrichment since the version read: yes', () => {
    expect(onlySystemWritesSince([entry('enrichment', 'enrich', 2)], 1, 2)).toBe(true);
    expect(onlySystemWritesSince([entry('editor', 'claim'), entry('enrichment', 'enrich', 2), entry('enrichment', 'enrich', 3)], 1, 3)).toBe(true);
  });
  it('an editor in between, before or after enrichment: no', () => {
    expect(onlySystemWritesSince([entry('editor2', 'edit', 2)], 1, 2)).toBe(false);
    expect(onlySystemWritesSince([entry('enrichment', 'enrich', 2), entry('editor2', 'edit', 3)], 1, 3)).toBe(false);
    expect(onlySystemWritesSince([entry('editor2', 'edit', 2), entry('enrichment', 'enrich', 3)], 1, 3)).toBe(false);
  });
  it('a version without an audit entry (trimmed history, a hand write) is not known to be harmless: no', () => {
    expect(onlySystemWritesSince([entry('enrichment', 'enrich', 3)], 1, 3)).toBe(false);
    expect(onlySystemWritesSince([], 1, 2)).toBe(false);
  });
  it('the version read is current or ahead: nothing to re-apply', () => {
    expect(onlySystemWritesSince([entry('enrichment', 'enrich', 2)], 2, 2)).toBe(false);
    expect(onlySystemWritesSince([entry('enrichment', 'enrich', 2)], 3, 2)).toBe(false);
  });
  it('an actor merely named like the system one is not it', () => {
    expect(onlySystemWritesSince([entry('Enrichment', 'edit', 2)], 1, 2)).toBe(false);
    expect(onlySystemWritesSince([entry('enrichment ', 'edit', 2)], 1, 2)).toBe(false);
  });
});

describe('retryAfterSystemWrite', () => {
  it('runs again after a stale_version, up to the attempts, and passes other errors through at once', async () => {
    let n = 0;
    expect(await retryAfterSystemWrite(async () => (++n < 3 ? Promise.reject(new DeskError('stale_version', 'stale')) : 'ok'))).toBe('ok');
    expect(n).toBe(3);
    n = 0;
    await expect(retryAfterSystemWrite(async () => (++n, Promise.reject(new DeskError('stale_version', 'stale'))))).rejects.toMatchObject({ code: 'stale_version' });
    expect(n).toBe(3);
    n = 0;
    await expect(retryAfterSystemWrite(async () => (++n, Promise.reject(new DeskError('locked', 'held'))))).rejects.toMatchObject({ code: 'locked' });
    expect(n).toBe(1);
  });
});
