import { describe, expect, it } from 'vitest';
import { statusCommand } from '../../src/cli/commands/sources.ts';
import { createMetrics } from '../../src/metrics/metrics.ts';
import { createRedis } from '../../src/queue/connection.ts';
import { createKeys } from '../../src/queue/keys.ts';
import { countRuleDropsSince, recordRuleDrops } from '../../src/rules/recordRuleDrops.ts';
import { readHealth } from '../../src/schedule/healthStore.ts';
import { sourcesPage } from '../../src/web/views/sources.ts';
import { source } from '../helpers/pipeline.ts';
import { dropPrefix, testPrefix, testSettings } from '../helpers/redis.ts';

const HOUR = 3_600_000;

describe('drops by rule: source health, sources status and the metric', () => {
  it('counts each dropped draft once per rule, however often its annotation is retried, over 24 h and 7 days', async () => {
    const prefix = testPrefix();
    const settings = testSettings(prefix);
    const redis = createRedis(settings.redisUrl);
    const keys = createKeys(prefix);
    const metrics = createMetrics();
    const now = Date.parse('2026-11-27T10:00:00Z');
    try {
      const drops = [
        { sourceId: 'reg', draftId: 'd_aaaaaaaaaaaaaaaa', rule: 'sponsored' },
        { sourceId: 'reg', draftId: 'd_bbbbbbbbbbbbbbbb', rule: 'sponsored' },
        { sourceId: 'reg', draftId: 'd_cccccccccccccccc', rule: 'gaming' },
      ];
      expect(await recordRuleDrops(redis, keys, drops, now - 3 * 24 * HOUR, metrics)).toBe(3);
      // The same annotation job retried: nothing new is counted, in Redis or in the metric.
      expect(await recordRuleDrops(redis, keys, drops, now - 2 * 24 * HOUR, metrics)).toBe(0);
      expect(await recordRuleDrops(redis, keys, [{ sourceId: 'reg', draftId: 'd_dddddddddddddddd', rule: 'sponsored' }], now - HOUR, metrics)).toBe(1);
      // Older than 8 days: trimmed by the next write.
      await redis.zadd(keys.ruleDrops('reg'), now - 9 * 24 * HOUR, 'ancient\u0000d_eeeeeeeeeeeeeeee');
      await recordRuleDrops(redis, keys, [{ sourceId: 'reg', draftId: 'd_dddddddddddddddd', rule: 'sponsored' }], now, metrics);
      expect(await redis.zscore(keys.ruleDrops('reg'), 'ancient\u0000d_eeeeeeeeeeeeeeee')).toBeNull();

      const text = await metrics.registry.getSingleMetricAsString('signal_desk_rule_drops_total');
      expect(text).toContain('signal_desk_rule_drops_total{rule="sponsored"} 3');
      expect(text).toContain('signal_desk_rule_drops_total{rule="gaming"} 1');

      const sources = [source('reg', 'http://127.0.0.1:9/feed'), source('quiet', 'http://127.0.0.1:9/other')];
      const health = await readHealth(redis, keys, sources, now);
      expect(health.find((h) => h.id === 'reg')).toMatchObject({ drops24h: 1, drops7d: 4, dropsByRule: [{ rule: 'sponsored', count: 3 }, { rule: 'gaming', count: 1 }] });
      expect(health.find((h) => h.id === 'quiet')).toMatchObject({ drops24h: 0, drops7d: 0, dropsByRule: [] });
      // The desk's Sources page says it under the new-item counts (rule names escaped like every value).
      const page = sourcesPage({ actor: undefined, csrf: undefined, path: '/sources' }, health, now).toString();
      expect(page).toContain('dropped by rules: 1 / 4 (sponsored 3, gaming 1)');
      expect(page.match(/dropped by rules/g)).toHaveLength(1);

      expect(await countRuleDropsSince(redis, keys, ['reg', 'quiet'], now - 2 * HOUR)).toEqual(new Map([['sponsored', 1]]));

      let out = '';
      const sink = { write: (s: string) => ((out += s), true) } as unknown as NodeJS.WritableStream;
      await statusCommand(settings, sources, {}, sink, now);
      expect(out.split('\n').find((l) => l.startsWith('reg '))).toContain('1/4 (sponsored 3, gaming 1)');
    } finally {
      await redis.quit();
      await dropPrefix(prefix);
    }
  });
});
