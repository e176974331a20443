import { afterEach, describe, expect, it } from 'vitest';
import { logLines, startRedis, startScheduling } from '../helpers/privateRedis.ts';
import { writeSourceState } from '../../src/fetch/sourceState.ts';

// An operator's pause (`sources pause`, `pausedBy`) lives only in Redis. A Redis restarted empty under a
// running `run` takes it, and the rebuild restarts every chain: the paused source is polled again.

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.reverse()) await fn().catch(() => {});
  cleanup = [];
});

describe('an operator pause and Redis restarted empty', () => {
  it('the rebuild says that pauses were lost and the paused source is polled again (not silently)', { timeout: 90_000 }, async () => {
    const redisServer = await startRedis(cleanup);
    const t = await startScheduling(cleanup, redisServer, { SIGNAL_DESK_STATE_CHECK_MS: '200' });
    await t.pollNow('alpha');
    await writeSourceState(t.client, t.keys, 'alpha', { pausedBy: 'ops', pausedAt: new Date().toISOString(), pausedReason: 'paused by ops' });
    await t.client.flushall();
    // Nobody resumed alpha, yet it is polled again: the pause went with Redis.
    await t.pollNow('alpha');
    const rebuilds = logLines(t.out()).filter((l) => String(l.msg).startsWith("Redis lost Signal Desk's state"));
    expect(rebuilds).toHaveLength(1);
    expect(String(rebuilds[0]!.msg)).toContain('pauses (`sources pause`)');
    expect(String(rebuilds[0]!.msg)).toContain('polled again');
  });
});
