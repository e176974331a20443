import { describe, expect, it } from 'vitest';
import { isOutage, projectOutage } from '../../src/schedule/outage.ts';

// The outage rule once a poll's own outcome is in the window it read before fetching (beginPoll): each source
// counts once, by its latest poll, so a source polled twice in ten minutes never counts twice.
describe('projectOutage', () => {
  it('adds a source new to the window, and its network failure', () => {
    expect(projectOutage({ polled: 3, networkFailed: 1, counted: false, failedCounted: false }, 'timeout')).toEqual({ polled: 4, networkFailed: 2, outage: true });
    expect(projectOutage({ polled: 3, networkFailed: 1, counted: false, failedCounted: false }, 'server_error')).toEqual({ polled: 4, networkFailed: 1, outage: false });
  });

  it('counts a source already in the window once: a second network failure is not a second failed source', () => {
    expect(projectOutage({ polled: 4, networkFailed: 1, counted: true, failedCounted: true }, 'dns')).toEqual({ polled: 4, networkFailed: 1, outage: false });
  });

  it('takes a source out of the failed count when its latest poll succeeds', () => {
    // Two of four failed: an outage, until one of them answers again.
    expect(projectOutage({ polled: 4, networkFailed: 2, counted: true, failedCounted: true }, 'ok')).toEqual({ polled: 4, networkFailed: 1, outage: false });
    // A source that failed before and fails again keeps the window as it was.
    expect(projectOutage({ polled: 4, networkFailed: 2, counted: true, failedCounted: true }, 'network')).toEqual({ polled: 4, networkFailed: 2, outage: true });
  });

  it('needs at least four sources: three failing out of three is a bad morning at three publishers, not our network', () => {
    expect(projectOutage({ polled: 2, networkFailed: 2, counted: false, failedCounted: false }, 'timeout')).toEqual({ polled: 3, networkFailed: 3, outage: false });
    expect(isOutage(4, 2)).toBe(true);
    expect(isOutage(5, 2)).toBe(false);
    expect(isOutage(0, 0)).toBe(false);
  });
});
