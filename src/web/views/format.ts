import { formatUtc } from '../../clock.ts';

/** "3h ago", "2d ago" (relative to `now`). */
export function ago(iso: string | null, now: number): string {
  if (!iso) return '';
  const s = Math.max(0, (now - Date.parse(iso)) / 1000);
  if (s < 90) return 'just now';
  if (s < 5400) return `${Math.round(s / 60)}m ago`;
  if (s < 129_600) return `${Math.round(s / 3600)}h ago`;
  return `${Math.round(s / 86_400)}d ago`;
}

/** "2026-11-27 12:03 UTC" (clock.ts formatUtc: the one readable form everywhere). */
export function when(iso: string | number | null): string {
  return formatUtc(iso);
}
