import type { FastifyReply, FastifyRequest } from 'fastify';
import { TooManyFailures } from '../auth/failureLimit.ts';
import { DeskError } from '../errors.ts';

/** The errors the desk answers itself: a DeskError with its status, or 429 with Retry-After; undefined for anything else. */
export function sendKnownError(req: FastifyRequest, reply: FastifyReply, err: unknown): FastifyReply | undefined {
  if (err instanceof TooManyFailures) {
    return reply.status(429).header('retry-after', String(err.retryAfterS)).send({ error: err.code, message: err.message, details: { retryAfterSeconds: err.retryAfterS } });
  }
  if (!(err instanceof DeskError)) return undefined;
  if (err.status === 401 && !req.headers.cookie) reply.header('www-authenticate', 'Bearer realm="signal-desk"');
  return reply.status(err.status).send({ error: err.code, message: err.message, ...(err.fields ? { fields: err.fields } : {}), ...(err.details ? { details: err.details } : {}) });
}
