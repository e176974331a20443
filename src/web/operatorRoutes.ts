import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { can, describeMissing, type Actor } from '../auth/roles.ts';
import { readSourcesInForce } from '../config/readSourcesInForce.ts';
import { sourcesFileProblem } from '../config/editSources.ts';
import { DeskError } from '../errors.ts';
import { parseBody } from '../review/draftEdits.ts';
import { readHealth } from '../schedule/healthStore.ts';
import { runSourceAction, type ActionOutcome, type SourceActionDeps } from '../sources/sourceActions.ts';
import { readSourceActions, SOURCE_ACTIONS, type SourceAction } from '../sources/sourceAudit.ts';
import { noStore, requireActor, requireOperator } from './auth.ts';
import type { ServerDeps } from './deps.ts';
import { formFields } from './formBody.ts';
import { registerScoped } from './guard.ts';
import { noticeQuery } from './notices.ts';
import { sourcesPage } from './views/sources.ts';
import type { SourceActionsPanel } from './views/sourceActions.ts';
import { allQueues } from '../queue/queues.ts';

export const ADMIN_PREFIX = '/admin/queues';

/**
 * For operators and their tools: Prometheus metrics at /metrics (unauthenticated, as scrapers expect;
 * counts only, no content) and the BullMQ dashboard (bull-board) at /admin/queues, registered inside a
 * scope whose hook requires the operator role for every route bull-board (and its static files) adds.
 */
export async function registerOperatorRoutes(app: FastifyInstance, deps: ServerDeps): Promise<void> {
  const { metrics, queues } = deps;
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

/** Operators only (the manageSources permission): 401 without credentials, 403 for other roles. */
function requireSourceOperator(req: FastifyRequest): Actor {
  const actor = requireActor(req);
  if (!can(actor, 'manageSources')) throw new DeskError('forbidden', describeMissing(actor, 'manageSources'));
  return actor;
}

/** The Sources page's operator section: the latest audited actions and whether this process can write the file. */
export async function readActionsPanel({ redis, keys, settings }: Pick<ServerDeps, 'redis' | 'keys' | 'settings'>): Promise<SourceActionsPanel> {
  const [entries, fileProblem] = await Promise.all([readSourceActions(redis, keys, 20), sourcesFileProblem(settings.sourcesFile)]);
  return { entries, fileProblem };
}

const AuditQuery = z.object({ limit: z.coerce.number().int().min(1).max(1000).default(50), source: z.string().max(100).optional() }).strict();

/** The notice code the Sources page shows after an action. */
function noticeOf(outcome: ActionOutcome): Parameters<typeof noticeQuery>[0] {
  const done = outcome.result === 'done';
  switch (outcome.action) {
    case 'poll':
      return done ? 'polled' : 'poll-pending';
    case 'pause':
      return done ? 'paused' : 'already-paused';
    case 'resume':
      return done ? 'resumed' : 'not-paused';
    case 'disable':
      return done ? 'disabled' : 'already-disabled';
    case 'enable':
      return done ? 'enabled' : 'already-enabled';
    case 'remove':
      return 'removed';
  }
}

/**
 * Operators' source actions (issue 11): `POST /api/sources/:id/{poll,pause,resume,disable,enable}`,
 * `DELETE /api/sources/:id`, `GET /api/sources/actions` (the audit), and the Sources page's forms
 * `POST /sources/:id/<action>`. All in one scope whose hook requires the operator role for every route it
 * registers, whatever the spelling of the path; the service checks the permission again and audits.
 */
export async function registerSourceActionRoutes(app: FastifyInstance, deps: ServerDeps): Promise<void> {
  const service: SourceActionDeps = { redis: deps.redis, keys: deps.keys, queue: deps.queues.poll, settings: deps.settings, clock: deps.clock };
  const tags = ['sources'];
  const idParam = { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] };
  await registerScoped(app, { check: requireSourceOperator }, (scope) => {
    const api = (action: SourceAction, actor: Actor, id: string) => runSourceAction(service, actor, 'api', action, id);
    for (const action of SOURCE_ACTIONS.filter((a) => a !== 'remove')) {
      scope.post(`/api/sources/:id/${action}`, { schema: { tags, summary: API_SUMMARY[action], params: idParam } }, async (req, reply) => {
        noStore(reply);
        const outcome = await api(action, requireSourceOperator(req), (req.params as { id: string }).id);
        return action === 'resume' ? { ...outcome, resumed: outcome.result === 'done' } : outcome;
      });
    }
    scope.delete('/api/sources/:id', { schema: { tags, summary: API_SUMMARY.remove, params: idParam } }, async (req, reply) => {
      noStore(reply);
      return api('remove', requireSourceOperator(req), (req.params as { id: string }).id);
    });
    scope.get('/api/sources/actions', { schema: { tags, summary: "Operators' source actions, newest first (the audit: who, what, when, result)" } }, async (req, reply) => {
      requireSourceOperator(req);
      noStore(reply);
      const q = parseBody(AuditQuery, req.query ?? {});
      return readSourceActions(deps.redis, deps.keys, q.limit, q.source);
    });

    // The Sources page's forms: back to the page with a notice, or the page again with the refusal.
    for (const action of SOURCE_ACTIONS) {
      scope.post(`/sources/:id/${action}`, { schema: { hide: true } }, async (req, reply) => {
        const actor = requireSourceOperator(req);
        const id = (req.params as { id: string }).id;
        const form = formFields(req.body);
        try {
          if (action === 'remove' && form.confirm !== 'yes') throw new DeskError('invalid_fields', `tick "remove ${id.slice(0, 80)}" to confirm: removing takes the source out of the sources file`, { fields: { confirm: 'must be ticked' } });
          const outcome = await runSourceAction(service, actor, 'desk', action, id);
          return reply.redirect(`/sources${noticeQuery(noticeOf(outcome), { source: id })}`, 303);
        } catch (err) {
          if (!(err instanceof DeskError) || err.status === 401 || err.status === 403) throw err;
          return sendSourcesPage(req, reply, deps, err.message, err.status);
        }
      });
    }
  });
}

const API_SUMMARY: Record<SourceAction, string> = {
  poll: "Poll a source now: its chain's next poll moved to now, or a one-off poll queued; never a second while one runs or waits (operators)",
  pause: 'Pause a source: runtime state in Redis, no file change; every poll skipped until resumed (operators)',
  resume: 'Resume a source paused by an operator or by 410 Gone (operators)',
  disable: 'Write enabled: false for a source to the sources file (409 when this process cannot write it) (operators)',
  enable: 'Remove enabled: false from a source in the sources file (operators)',
  remove: 'Remove a source from the sources file (operators)',
};

async function sendSourcesPage(req: FastifyRequest, reply: FastifyReply, deps: ServerDeps, message: string, status: number): Promise<FastifyReply> {
  const now = deps.clock.now();
  const sources = await readSourcesInForce(deps.redis, deps.keys, deps.settings).catch(() => []);
  const page = sourcesPage({ actor: req.actor, csrf: req.csrf, path: '/sources' }, await readHealth(deps.redis, deps.keys, sources, now), now, message, await readActionsPanel(deps), 'error');
  return noStore(reply).status(status).type('text/html; charset=utf-8').send(page.value);
}
