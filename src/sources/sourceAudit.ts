import { z } from 'zod';
import type { Keys } from '../queue/keys.ts';
import type { RedisClient } from '../redisClient.ts';

export const SOURCE_ACTIONS = ['poll', 'pause', 'resume', 'disable', 'enable', 'remove'] as const;
export type SourceAction = (typeof SOURCE_ACTIONS)[number];

/** What came of an action: done, nothing to do (already so), or refused (with the reason in `message`). */
export const ACTION_RESULTS = ['done', 'unchanged', 'refused', 'failed'] as const;

export const AuditEntry = z.object({
  at: z.string(),
  actor: z.string(),
  role: z.string(),
  /** Where it was asked: the CLI, the API or the desk's Sources page. */
  via: z.enum(['cli', 'api', 'desk']),
  action: z.enum(SOURCE_ACTIONS),
  sourceId: z.string(),
  result: z.enum(ACTION_RESULTS),
  message: z.string(),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

/** The list keeps the newest this many entries. */
export const SOURCE_AUDIT_MAX = 1000;

/** Appends one entry (newest first) and trims the list, in one round trip. */
export async function recordSourceAction(redis: RedisClient, keys: Keys, entry: AuditEntry): Promise<void> {
  await redis.multi().lpush(keys.sourceActions, JSON.stringify(entry)).ltrim(keys.sourceActions, 0, SOURCE_AUDIT_MAX - 1).exec();
}

/** The newest `limit` entries; an entry that does not read (written by another version) is left out. */
export async function readSourceActions(redis: RedisClient, keys: Keys, limit = 50, sourceId?: string): Promise<AuditEntry[]> {
  const raw = await redis.lrange(keys.sourceActions, 0, sourceId ? SOURCE_AUDIT_MAX - 1 : Math.max(0, limit - 1));
  const out: AuditEntry[] = [];
  for (const text of raw) {
    let parsed: z.ZodSafeParseResult<AuditEntry>;
    try {
      parsed = AuditEntry.safeParse(JSON.parse(text));
    } catch {
      continue;
    }
    if (parsed.success && (!sourceId || parsed.data.sourceId === sourceId)) out.push(parsed.data);
    if (out.length >= limit) break;
  }
  return out;
}
