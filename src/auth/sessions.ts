import { randomBytes } from 'node:crypto';
import type { RedisClient } from '../redisClient.ts';
import type { Keys } from '../queue/keys.ts';
import type { Actor } from './roles.ts';
import { getUser, hashSecret } from './userStore.ts';

export const SESSION_COOKIE = 'sd_session';

export interface Session {
  actor: Actor;
  /** Synchronizer token: every state-changing request from the browser must echo it (form field or header). */
  csrf: string;
}

/**
 * A browser session, created by logging in with an API token. Redis holds it under the SHA-256 of the
 * cookie's value, with a sliding TTL; the user record is re-read on every request, so revoking a user
 * or changing their role takes effect at once.
 */
export async function createSession(redis: RedisClient, keys: Keys, actor: Actor, ttlMs: number): Promise<{ id: string; session: Session }> {
  const id = randomBytes(32).toString('base64url');
  const session: Session = { actor, csrf: randomBytes(24).toString('base64url') };
  await redis.set(keys.session(hashSecret(id)), JSON.stringify({ user: actor.name, csrf: session.csrf }), 'PX', ttlMs);
  return { id, session };
}

export async function loadSession(redis: RedisClient, keys: Keys, id: string, ttlMs: number): Promise<Session | undefined> {
  const key = keys.session(hashSecret(id));
  const raw = await redis.get(key);
  if (!raw) return undefined;
  const { user: name, csrf } = JSON.parse(raw) as { user: string; csrf: string };
  const user = await getUser(redis, keys, name);
  if (!user || user.revokedAt) {
    await redis.del(key);
    return undefined;
  }
  await redis.pexpire(key, ttlMs);
  return { actor: { name: user.name, role: user.role }, csrf };
}

export async function destroySession(redis: RedisClient, keys: Keys, id: string): Promise<void> {
  await redis.del(keys.session(hashSecret(id)));
}
