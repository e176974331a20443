import type { Settings } from '../../config/settings.ts';
import { createRedis } from '../../queue/connection.ts';
import { createKeys } from '../../queue/keys.ts';
import { countReview, listReview } from '../../review/reviewStore.ts';
import { truncate } from '../../parse/text.ts';
import { formatAge, formatTable } from '../table.ts';
import { requireRedis } from '../redis.ts';

export async function reviewListCommand(settings: Settings, options: { json?: boolean; limit: number }, out: NodeJS.WritableStream = process.stdout): Promise<number> {
  await requireRedis(settings.redisUrl);
  const redis = createRedis(settings.redisUrl);
  try {
    const keys = createKeys(settings.prefix);
    const [drafts, total] = await Promise.all([listReview(redis, keys, options.limit), countReview(redis, keys)]);
    if (options.json) {
      out.write(`${JSON.stringify(drafts)}\n`);
      return 0;
    }
    const now = Date.now();
    out.write(`${formatTable(['id', 'score', 'source', 'headline', 'age'], drafts.map((d) => [d.id, d.score, d.source.id, truncate(d.headline, 72)!, formatAge(d.publishedAt ?? d.discoveredAt, now)]))}\n`);
    out.write(`\n${drafts.length} of ${total} drafts waiting for review\n`);
    return 0;
  } finally {
    await redis.quit();
  }
}
