import { LEGACY_LEVELS } from './schema.ts';

/** The fields issue 10 turned from Low/Medium/High into 0–100. */
export const LEVEL_FIELDS = ['editorialConfidence', 'structuralImpact'] as const;

export type LevelChange = { field: (typeof LEVEL_FIELDS)[number]; from: unknown; to: number | null };

/**
 * A stored draft's JSON with Low/Medium/High rewritten as 0–100 (LEGACY_LEVELS: Low 30, Medium 60, High 90;
 * any other text, which no version ever wrote, becomes "not set" so an editor fills it in). Undefined when
 * nothing needs rewriting (already numbers or null), or when the text is not a JSON object. Every other field
 * is kept exactly as stored. Pure.
 */
export function migrateLevelsJson(raw: string): { json: string; changes: LevelChange[] } | undefined {
  let draft: unknown;
  try {
    draft = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (!draft || typeof draft !== 'object' || Array.isArray(draft)) return undefined;
  const record = draft as Record<string, unknown>;
  const changes: LevelChange[] = [];
  for (const field of LEVEL_FIELDS) {
    const from = record[field];
    if (from === undefined || from === null || isLevel(from)) continue;
    const to = typeof from === 'string' && Object.hasOwn(LEGACY_LEVELS, from) ? LEGACY_LEVELS[from as keyof typeof LEGACY_LEVELS] : null;
    record[field] = to;
    changes.push({ field, from, to });
  }
  return changes.length ? { json: JSON.stringify(record), changes } : undefined;
}

function isLevel(v: unknown): boolean {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 100;
}
