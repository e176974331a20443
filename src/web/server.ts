import { readFileSync } from 'node:fs';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { DeskError } from '../errors.ts';
import { registerApiRoutes } from './apiRoutes.ts';
import { checkCrossSite, identify, requireOperator } from './auth.ts';
import { ADMIN_PREFIX } from './operatorRoutes.ts';
import { registerFeedRoutes } from './feedRoutes.ts';
import { registerPageRoutes } from './pageRoutes.ts';
import { registerOperatorRoutes } from './operatorRoutes.ts';
import type { ServerDeps } from './deps.ts';



declare module 'fastify' {
  interface FastifyContextConfig {
    /** Form posts from our own pages carry the CSRF token in the body; all unsafe session requests need it. */
    csrf?: false;
  }
}

const assets = {
  'desk.css': { type: 'text/css; charset=utf-8', body: readFileSync(new URL('./assets/desk.css', import.meta.url)) },
  'desk.js': { type: 'text/javascript; charset=utf-8', body: readFileSync(new URL('./assets/desk.js', import.meta.url)) },
};

/**
 * Content-Security-Policy for our pages: our own script and styles only, no inline script, no framing, no
 * plugins. Escaping is the defence against hostile feed titles; this is the second line.
 */
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

export async function buildServer(deps: ServerDeps): Promise<FastifyInstance> {
  const app = Fastify({ loggerInstance: deps.logger as FastifyBaseLogger, trustProxy: false, bodyLimit: 256 * 1024 });
  // One validator: zod, in the service layer (so the CLI gets the same 422s). Route schemas document the API.
  app.setValidatorCompiler(() => () => true);
  await app.register(cookie);
  await app.register(formbody);
  await app.register(swagger, {
    openapi: {
      info: { title: 'Signal Desk API', version: '1', description: 'Review draft signals and read published ones. Authenticate with `Authorization: Bearer TOKEN` (`signal-desk users add NAME --role editor`).' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  app.decorateRequest('actor', undefined);
  app.decorateRequest('csrf', undefined);
  app.decorateRequest('authVia', undefined);
  app.decorateRequest('sessionId', undefined);
  app.addHook('preHandler', async (req, reply) => {
    if (req.url.startsWith('/docs') || req.url.startsWith('/assets/') || req.url === '/metrics') return;
    try {
      await identify(req, deps.redis, deps.keys, deps.settings.sessionMs);
      // bull-board's own requests carry no CSRF token: they are held to the same-site checks only.
      checkCrossSite(req, { requireToken: req.routeOptions.config.csrf !== false && !req.url.startsWith(ADMIN_PREFIX) });
      if (req.url.startsWith(ADMIN_PREFIX)) requireOperator(req);
    } catch (err) {
      // Answered here rather than thrown: plugins (bull-board) install error handlers of their own.
      if (err instanceof DeskError) return sendDeskError(req, reply, err);
      throw err;
    }
  });
  app.addHook('onSend', async (req, reply) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'same-origin');
    if (!req.url.startsWith('/docs') && !req.url.startsWith(ADMIN_PREFIX)) {
      reply.header('content-security-policy', CSP);
      reply.header('x-frame-options', 'DENY');
    }
  });
  app.setErrorHandler(async (err, req, reply) => {
    if (err instanceof DeskError) return sendDeskError(req, reply, err);
    const status = (err as { statusCode?: number }).statusCode;
    if (status && status < 500) return reply.status(status).send({ error: 'bad_request', message: (err as Error).message });
    req.log.error({ err }, 'request failed');
    return reply.status(500).send({ error: 'internal', message: 'internal error; the server log has the details' });
  });

  app.get('/assets/:name', { schema: { hide: true } }, async (req, reply) => {
    const asset = assets[(req.params as { name: string }).name as keyof typeof assets];
    if (!asset) return reply.status(404).send({ error: 'not_found', message: 'no such asset' });
    return reply.type(asset.type).header('cache-control', 'public, max-age=300').send(asset.body);
  });
  app.get('/healthz', { schema: { hide: true } }, async (_req, reply) => {
    const ok = await deps.redis.ping().then(
      () => true,
      () => false,
    );
    return reply.status(ok ? 200 : 503).send({ ok, redis: ok ? 'up' : 'down' });
  });

  await registerOperatorRoutes(app, deps);
  registerApiRoutes(app, deps);
  registerFeedRoutes(app, deps);
  registerPageRoutes(app, deps);
  return app;
}

function sendDeskError(req: FastifyRequest, reply: FastifyReply, err: DeskError): FastifyReply {
  if (err.status === 401 && !req.headers.cookie) reply.header('www-authenticate', 'Bearer realm="signal-desk"');
  return reply.status(err.status).send({ error: err.code, message: err.message, ...(err.fields ? { fields: err.fields } : {}), ...(err.details ? { details: err.details } : {}) });
}
