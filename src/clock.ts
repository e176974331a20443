/** Time is injected so that scheduling, scoring and expiry can be tested without sleeping. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

export function fixedClock(start: number | string | Date): Clock & { advance(ms: number): void; set(t: number): void } {
  let t = typeof start === 'number' ? start : new Date(start).getTime();
  return {
    now: () => t,
    advance(ms: number) {
      t += ms;
    },
    set(v: number) {
      t = v;
    },
  };
}

/**
 * The one readable form of a time in messages, logs meant for people, the CLI and the desk: "2026-11-27 12:03 UTC"
 * (unambiguous for a desk spread across time zones). Machine-readable output (JSON, API bodies) stays ISO 8601.
 */
export function formatUtc(at: string | number | Date | null | undefined): string {
  if (at === null || at === undefined) return '';
  const d = new Date(at);
  return Number.isNaN(d.getTime()) ? '' : `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
