import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { RedisClient } from '../redisClient.ts';
import { DeskError } from '../errors.ts';
import type { Keys } from '../queue/keys.ts';
import { ROLES, type Actor } from './roles.ts';

export const UserName = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,39}$/i, 'a user name is 1–40 letters, digits, ".", "_" or "-", starting with a letter or digit');

const UserRecord = z.object({
  name: z.string(),
  role: z.enum(ROLES),
  tokenHash: z.string(),
  createdAt: z.string(),
  revokedAt: z.string().nullable(),
});
export type UserRecord = z.infer<typeof UserRecord>;

/**
 * API tokens are 256 random bits, so a fast hash is the right one (as for GitHub's tokens): nothing can be
 * guessed by brute force, and only the SHA-256 is stored, so a Redis dump gives no usable token.
 */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function newToken(): string {
  return `sdk_${randomBytes(32).toString('base64url')}`;
}

/** Adds a user (or replaces a revoked one) and returns its token: the only time the token exists in clear. */
export async function addUser(redis: RedisClient, keys: Keys, name: string, role: Actor['role'], now: Date): Promise<{ user: UserRecord; token: string }> {
  const parsed = UserName.safeParse(name);
  if (!parsed.success) throw new DeskError('invalid_fields', `user name "${name}": ${parsed.error.issues[0]!.message}`, { fields: { name: parsed.error.issues[0]!.message } });
  const existing = await getUser(redis, keys, name);
  if (existing && !existing.revokedAt) {
    throw new DeskError('invalid_state', `user "${name}" exists already; revoke it first (signal-desk users revoke ${name}) to issue a new token`);
  }
  const token = newToken();
  const user: UserRecord = { name, role, tokenHash: hashSecret(token), createdAt: now.toISOString(), revokedAt: null };
  const multi = redis.multi().hset(keys.users, name, JSON.stringify(user)).set(keys.token(user.tokenHash), name);
  if (existing) multi.del(keys.token(existing.tokenHash));
  await multi.exec();
  return { user, token };
}

export async function getUser(redis: RedisClient, keys: Keys, name: string): Promise<UserRecord | undefined> {
  const raw = await redis.hget(keys.users, name);
  return raw ? UserRecord.parse(JSON.parse(raw)) : undefined;
}

export async function listUsers(redis: RedisClient, keys: Keys): Promise<UserRecord[]> {
  const all = await redis.hvals(keys.users);
  return all.map((raw) => UserRecord.parse(JSON.parse(raw))).sort((a, b) => a.name.localeCompare(b.name));
}

/** Revokes a user: the token stops working at once, and so do the user's browser sessions (checked per request). */
export async function revokeUser(redis: RedisClient, keys: Keys, name: string, now: Date): Promise<UserRecord> {
  const user = await getUser(redis, keys, name);
  if (!user) throw new DeskError('not_found', `no user "${name}"; see signal-desk users list`);
  if (user.revokedAt) return user;
  const revoked = { ...user, revokedAt: now.toISOString() };
  await redis.multi().hset(keys.users, name, JSON.stringify(revoked)).del(keys.token(user.tokenHash)).exec();
  return revoked;
}

/** The active user a token belongs to, or undefined. */
export async function authenticateToken(redis: RedisClient, keys: Keys, token: string): Promise<Actor | undefined> {
  const user = await authenticateUser(redis, keys, token);
  return user && { name: user.name, role: user.role };
}

/** The active user record a token belongs to (its `tokenHash` names the credential), or undefined. */
export async function authenticateUser(redis: RedisClient, keys: Keys, token: string): Promise<UserRecord | undefined> {
  const hash = hashSecret(token);
  const name = await redis.get(keys.token(hash));
  if (!name) return undefined;
  const user = await getUser(redis, keys, name);
  if (!user || user.revokedAt || user.tokenHash !== hash) return undefined;
  return user;
}
