import { digest } from '../dedupe/itemKey.ts';
import { normalizeUrl } from '../dedupe/normalizeUrl.ts';
import { entityKey, extractEntities } from '../entities/extractEntities.ts';
import { SignalDeskError } from '../errors.ts';
import type { StoryItem } from './types.ts';

/** One line of `signal-desk cluster --jsonl` (the measurement contract of ../shared/tools/cluster_check.py). */
export interface ClusterLine {
  id: string;
  title: string;
  url?: string | null;
  source?: string | null;
  publishedAt?: string | null;
  summary?: string | null;
}

const ID_MAX = 200;
const TEXT_MAX = 5_000;
/** A `publishedAt` more than this ahead of the wall clock is not believed (the line gets the previous line's time). */
const FUTURE_MS = 86_400_000;

/**
 * A scorer's line as the story stage's item: the same features the workers give a draft (normalised URL
 * digest, entities of headline and excerpt, the publisher). `fallbackAt` is used when `publishedAt` is
 * missing, unreadable or after `latestAt` (a day past the wall clock) (the previous line's time: lines come oldest first). Throws a `SignalDeskError`
 * naming the field when the line cannot be placed.
 */
export function itemFromLine(raw: unknown, fallbackAt: number, latestAt: number = Date.now() + FUTURE_MS): StoryItem {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new SignalDeskError('cluster_bad_line', 'line is not a JSON object {"id","title",…}');
  const o = raw as Record<string, unknown>;
  const id = typeof o.id === 'string' || typeof o.id === 'number' ? String(o.id) : '';
  if (!id) throw new SignalDeskError('cluster_bad_line', 'line has no "id" (a string or number)');
  if (id.length > ID_MAX) throw new SignalDeskError('cluster_bad_line', `"id" is over ${ID_MAX} characters`);
  const text = (v: unknown) => (typeof v === 'string' ? v.slice(0, TEXT_MAX).trim() : '');
  const headline = text(o.title);
  const summary = text(o.summary);
  const source = text(o.source) || 'unknown source';
  const published = typeof o.publishedAt === 'string' ? Date.parse(o.publishedAt) : Number.NaN;
  const link = typeof o.url === 'string' ? normalizeUrl(o.url) : undefined;
  const entities = extractEntities({ headline, excerpt: summary || null }).map((e) => entityKey(e.name));
  return {
    id,
    sourceId: source.toLowerCase(),
    sourceName: source,
    // The clock of `cluster --jsonl` is the items' own time: one line dated in the year 9999 would otherwise end
    // the window for every line after it.
    at: Number.isFinite(published) && published <= latestAt ? published : fallbackAt,
    headline,
    text: summary,
    urls: link ? [digest(link)] : [],
    entities: [...new Set(entities)],
    blocked: [],
  };
}
