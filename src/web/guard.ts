import type { FastifyContextConfig, FastifyInstance, FastifyRequest } from 'fastify';
import { sendKnownError } from './replyError.ts';

/**
 * Registers routes in an encapsulated scope whose hook runs for every route registered in it, and in every
 * plugin it registers (bull-board, Swagger UI): the check belongs to the route the router matched, however
 * the request spelled its path (percent-encoding, case, slashes, dot segments), never to a test on the URL.
 * `config` is merged into each of those routes' config (CSRF mode, CSP, no identification).
 */
export async function registerScoped(
  app: FastifyInstance,
  options: { check?: (req: FastifyRequest) => unknown; config?: FastifyContextConfig },
  routes: (scope: FastifyInstance) => unknown,
): Promise<void> {
  await app.register(async (scope) => {
    if (options.config) {
      const config = options.config;
      scope.addHook('onRoute', (route) => {
        route.config = { ...route.config, ...config };
      });
    }
    const check = options.check;
    if (check) {
      // onRequest: runs after the root's onRequest (which identifies the caller) and before any body is read.
      scope.addHook('onRequest', async (req, reply) => {
        try {
          check(req);
        } catch (err) {
          // Answered here rather than thrown: plugins (bull-board) install error handlers of their own.
          const sent = sendKnownError(req, reply, err);
          if (sent) return sent;
          throw err;
        }
      });
    }
    await routes(scope);
  });
}
