/** Failures that say "we cannot reach the network", not "their server is broken". */
export const NETWORK_CODES = new Set(['timeout', 'network', 'dns']);
export const OUTAGE_WINDOW_MS = 10 * 60_000;
/** Our outage: at least half of the sources polled in the window, and at least this many, failed with network errors. */
export const OUTAGE_MIN_SOURCES = 4;
export const OUTAGE_SHARE = 0.5;

/**
 * The outage window as a poll found it before it fetched (schedule/beginPoll.ts): sources whose latest poll is
 * in the last 10 minutes, those of them whose latest poll failed with a network error, and whether this source
 * is counted in each. Shared by every worker process through Redis (`{sd}:polls:recent`, `{sd}:polls:net-failed`,
 * written by finishPoll), so the judgement is about the whole fleet, not one process.
 */
export interface OutageSnapshot {
  polled: number;
  networkFailed: number;
  counted: boolean;
  failedCounted: boolean;
}

/**
 * The window once this poll's outcome is in it (each source counts once, by its latest poll). Pure. Polls that
 * ended elsewhere while this one fetched are not seen: the rule is a judgement over ten minutes of polls, and
 * a fetch is seconds of them.
 */
export function projectOutage(s: OutageSnapshot, code: string): { polled: number; networkFailed: number; outage: boolean } {
  const failed = NETWORK_CODES.has(code);
  const polled = s.polled + (s.counted ? 0 : 1);
  const networkFailed = s.networkFailed + (failed ? (s.failedCounted ? 0 : 1) : s.failedCounted ? -1 : 0);
  return { polled, networkFailed, outage: isOutage(polled, networkFailed) };
}

export function isOutage(polled: number, networkFailed: number): boolean {
  return polled >= OUTAGE_MIN_SOURCES && networkFailed / polled >= OUTAGE_SHARE;
}
