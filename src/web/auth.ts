import type {} from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { can, type Actor } from '../auth/roles.ts';
import { loadSession, SESSION_COOKIE } from '../auth/sessions.ts';
import type { FailureLimiter } from '../auth/failureLimit.ts';
import { authenticateToken } from '../auth/userStore.ts';
import type { RedisClient } from '../redisClient.ts';
import { DeskError } from '../errors.ts';
import type { Keys } from '../queue/keys.ts';

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | undefined;
    csrf: string | undefined;
    authVia: 'token' | 'session' | undefined;
    sessionId: string | undefined;
  }
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export const HOW_TO_AUTHENTICATE = 'send "Authorization: Bearer TOKEN" (an operator creates tokens with `signal-desk users add NAME --role editor`) or log in at /login';

export interface IdentifyDeps {
  redis: RedisClient;
  keys: Keys;
  sessionMs: number;
  limiter: FailureLimiter;
}

/**
 * Who is asking: a Bearer token (API clients) or the session cookie (the browser). A token that does not
 * authenticate is an error, not a fallback to anonymous, so a revoked token is told so. Wrong tokens count
 * against the client's failure limit; over it, no token is even checked (429) until the window ends.
 */
export async function identify(req: FastifyRequest, { redis, keys, sessionMs, limiter }: IdentifyDeps): Promise<void> {
  req.actor = undefined;
  req.csrf = undefined;
  req.authVia = undefined;
  const header = req.headers.authorization;
  if (header !== undefined) {
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new DeskError('unauthenticated', 'the Authorization header must be "Bearer TOKEN"');
    const attempt = await limiter.begin(req.ip);
    const actor = await authenticateToken(redis, keys, match[1]!);
    if (!actor) throw new DeskError('unauthenticated', `the token is not valid (mistyped, or its user was revoked): ${HOW_TO_AUTHENTICATE}`);
    await attempt.succeeded();
    req.actor = actor;
    req.authVia = 'token';
    return;
  }
  const sid = req.cookies[SESSION_COOKIE];
  if (!sid) return;
  const session = await loadSession(redis, keys, sid, sessionMs);
  if (!session) return;
  req.actor = session.actor;
  req.csrf = session.csrf;
  req.authVia = 'session';
  req.sessionId = sid;
}

/**
 * Whether the credential a request was identified with still holds: long-lived responses (the event stream)
 * ask again before each message, so a revoked user, a logged-out session or a revoked token hears nothing more.
 */
export async function stillIdentified(req: FastifyRequest, { redis, keys, sessionMs }: Omit<IdentifyDeps, 'limiter'>): Promise<boolean> {
  // Not activity: an open stream alone must not keep a session from expiring.
  if (req.authVia === 'session') return (await loadSession(redis, keys, req.sessionId!, sessionMs, { touch: false })) !== undefined;
  const token = req.authVia === 'token' ? /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1] : undefined;
  return token !== undefined && (await authenticateToken(redis, keys, token)) !== undefined;
}

/**
 * Cross-site request protection for the browser. The session cookie is SameSite=Strict already; on top,
 * every state-changing request carried by the cookie must echo the session's CSRF token (form field
 * "_csrf" or header "X-CSRF-Token"), and requests the browser marks cross-site (Sec-Fetch-Site, or an
 * Origin that is neither this Host nor SIGNAL_DESK_PUBLIC_URL's origin) are refused. Token-authenticated
 * API calls carry no ambient credential, so they need none of this.
 */
export function checkCrossSite(req: FastifyRequest, options: { requireToken: boolean; publicUrl?: string | undefined }): void {
  if (!UNSAFE.has(req.method)) return;
  const site = req.headers['sec-fetch-site'];
  const origin = req.headers.origin;
  const host = req.headers.host;
  if (site === 'cross-site' || (origin !== undefined && !sameHost(origin, host) && !isOrigin(origin, options.publicUrl))) {
    throw new DeskError('csrf', 'cross-site request refused: changes can only be made from the desk itself or with a Bearer token');
  }
  if (!options.requireToken || req.authVia !== 'session') return;
  const sent = (req.headers['x-csrf-token'] as string | undefined) ?? (req.body as Record<string, unknown> | undefined)?._csrf;
  if (typeof sent !== 'string' || sent !== req.csrf) {
    throw new DeskError('csrf', 'missing or wrong CSRF token: reload the page and try again (API clients: send the X-CSRF-Token header from the page, or use a Bearer token)');
  }
}

export function requireActor(req: FastifyRequest): Actor {
  if (!req.actor) throw new DeskError('unauthenticated', `not logged in: ${HOW_TO_AUTHENTICATE}`);
  return req.actor;
}

export function noStore(reply: FastifyReply): FastifyReply {
  return reply.header('cache-control', 'no-store');
}

/** The queue dashboard and other operator tools: 401 without credentials, 403 for other roles. */
export function requireOperator(req: FastifyRequest): Actor {
  const actor = requireActor(req);
  if (!can(actor, 'manageUsers')) throw new DeskError('forbidden', `${actor.name} (role ${actor.role}) cannot open the operators' tools: needs role operator`);
  return actor;
}

/**
 * An Origin header naming the desk's public URL (SIGNAL_DESK_PUBLIC_URL): behind a reverse proxy the Host
 * the desk sees is often the proxy's upstream, not the one the browser used. Scheme and port must match.
 */
function isOrigin(origin: string, publicUrl: string | undefined): boolean {
  try {
    return publicUrl !== undefined && origin !== 'null' && new URL(origin).origin === new URL(publicUrl).origin;
  } catch {
    return false;
  }
}

/** An Origin header naming this host; "null" (opaque origins) and malformed values are not ours. */
function sameHost(origin: string, host: string | undefined): boolean {
  try {
    return origin !== 'null' && host !== undefined && new URL(origin).host === host;
  } catch {
    return false;
  }
}
