import type { Settings } from '../../config/settings.ts';
import { LEGACY_LEVELS } from '../../drafts/schema.ts';
import { migrateSeenIndex } from '../../dedupe/migrateSeenIndex.ts';
import { createRedis } from '../../queue/connection.ts';
import { createKeys } from '../../queue/keys.ts';
import { migrateDrafts } from '../../review/migrateDrafts.ts';
import { rebuildSearch } from '../../search/rebuildSearch.ts';
import { requireRedis } from '../redis.ts';

const MAPPING = Object.entries(LEGACY_LEVELS).map(([word, n]) => `${word} → ${n}`).join(', ');

/**
 * `signal-desk migrate [--dry-run]`: rewrites stored drafts whose editorial confidence or structural impact
 * still says Low/Medium/High as 0–100, then rebuilds the desk's search index from the drafts (not with
 * --dry-run), and converts the de-duplication index of before the bucketed one (`migrateSeenIndex`). Prints
 * what it did; exit 1 when some drafts kept changing (run again).
 */
export async function migrateCommand(settings: Settings, options: { dryRun?: boolean; json?: boolean }, out: NodeJS.WritableStream = process.stdout): Promise<number> {
  await requireRedis(settings.redisUrl);
  const redis = createRedis(settings.redisUrl);
  try {
    const keys = createKeys(settings.prefix);
    const levels = await migrateDrafts(redis, keys, { dryRun: options.dryRun === true });
    const search = options.dryRun ? null : await rebuildSearch(redis, keys);
    const seenIndex = await migrateSeenIndex(redis, keys, Date.now(), { dryRun: options.dryRun === true });
    const report = { ...levels, search, seenIndex };
    if (options.json) {
      out.write(`${JSON.stringify(report)}\n`);
    } else {
      const verb = options.dryRun ? 'would rewrite' : 'rewrote';
      const lines = [
        `Editorial confidence and structural impact are 0–100 (${MAPPING}).`,
        `${report.scanned} drafts looked at; ${verb} ${report.rewritten}.`,
        ...report.cleared.map((c) => `  ${c.draftId}: ${c.field} said ${JSON.stringify(c.from)}, which no mapping knows: now not set, for an editor to fill in`),
        ...(report.busy.length ? [`${report.busy.length} drafts changed while being migrated (${report.busy.slice(0, 5).join(', ')}${report.busy.length > 5 ? ', …' : ''}): run \`signal-desk migrate\` again.`] : []),
        'Published signals are not rewritten (the stream is append-only): they are read with the same mapping.',
        `De-duplication index: ${verb} ${seenIndex.items} seen items of ${seenIndex.sources} sources and ${seenIndex.urls} URLs from the old sorted sets into hash buckets.`,
        ...(search ? [search.ran ? `Search index rebuilt: ${search.indexed} drafts indexed.` : 'Another process is rebuilding the search index now: nothing to do here.'] : []),
      ];
      out.write(`${lines.join('\n')}\n`);
    }
    return report.busy.length ? 1 : 0;
  } finally {
    await redis.quit();
  }
}
