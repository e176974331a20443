import { DRAFT_STATUSES } from '../drafts/schema.ts';
import { migrateLevelsJson, type LevelChange } from '../drafts/migrateLevels.ts';
import type { Keys } from '../queue/keys.ts';
import { withScripts } from '../queue/scripts.ts';
import type { RedisClient } from '../redisClient.ts';

/**
 * Rewrites the draft only if it is still exactly what was read (an editor's save or a pipeline write in
 * between wins; the migration reads it again). Keeps the key's expiry. No new version: the value means the
 * same, so an editor with the page open gets no 409 for it.
 * KEYS: draft. ARGV: JSON read, JSON to write. Returns 1 written, 0 changed meanwhile.
 */
const MIGRATE_DRAFT = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL')
return 1`;

type Scripted = { sdMigrateDraft(numKeys: 1, key: string, read: string, next: string): Promise<number> };

export interface MigrationReport {
  /** Drafts looked at (every status). */
  scanned: number;
  /** Drafts rewritten (or that would be, with dryRun). */
  rewritten: number;
  /** A value no mapping knows, now "not set" (draft id, field, what it said). */
  cleared: { draftId: string; field: string; from: unknown }[];
  /** Drafts that changed under the migration more often than it retried: run it again. */
  busy: string[];
}

const BATCH = 200;
const ATTEMPTS = 5;

/**
 * `signal-desk migrate`: every stored draft whose editorial confidence or structural impact still says
 * Low/Medium/High is rewritten as 0–100 (drafts/migrateLevels.ts). Walks each status index with ZSCAN (a draft
 * present for the whole walk is seen; one that moves status meanwhile may be seen twice, harmlessly), so it is
 * bounded in memory and safe while workers and editors run. Idempotent: a second run rewrites nothing.
 * Published signals are not touched: the stream is append-only, and they map on read (publish/signal.ts).
 */
export async function migrateDrafts(redis: RedisClient, keys: Keys, options: { dryRun?: boolean } = {}): Promise<MigrationReport> {
  const r = withScripts<Scripted>(redis, { sdMigrateDraft: MIGRATE_DRAFT });
  const report: MigrationReport = { scanned: 0, rewritten: 0, cleared: [], busy: [] };
  const seen = new Set<string>();
  for (const status of DRAFT_STATUSES) {
    let cursor = '0';
    do {
      const [next, flat] = await redis.zscan(keys.byAge(status), cursor, 'COUNT', BATCH);
      cursor = next;
      const ids = flat.filter((_, i) => i % 2 === 0).filter((id) => !seen.has(id));
      for (const id of ids) seen.add(id);
      report.scanned += ids.length;
      for (const id of ids) await migrateOne(r, keys, id, report, options.dryRun === true);
    } while (cursor !== '0');
  }
  return report;
}

async function migrateOne(r: RedisClient & Scripted, keys: Keys, id: string, report: MigrationReport, dryRun: boolean): Promise<void> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const raw = await r.get(keys.draft(id));
    const migrated = raw === null ? undefined : migrateLevelsJson(raw);
    if (!raw || !migrated) return;
    if (dryRun || (await r.sdMigrateDraft(1, keys.draft(id), raw, migrated.json)) === 1) {
      report.rewritten += 1;
      report.cleared.push(...unknownValues(id, migrated.changes));
      return;
    }
  }
  report.busy.push(id);
}

function unknownValues(draftId: string, changes: LevelChange[]): MigrationReport['cleared'] {
  return changes.filter((c) => c.to === null).map((c) => ({ draftId, field: c.field, from: c.from }));
}
