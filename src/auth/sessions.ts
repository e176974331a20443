import { randomBytes } from 'node:crypto';
import type { RedisClient } from '../redisClient.ts';
import type { Keys } from '../queue/keys.ts';
import type { Actor } from './roles.ts';
import { getUser, hashSecret, type UserRecord } from './userStore.ts';

export const SESSION_COOKIE = 'sd_session';

export interface Session {
  actor: Actor;
  /** Synchronizer token: every state-changing request from the browser must echo it (form field or header). */
  csrf: string;
}

/**
 * A browser session, created by logging in with an API token. Redis holds it under the SHA-256 of the
 * cookie's value, with a sliding TTL. A session belongs to the one credential it was opened with (the
 * user's token hash at login), never to a name: the user record is re-read on every request, and a revoked
 * user, or a user of the same name added again later, ends the session at once.
 */
export async function createSession(redis: RedisClient, keys: Keys, user: UserRecord, ttlMs: number): Promise<{ id: string; session: Session }> {
  const id = randomBytes(32).toString('base64url');
  const session: Session = { actor: { name: user.name, role: user.role }, csrf: randomBytes(24).toString('base64url') };
  await redis.set(keys.session(hashSecret(id)), JSON.stringify({ user: user.name, csrf: session.csrf, credential: user.tokenHash }), 'PX', ttlMs);
  return { id, session };
}

/** The session of a cookie, its idle timeout restarted (`touch: false` only looks: a check that is no activity). */
export async function loadSession(redis: RedisClient, keys: Keys, id: string, ttlMs: number, { touch = true } = {}): Promise<Session | undefined> {
  const key = keys.session(hashSecret(id));
  const raw = await redis.get(key);
  if (!raw) return undefined;
  const { user: name, csrf, credential } = JSON.parse(raw) as { user: string; csrf: string; credential?: string };
  const user = await getUser(redis, keys, name);
  // Sessions from before credentials were recorded have none: they end too (one more login).
  if (!user || user.revokedAt || credential !== user.tokenHash) {
    await redis.del(key);
    return undefined;
  }
  if (touch) await redis.pexpire(key, ttlMs);
  return { actor: { name: user.name, role: user.role }, csrf };
}

export async function destroySession(redis: RedisClient, keys: Keys, id: string): Promise<void> {
  await redis.del(keys.session(hashSecret(id)));
}
