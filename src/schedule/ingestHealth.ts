import type { Queue } from 'bullmq';
import type { RedisClient } from '../redisClient.ts';
import { stageSourceState, type SourceState } from '../fetch/sourceState.ts';
import type { Keys } from '../queue/keys.ts';
import { withScripts } from '../queue/scripts.ts';

export const INGEST_FAILED = 'ingest_failed';

/**
 * An ingest that failed for good (its last attempt, a chunk of it, or BullMQ giving up on a job that kept
 * stalling): the items it held are not drafts. The source's health says so until a later ingest succeeds,
 * and its validators are dropped, so the next poll fetches the whole feed and queues those items again
 * instead of getting a 304 that hides them.
 */
export async function recordIngestFailure(redis: RedisClient, keys: Keys, sourceId: string, failure: { jobId: string; message: string; at: number }): Promise<void> {
  const error = `${failure.message} (ingest job ${failure.jobId})`;
  await stageSourceState(redis.multi(), keys, sourceId, {
    lastCode: INGEST_FAILED,
    lastMessage: `drafts not written: ${error}`,
    ingestFailedAt: new Date(failure.at).toISOString(),
    ingestError: error,
    etag: null,
    lastModified: null,
    validatorsUrl: null,
    ingestJobId: null,
  }).exec();
}

/**
 * Deletes the failure mark if it is not newer than `since` (ISO): a failure recorded after that stays; and,
 * given a job id, `ingestJobId` if it still names that job (the ingest behind the validators is done, so the
 * next poll need not look it up). One script, so no check-then-write race.
 */
const CLEAR = `
local cleared = 0
local at = redis.call('HGET', KEYS[1], 'ingestFailedAt')
if at and at <= ARGV[1] then
  redis.call('HDEL', KEYS[1], 'ingestFailedAt', 'ingestError')
  cleared = 1
end
if ARGV[2] ~= '' and redis.call('HGET', KEYS[1], 'ingestJobId') == ARGV[2] then redis.call('HDEL', KEYS[1], 'ingestJobId') end
return cleared`;

type ScriptClient = { sdClearIngestFailure(numKeys: number, ...args: string[]): Promise<number> };

/**
 * A later full poll found nothing new (or, through recordIngestDone, an ingest of a later poll committed
 * everything it held): the failure is over. `since` is when that poll started; ISO timestamps of one format
 * compare as strings.
 */
export async function clearIngestFailure(redis: RedisClient, keys: Keys, sourceId: string, since: number, doneJobId = ''): Promise<boolean> {
  const cleared = await withScripts<ScriptClient>(redis, { sdClearIngestFailure: CLEAR }).sdClearIngestFailure(1, keys.sourceState(sourceId), new Date(since).toISOString(), doneJobId);
  return cleared === 1;
}

/** A poll's whole ingest (its single job, or the parent of its chunks) committed: see clearIngestFailure. */
export async function recordIngestDone(redis: RedisClient, keys: Keys, sourceId: string, job: { id: string; discoveredAt: string }): Promise<void> {
  await clearIngestFailure(redis, keys, sourceId, Date.parse(job.discoveredAt), job.id);
}

/**
 * Before a poll sends validators: did the ingest of the response they came from fail? Then the failure is
 * recorded (when the ingest worker could not: BullMQ fails a job that stalled too often without running it)
 * and the state returned without validators, so this poll fetches the whole feed.
 */
export async function checkLastIngest(redis: RedisClient, keys: Keys, ingest: Queue, sourceId: string, state: SourceState, now: number): Promise<SourceState> {
  if (!state.ingestJobId || (await ingest.getJobState(state.ingestJobId)) !== 'failed') return state;
  const job = await ingest.getJob(state.ingestJobId);
  await recordIngestFailure(redis, keys, sourceId, { jobId: state.ingestJobId, message: job?.failedReason || 'failed', at: now });
  const { etag: _etag, lastModified: _lastModified, validatorsUrl: _validatorsUrl, ingestJobId: _ingestJobId, ...rest } = state;
  return rest;
}
