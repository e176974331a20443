import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { FastifyInstance } from 'fastify';
import { requireOperator } from './auth.ts';
import type { ServerDeps } from './deps.ts';
import { registerScoped } from './guard.ts';
import { allQueues } from '../queue/queues.ts';

export const ADMIN_PREFIX = '/admin/queues';

/**
 * For operators and their tools: Prometheus metrics at /metrics (unauthenticated, as scrapers expect;
 * counts only, no content) and the BullMQ dashboard (bull-board) at /admin/queues, registered inside a
 * scope whose hook requires the operator role for every route bull-board (and its static files) adds.
 */
export async function registerOperatorRoutes(app: FastifyInstance, { metrics, queues }: ServerDeps): Promise<void> {
  app.get('/metrics', { schema: { tags: ['operations'], summary: 'Prometheus metrics', security: [] }, config: { anonymous: true } }, async (_req, reply) => {
    const body = await metrics.registry.metrics();
    return reply.type(metrics.registry.contentType).header('cache-control', 'no-store').send(body);
  });
  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(ADMIN_PREFIX);
  createBullBoard({ queues: allQueues(queues).map((q) => new BullMQAdapter(q)), serverAdapter, options: { uiConfig: { boardTitle: 'Signal Desk queues' } } });
  // bull-board's own requests carry no CSRF token: they are held to the same-site checks only.
  await registerScoped(app, { check: requireOperator, config: { csrf: false, csp: 'dashboard' } }, (scope) => scope.register(serverAdapter.registerPlugin(), { prefix: ADMIN_PREFIX }));
}
