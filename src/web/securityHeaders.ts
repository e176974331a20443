import type { FastifyReply, FastifyRequest } from 'fastify';

const BASE = "object-src 'none'; form-action 'self'; frame-ancestors 'none'";

/**
 * Content-Security-Policy per route family, all without framing (frame-ancestors 'none', plus X-Frame-Options
 * for old browsers). Our pages: our own script and styles only, no inline script. Escaping is the defence
 * against hostile feed titles; this is the second line. bull-board and Swagger UI load only their own
 * scripts too, but set inline styles (and bull-board a <base href>), so they get 'unsafe-inline' for styles.
 */
export const CSP = {
  desk: `default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; ${BASE}`,
  dashboard: `default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; base-uri 'self'; ${BASE}`,
  docs: `default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; ${BASE}`,
} as const;

/** Set on every response before the handler runs, so errors, 404s and hijacked streams carry them too. */
export function setSecurityHeaders(req: FastifyRequest, reply: FastifyReply): void {
  reply.header('content-security-policy', CSP[(req.routeOptions as typeof req.routeOptions | undefined)?.config?.csp ?? 'desk']);
  reply.header('x-frame-options', 'DENY');
  reply.header('x-content-type-options', 'nosniff');
  reply.header('referrer-policy', 'same-origin');
}
