import { readFileSync } from 'node:fs';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { FailureLimiter } from '../auth/failureLimit.ts';
import { registerApiRoutes } from './apiRoutes.ts';
import { checkCrossSite, identify } from './auth.ts';
import { registerFeedRoutes } from './feedRoutes.ts';
import { parseForm } from './formBody.ts';
import { registerScoped } from './guard.ts';
import { registerPageRoutes } from './pageRoutes.ts';
import { registerOperatorRoutes, registerSourceActionRoutes } from './operatorRoutes.ts';
import { sendKnownError } from './replyError.ts';
import { CSP, setSecurityHeaders } from './securityHeaders.ts';
import type { ServerDeps } from './deps.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Form posts from our own pages carry the CSRF token in the body; all unsafe session requests need it. */
    csrf?: false;
    /** Nobody is identified here (static files, health, metrics, the API description): no credential is read. */
    anonymous?: true;
    /** The Content-Security-Policy of the route's responses: ours (default), bull-board's or Swagger UI's. */
    csp?: keyof typeof CSP;
  }
}

// A Map, not an object literal: a name like "constructor" or "__proto__" must find nothing.
const assets = new Map([
  ['desk.css', { type: 'text/css; charset=utf-8', body: readFileSync(new URL('./assets/desk.css', import.meta.url)) }],
  ['desk.js', { type: 'text/javascript; charset=utf-8', body: readFileSync(new URL('./assets/desk.js', import.meta.url)) }],
]);

export interface BuildOptions {
  /** fastify's router options (tests check that none of them opens a path the route guards miss). */
  router?: { ignoreTrailingSlash?: boolean; ignoreDuplicateSlashes?: boolean; caseSensitive?: boolean };
}

export async function buildServer(deps: ServerDeps, options: BuildOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    trustProxy: false,
    bodyLimit: 256 * 1024,
    ...(options.router ? { routerOptions: options.router } : {}),
    // Requests fastify refuses before routing (a malformed URL): no hook runs, so the headers are set here.
    frameworkErrors: (err, req, reply) => {
      const r = reply as unknown as FastifyReply;
      setSecurityHeaders(req as unknown as FastifyRequest, r);
      return r.status(err.statusCode ?? 400).send({ error: 'bad_request', message: err.message });
    },
  });
  // One validator: zod, in the service layer (so the CLI gets the same 422s). Route schemas document the API.
  app.setValidatorCompiler(() => () => true);
  await app.register(cookie);
  await app.register(formbody, { parser: parseForm });
  await app.register(swagger, {
    openapi: {
      info: { title: 'Signal Desk API', version: '1', description: 'Review draft signals and read published ones. Authenticate with `Authorization: Bearer TOKEN` (`signal-desk users add NAME --role editor`).' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  await registerScoped(app, { config: { anonymous: true, csp: 'docs' } }, (scope) => scope.register(swaggerUi, { routePrefix: '/docs' }));

  const limiter = new FailureLimiter(deps.redis, deps.keys.prefix, deps.clock, deps.settings.authFailures);
  app.decorateRequest('actor', undefined);
  app.decorateRequest('csrf', undefined);
  app.decorateRequest('authVia', undefined);
  app.decorateRequest('sessionId', undefined);
  // Who is asking, for every route that identifies (decided by the matched route's config, never by the URL).
  app.addHook('onRequest', async (req, reply) => {
    setSecurityHeaders(req, reply);
    if (req.routeOptions.config?.anonymous) return;
    try {
      await identify(req, { redis: deps.redis, keys: deps.keys, sessionMs: deps.settings.sessionMs, limiter });
    } catch (err) {
      // Answered here rather than thrown: plugins (bull-board) install error handlers of their own.
      const sent = sendKnownError(req, reply, err);
      if (sent) return sent;
      throw err;
    }
  });
  app.addHook('preHandler', async (req, reply) => {
    if (req.routeOptions.config?.anonymous) return;
    try {
      checkCrossSite(req, { requireToken: req.routeOptions.config?.csrf !== false, publicUrl: deps.settings.publicUrl });
    } catch (err) {
      const sent = sendKnownError(req, reply, err);
      if (sent) return sent;
      throw err;
    }
  });
  app.setErrorHandler(async (err, req, reply) => {
    const sent = sendKnownError(req, reply, err);
    if (sent) return sent;
    const status = (err as { statusCode?: number }).statusCode;
    if (status && status < 500) return reply.status(status).send({ error: 'bad_request', message: (err as Error).message });
    req.log.error({ err }, 'request failed');
    return reply.status(500).send({ error: 'internal', message: 'internal error; the server log has the details' });
  });

  app.get('/assets/:name', { schema: { hide: true }, config: { anonymous: true } }, async (req, reply) => {
    const asset = assets.get((req.params as { name: string }).name);
    if (!asset) return reply.status(404).send({ error: 'not_found', message: 'no such asset' });
    return reply.type(asset.type).header('cache-control', 'public, max-age=300').send(asset.body);
  });
  app.get('/healthz', { schema: { hide: true }, config: { anonymous: true } }, async (_req, reply) => {
    const ok = await deps.redis.ping().then(
      () => true,
      () => false,
    );
    return reply.status(ok ? 200 : 503).send({ ok, redis: ok ? 'up' : 'down' });
  });

  await registerOperatorRoutes(app, deps);
  await registerSourceActionRoutes(app, deps);
  registerApiRoutes(app, deps);
  registerFeedRoutes(app, deps);
  registerPageRoutes(app, deps, limiter);
  return app;
}
