import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { FastifyInstance } from 'fastify';
import type { ServerDeps } from './deps.ts';

export const ADMIN_PREFIX = '/admin/queues';

/**
 * For operators and their tools: Prometheus metrics at /metrics (unauthenticated, as scrapers expect;
 * counts only, no content) and the BullMQ dashboard (bull-board) at /admin/queues, behind the operator role
 * (checked in the server's preHandler).
 */
export async function registerOperatorRoutes(app: FastifyInstance, { metrics, queues }: ServerDeps): Promise<void> {
  app.get('/metrics', { schema: { tags: ['operations'], summary: 'Prometheus metrics', security: [] } }, async (_req, reply) => {
    const body = await metrics.registry.metrics();
    return reply.type(metrics.registry.contentType).header('cache-control', 'no-store').send(body);
  });
  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(ADMIN_PREFIX);
  createBullBoard({ queues: [queues.poll, queues.ingest, queues.webhook].map((q) => new BullMQAdapter(q)), serverAdapter, options: { uiConfig: { boardTitle: 'Signal Desk queues' } } });
  await app.register(serverAdapter.registerPlugin(), { prefix: ADMIN_PREFIX });
}
