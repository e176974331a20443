import { formatUtc } from '../../clock.ts';
import type { Role } from '../../auth/roles.ts';
import { addUser, listUsers, revokeUser } from '../../auth/userStore.ts';
import type { Settings } from '../../config/settings.ts';
import { createRedis } from '../../queue/connection.ts';
import { createKeys } from '../../queue/keys.ts';
import { requireRedis } from '../redis.ts';
import { formatTable } from '../table.ts';

async function withRedis<T>(settings: Settings, fn: (redis: ReturnType<typeof createRedis>) => Promise<T>): Promise<T> {
  await requireRedis(settings.redisUrl);
  const redis = createRedis(settings.redisUrl);
  try {
    return await fn(redis);
  } finally {
    await redis.quit();
  }
}

/** Prints the new token once, on stdout alone (so `TOKEN=$(signal-desk users add …)` works); guidance goes to stderr. */
export async function usersAddCommand(settings: Settings, name: string, role: Role, out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  const { token } = await withRedis(settings, (redis) => addUser(redis, createKeys(settings.prefix), name, role, new Date()));
  out.write(`${token}\n`);
  err.write(`User "${name}" (${role}) added. The token above is shown only this once: only its hash is stored.\nUse it as "Authorization: Bearer TOKEN", or paste it at /login.\n`);
  return 0;
}

export async function usersListCommand(settings: Settings, options: { json?: boolean }, out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const users = await withRedis(settings, (redis) => listUsers(redis, createKeys(settings.prefix)));
  const visible = users.map(({ tokenHash: _hash, ...u }) => u);
  if (options.json) out.write(`${JSON.stringify(visible)}\n`);
  else out.write(`${formatTable(['name', 'role', 'created', 'revoked'], visible.map((u) => [u.name, u.role, formatUtc(u.createdAt), formatUtc(u.revokedAt)]))}\n`);
  return 0;
}

export async function usersRevokeCommand(settings: Settings, name: string, out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const user = await withRedis(settings, (redis) => revokeUser(redis, createKeys(settings.prefix), name, new Date()));
  out.write(`User "${user.name}" revoked at ${formatUtc(user.revokedAt)}: its token and browser sessions no longer work.\n`);
  return 0;
}
