import type { RawItem } from '../parse/types.ts';
import { toHttpUrl } from './httpUrl.ts';
import { matchFilters, type KeywordFilters } from './matchFilters.ts';

/**
 * Why the draft stage does not make a draft of an item it was handed. The parser reports every item it
 * finds; these are the items that cannot (or must not) become a signal. Each is counted per source
 * (drafts/recordSkips.ts): in `run --once`'s table, the metrics and the source's health.
 */
export const SKIP_REASONS = ['no_title_or_link', 'filtered', 'unreadable'] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

/** What a user reads for each reason (the `run --once` footnote, `sources status`, the Sources page). */
export const SKIP_LABELS: Record<SkipReason, string> = {
  no_title_or_link: 'no title or link',
  filtered: "filtered out by the source's rules",
  unreadable: 'not readable as a draft',
};

/** The label of a reason code; an unknown code (written by a newer version) is shown as it is. */
export function skipLabel(reason: string): string {
  return (SKIP_LABELS as Record<string, string>)[reason] ?? reason;
}

export interface SkipRule {
  reason: SkipReason;
  skips: (item: RawItem, source: { filters?: KeywordFilters | undefined }) => boolean;
}

/**
 * The rules, as data, in order: the first that says skip names the reason. An item needs a headline an
 * editor can read or a link to the article (a summary alone becomes the headline only beside one of them);
 * then the source's include/exclude keyword filters. `unreadable` is decided where the draft is built
 * (an item `toDraft` refuses), never here.
 */
export const SKIP_RULES: readonly SkipRule[] = [
  { reason: 'no_title_or_link', skips: (item) => !item.title?.trim() && toHttpUrl(item.url) === undefined },
  { reason: 'filtered', skips: (item, source) => source.filters !== undefined && !matchFilters(item, source.filters) },
];

/** Undefined when the item can become a draft; otherwise why not. Pure. */
export function skipReason(item: RawItem, source: { filters?: KeywordFilters | undefined }): SkipReason | undefined {
  return SKIP_RULES.find((rule) => rule.skips(item, source))?.reason;
}

/** Counts by reason in a user's words, most first: "no title or link 2, filtered out by the source's rules 1". Pure. */
export function describeSkipCounts(byReason: Record<string, number>): string {
  return Object.entries(byReason)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([reason, n]) => `${skipLabel(reason)} ${n}`)
    .join(', ');
}
