import { describe, expect, it } from 'vitest';
import { keyKind, sumByKind } from '../../bench/keyMemory.ts';

const p = '{sd-bench-ab12cd}';

describe('keyKind', () => {
  it('replaces the id after one of our own names', () => {
    expect(keyKind(`${p}:source:farm-12`, p)).toBe('{p}:source:<id>');
    expect(keyKind(`${p}:story-terms:chips`, p)).toBe('{p}:story-terms:<id>');
    expect(keyKind(`${p}:seen-urls`, p)).toBe('{p}:seen-urls');
  });
  it('keeps BullMQ keys of a queue and replaces job ids', () => {
    expect(keyKind(`${p}:poll:delayed`, p)).toBe('{p}:poll:delayed');
    expect(keyKind(`${p}:poll:p-farm-3-1`, p)).toBe('{p}:poll:<job>');
    expect(keyKind(`${p}:ingest:ingest-9f2a:logs`, p)).toBe('{p}:ingest:<job>:logs');
    expect(keyKind(`${p}:poll:repeat:reconcile-sources:1764743000000`, p)).toBe('{p}:poll:repeat:reconcile-sources:<job>');
  });
  it('keeps the lead of redis-semaphore keys', () => {
    expect(keyKind(`semaphore:${p}:host-slots:127.0.0.1`, p)).toBe('semaphore:{p}:host-slots:<id>');
    expect(keyKind('other', p)).toBe('other');
  });
});

describe('sumByKind', () => {
  it('sums per kind, biggest first', () => {
    const kinds = sumByKind(
      [
        [`${p}:source:a1`, 300],
        [`${p}:source:b2`, 200],
        [`${p}:seen:a1`, 700],
        [`${p}:review`, 100],
      ],
      p,
    );
    expect(kinds).toEqual([
      { kind: '{p}:seen:<id>', keys: 1, bytes: 700 },
      { kind: '{p}:source:<id>', keys: 2, bytes: 500 },
      { kind: '{p}:review', keys: 1, bytes: 100 },
    ]);
  });
});
