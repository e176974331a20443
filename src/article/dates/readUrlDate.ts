import { toDay, type DateValue } from './toIsoDate.ts';

// /2024/03/05/, /2024-03-05/ (also "-2024-03-05-" inside a slug), /20240305/ (a path part of its own or a slug's part).
const SLASHED = /\/((?:19|20)\d{2})\/([01]?\d)\/([0-3]?\d)(?:\/|$|[-_.])/;
const DASHED = /(?:^|[/_-])((?:19|20)\d{2})[-_]([01]\d)[-_]([0-3]\d)(?:$|[/_.-])/;
const COMPACT = /(?:^|[/_-])((?:19|20)\d{2})([01]\d)([0-3]\d)(?:$|[/_.-])/;

/** The day a URL's path names (`/2024/03/05/slug`), or undefined: a month-only path (`/2024/03/`) gives no day. */
export function readUrlDate(pageUrl: string): DateValue | undefined {
  let path: string;
  try {
    path = new URL(pageUrl).pathname;
  } catch {
    return undefined;
  }
  for (const re of [SLASHED, DASHED, COMPACT]) {
    const m = re.exec(path);
    if (!m) continue;
    const d = toDay(Number(m[1]), Number(m[2]), Number(m[3]));
    if (d) return d;
  }
  return undefined;
}
