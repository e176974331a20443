import type { Queue } from 'bullmq';
import type { Source } from '../config/sourceSchema.ts';
import type { Settings } from '../config/settings.ts';
import type { RedisClient } from '../redisClient.ts';
import { SignalDeskError } from '../errors.ts';
import { readSourceState, writeSourceState } from '../fetch/sourceState.ts';
import type { Keys } from '../queue/keys.ts';
import { syncSources } from './chain.ts';

/**
 * Un-pauses a source paused by 410 Gone or by an operator, and starts its polls again (the CLI's `sources resume` and the
 * API's POST /api/sources/:id/resume). Returns false when it was not paused.
 */
export async function resumeSource(deps: { redis: RedisClient; keys: Keys; queue: Queue; settings: Settings; now: number }, sources: Source[], id: string): Promise<boolean> {
  if (!sources.some((s) => s.id === id)) throw new SignalDeskError('unknown_source', `no source "${id}" in ${deps.settings.sourcesFile}`);
  const state = await readSourceState(deps.redis, deps.keys, id);
  if (!state.pausedReason) return false;
  await writeSourceState(deps.redis, deps.keys, id, { pausedReason: null, pausedAt: null, pausedUrl: null, pausedBy: null, consecutiveFailures: '0', nextJobId: null, nextPollAt: null });
  await syncSources({ ...deps, random: Math.random }, sources);
  return true;
}
