import type { OutgoingHttpHeaders } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createSession, destroySession, SESSION_COOKIE } from '../auth/sessions.ts';
import { TooManyFailures, type FailureLimiter } from '../auth/failureLimit.ts';
import { authenticateUser } from '../auth/userStore.ts';
import { DeskError } from '../errors.ts';
import { readSignals } from '../publish/signalStore.ts';
import type { DraftQuery } from '../review/desk.ts';
import { runBulkAction, type BulkResult } from '../review/bulkActions.ts';
import { noStore, stillIdentified } from './auth.ts';
import type { SafeHtml } from './html.ts';
import type { LiveEvent } from './liveEvents.ts';
import type { ServerDeps } from './deps.ts';
import { formFields } from './formBody.ts';
import { pickNextDraft, previewDraft, queueFilters, readQueueOrder } from './deskFlow.ts';
import { bulkReport } from './views/queue.ts';
import { signalCard } from './views/signalCard.ts';
import { localPath } from './localPath.ts';
import { noticeQuery, noticeText } from './notices.ts';
import { parseBefore } from './streamId.ts';
import { draftPage, type DraftPageState } from './views/draft.ts';
import { enrichmentSection } from './views/enrichment.ts';
import { insightsSection } from './views/insights.ts';
import type { PageContext } from './views/layout.ts';
import { loginPage } from './views/login.ts';
import { canPick, queuePage, queueRows } from './views/queue.ts';
import { readFileSync } from 'node:fs';
import { signalsPage } from './views/signals.ts';
import { sourcesPage } from './views/sources.ts';
import { readSourcesInForce } from '../config/readSourcesInForce.ts';
import { readHealth } from '../schedule/healthStore.ts';
import { readActionsPanel } from './operatorRoutes.ts';
import { can } from '../auth/roles.ts';

type Form = Record<string, string | undefined>;

const DRAFT_ID = /^d_[A-Za-z0-9_-]{16}$/;
const FAVICON = readFileSync(new URL('./assets/favicon.svg', import.meta.url));

function pageContext(req: FastifyRequest): PageContext {
  return { actor: req.actor, csrf: req.csrf, path: req.routeOptions.url ?? req.url };
}

function sendPage(reply: FastifyReply, page: SafeHtml, status = 200): FastifyReply {
  return noStore(reply).status(status).type('text/html; charset=utf-8').send(page.value);
}

const lines = (s: string | undefined) => (s === undefined ? undefined : s.split(/\r?\n/).map((t) => t.trim()).filter(Boolean));
const orNull = (s: string | undefined) => (s === undefined ? undefined : s.trim() === '' ? null : s.trim());
/** A 0–100 field of the form: empty is null, a number is a number; anything else goes on as text for the 422 to name. */
const orLevel = (s: string | undefined) => {
  const t = orNull(s);
  return typeof t === 'string' && /^-?\d+(\.\d+)?$/.test(t) ? Number(t) : t;
};

/** The edit form, turned into the API's PATCH body (absent fields stay absent). */
export function formToPatch(f: Form): Record<string, unknown> {
  const effects = { direct: f['secondOrderEffects.direct'], second: f['secondOrderEffects.second'], third: f['secondOrderEffects.third'] };
  const patch: Record<string, unknown> = {
    version: Number(f.version),
    headline: f.headline,
    category: orNull(f.category),
    score: f.score === undefined || f.score === '' ? undefined : Number(f.score),
    horizon: orNull(f.horizon),
    summary: f.summary,
    whyNow: f.whyNow,
    whyImportant: f.whyImportant,
    whatChanges: f.whatChanges,
    winners: lines(f.winners),
    losers: lines(f.losers),
    secondOrderEffects: Object.values(effects).some((v) => v !== undefined) ? Object.fromEntries(Object.entries(effects).filter(([, v]) => v !== undefined)) : undefined,
    editorialConfidence: orLevel(f.editorialConfidence),
    structuralImpact: orLevel(f.structuralImpact),
    tags: f.tags === undefined ? undefined : f.tags.split(',').map((t) => t.trim()).filter(Boolean),
  };
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
}

export function registerPageRoutes(app: FastifyInstance, { desk, redis, keys, settings, clock, live }: ServerDeps, limiter: FailureLimiter): void {
  const hide = { hide: true };
  /** Pages need a login: the browser is sent to it, and back here afterwards. */
  const loggedIn = (req: FastifyRequest, reply: FastifyReply): boolean => {
    if (req.actor) return true;
    void reply.redirect(`/login?next=${encodeURIComponent(req.url)}`, 303);
    return false;
  };

  app.get('/login', { schema: hide }, async (req, reply) => sendPage(reply, loginPage(pageContext(req), localPath((req.query as Form).next))));
  app.post('/login', { schema: hide, config: { csrf: false } }, async (req, reply) => {
    const form = formFields(req.body);
    const next = localPath(form.next);
    let attempt: Awaited<ReturnType<FailureLimiter['begin']>>;
    try {
      attempt = await limiter.begin(req.ip);
    } catch (err) {
      if (!(err instanceof TooManyFailures)) throw err;
      reply.header('retry-after', String(err.retryAfterS));
      return sendPage(reply, loginPage(pageContext(req), next, `Too many failed logins from your address: try again in ${Math.ceil(err.retryAfterS / 60)} min.`), 429);
    }
    const user = form.token ? await authenticateUser(redis, keys, form.token.trim()) : undefined;
    if (!user) return sendPage(reply, loginPage(pageContext(req), next, 'That token is not valid: check it, or ask an operator for a new one.'), 401);
    await attempt.succeeded();
    const { id } = await createSession(redis, keys, user, settings.sessionMs);
    const secure = (settings.publicUrl ?? `${req.protocol}:`).startsWith('https:');
    reply.setCookie(SESSION_COOKIE, id, { path: '/', httpOnly: true, sameSite: 'strict', secure, maxAge: Math.round(settings.sessionMs / 1000) });
    return reply.redirect(next, 303);
  });
  app.post('/logout', { schema: hide }, async (req, reply) => {
    if (req.sessionId) await destroySession(redis, keys, req.sessionId);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.redirect('/login', 303);
  });

  // The desk's icon: browsers ask for /favicon.ico whatever the page links; both answer with the same SVG.
  const sendIcon = async (_req: FastifyRequest, reply: FastifyReply) => reply.type('image/svg+xml').header('cache-control', 'public, max-age=86400').send(FAVICON);
  app.get('/favicon.ico', { schema: hide, config: { anonymous: true } }, sendIcon);
  app.get('/favicon.svg', { schema: hide, config: { anonymous: true } }, sendIcon);

  app.get('/', { schema: hide }, async (req, reply) => {
    if (!loggedIn(req, reply)) return reply;
    const q = req.query as DraftQuery & Form;
    try {
      const page = await desk.listStories(req.actor!, q);
      return sendPage(reply, queuePage(pageContext(req), page, q, clock.now(), noticeText(req.query), await desk.facets(req.actor!, { status: q.status })));
    } catch (err) {
      if (err instanceof DeskError && err.status === 422) return sendPage(reply, queuePage(pageContext(req), await desk.listStories(req.actor!, {}), {}, clock.now(), err.message, await desk.facets(req.actor!)), 422);
      throw err;
    }
  });
  /** The queue's rows alone, for the live refresh (rendered and escaped here, never on the client). */
  app.get('/fragments/rows', { schema: hide }, async (req, reply) => {
    if (!loggedIn(req, reply)) return reply;
    const page = await desk.listStories(req.actor!, req.query as DraftQuery);
    return noStore(reply)
      .type('text/html; charset=utf-8')
      .header('x-counts', JSON.stringify(page.counts))
      .send(queueRows(page, clock.now(), canPick(req.actor, (req.query as DraftQuery).status), queueFilters(new URLSearchParams(req.query as Record<string, string>).toString())).value);
  });

  /** The draft page's "Article page" section alone, for the live refresh when enrichment lands. */
  app.get('/fragments/drafts/:id/enrichment', { schema: hide }, async (req, reply) => {
    if (!loggedIn(req, reply)) return reply;
    const d = await desk.get(req.actor!, (req.params as { id: string }).id);
    return noStore(reply).type('text/html; charset=utf-8').send(enrichmentSection(d).value);
  });

  /** The draft page's story, suggestion, entities, rules and score alone, for the live refresh when the annotate or story stage writes. */
  app.get('/fragments/drafts/:id/insights', { schema: hide }, async (req, reply) => {
    if (!loggedIn(req, reply)) return reply;
    const d = await desk.get(req.actor!, (req.params as { id: string }).id);
    return noStore(reply).type('text/html; charset=utf-8').send(insightsSection({ actor: req.actor!, csrf: req.csrf }, d).value);
  });

  /** The draft page's preview card with the edit form's values, for the live preview as the editor types (nothing is saved). */
  app.post('/fragments/drafts/:id/preview', { schema: hide }, async (req, reply) => {
    if (!loggedIn(req, reply)) return reply;
    const d = await desk.get(req.actor!, (req.params as { id: string }).id);
    return noStore(reply).type('text/html; charset=utf-8').send(signalCard(previewDraft(d, formToPatch(formFields(req.body)))).value);
  });

  /** Bulk actions from the queue's checkboxes: each picked draft through the same desk action; every draft that was not done is named. */
  app.post('/queue/bulk', { schema: hide }, async (req, reply) => {
    if (!loggedIn(req, reply)) return reply;
    const form = formFields(req.body);
    const drafts = Object.entries(form)
      .filter(([name]) => name.startsWith('pick.'))
      .map(([name, version]) => ({ id: name.slice(5), version: version && /^\d{1,9}$/.test(version) ? Number(version) : undefined }));
    const what = form.action ?? '';
    const into = what === 'merge' ? form.into?.trim() || drafts[0]?.id : undefined;
    let result: BulkResult;
    try {
      result = await runBulkAction(desk, req.actor!, { action: what, drafts, reason: form.reason, into });
    } catch (err) {
      if (!(err instanceof DeskError) || err.status === 401) throw err;
      return sendPage(reply, queuePage(pageContext(req), await desk.listStories(req.actor!, {}), {}, clock.now(), err.message, await desk.facets(req.actor!)), err.status);
    }
    if (result.failed === 0) return reply.redirect(`/${noticeQuery(`bulk-${result.action}`, { count: String(result.done), ...(result.into ? { into: result.into } : {}) })}`, 303);
    const headlines = new Map<string, string>();
    for (const r of result.results) {
      if (!headlines.has(r.id)) headlines.set(r.id, (await desk.get(req.actor!, r.id).catch(() => undefined))?.headline ?? r.id);
    }
    return sendPage(reply, queuePage(pageContext(req), await desk.listStories(req.actor!, {}), {}, clock.now(), bulkReport(result, headlines), await desk.facets(req.actor!)), 207);
  });

  const showDraft = async (req: FastifyRequest, reply: FastifyReply, id: string, state: DraftPageState, status = 200) =>
    sendPage(reply, draftPage(pageContext(req), await desk.get(req.actor!, id), state), status);
  app.get('/drafts/:id', { schema: hide }, async (req, reply) => {
    if (!loggedIn(req, reply)) return reply;
    // After a decision the desk opens the next draft: `prev` names the one just decided, for the way back.
    const prevId = (req.query as Form).prev;
    const prev = typeof prevId === 'string' && DRAFT_ID.test(prevId) ? await desk.get(req.actor!, prevId).catch(() => undefined) : undefined;
    return showDraft(req, reply, (req.params as { id: string }).id, { flash: noticeText(req.query), prev: prev && { id: prev.id, headline: prev.headline, status: prev.status }, queue: queueFilters((req.query as Form).queue) });
  });

  /**
   * A form post: run the action, then go back to the draft page (303), or show it again with the error. A
   * decision (approve, reject, merge) posted with `then=next` opens the next pending draft of the queue instead,
   * naming the decided one as `prev` (its page links back to it); the queue when nothing is left.
   */
  const action = (path: string, run: (req: FastifyRequest, id: string, form: Form) => Promise<string>, decides: (form: Form) => boolean = () => false) =>
    app.post(`/drafts/:id/${path}`, { schema: hide }, async (req, reply) => {
      if (!loggedIn(req, reply)) return reply;
      const id = (req.params as { id: string }).id;
      const form = formFields(req.body);
      const filters = queueFilters(form.queue);
      const before = form.then === 'next' && decides(form) && can(req.actor!, 'review') ? await readQueueOrder(desk, req.actor!, filters) : undefined;
      try {
        const done = await run(req, id, form);
        if (!before) return reply.redirect(`/drafts/${id}${done}`, 303);
        const next = pickNextDraft(before, await readQueueOrder(desk, req.actor!, filters), id);
        // The queue's filters go on with the editor: the next decision moves through the same queue.
        if (next) return reply.redirect(`/drafts/${next}${done}&prev=${encodeURIComponent(id)}${filters ? `&queue=${encodeURIComponent(filters)}` : ''}`, 303);
        return reply.redirect(`/?${filters ? `${filters}&` : ''}${done.slice(1)}`, 303);
      } catch (err) {
        if (!(err instanceof DeskError) || err.status === 401 || err.status === 404) throw err;
        return showDraft(req, reply, id, { error: err.message, fields: err.fields, values: path === 'edit' ? (form as Record<string, string>) : undefined }, err.status);
      }
    });
  action('claim', async (req, id, form) => {
    const { action: what } = await desk.claim(req.actor!, id, { force: form.force === '1' });
    return noticeQuery(what === 'renew' ? 'renewed' : 'claimed');
  });
  action('release', async (req, id, form) => {
    await desk.release(req.actor!, id, { force: form.force === '1' });
    return noticeQuery('released');
  });
  action('edit', async (req, id, form) => {
    const saved = await desk.edit(req.actor!, id, formToPatch(form));
    if (form.intent !== 'approve') return noticeQuery('saved');
    const { signal, merged } = await desk.approve(req.actor!, id, { version: saved.version });
    return noticeQuery('approved', { signal: signal.id, ...(merged.length ? { merged: String(merged.length) } : {}) });
  }, (form) => form.intent === 'approve');
  action('reject', async (req, id, form) => {
    await desk.reject(req.actor!, id, { version: Number(form.version), reason: form.reason });
    return noticeQuery('rejected');
  }, () => true);
  action('merge', async (req, id, form) => {
    await desk.merge(req.actor!, id, { version: Number(form.version), into: form.into?.trim() });
    return noticeQuery('merged', { into: form.into?.trim() ?? '' });
  }, () => true);
  action('split', async (req, id, form) => {
    const { draft } = await desk.split(req.actor!, id, { version: Number(form.version) });
    return noticeQuery('split', { story: draft.story!.id });
  });
  action('move', async (req, id, form) => {
    const { draft } = await desk.move(req.actor!, id, { version: Number(form.version), to: form.to?.trim() });
    return noticeQuery('moved', { story: draft.story!.id });
  });
  action('reopen', async (req, id, form) => {
    await desk.reopen(req.actor!, id, { version: Number(form.version) });
    return noticeQuery('reopened');
  });

  app.get('/sources', { schema: hide }, async (req, reply) => {
    if (!loggedIn(req, reply)) return reply;
    const health = await readHealth(redis, keys, await readSourcesInForce(redis, keys, settings), clock.now());
    return sendPage(reply, sourcesPage(pageContext(req), health, clock.now(), noticeText(req.query), req.actor && can(req.actor, 'manageSources') ? await readActionsPanel({ redis, keys, settings }) : undefined));
  });
  app.get('/signals', { schema: hide }, async (req, reply) => {
    let before: string | undefined;
    try {
      before = parseBefore((req.query as Form).before);
    } catch (err) {
      if (!(err instanceof DeskError)) throw err;
      return sendPage(reply, signalsPage(pageContext(req), [], undefined, `${err.message}: start again from the newest.`), 422);
    }
    const signals = await readSignals(redis, keys, 30, before);
    return sendPage(reply, signalsPage(pageContext(req), signals, signals.length === 30 ? signals.at(-1)!.streamId : undefined));
  });

  /** Server-sent events for open desk pages: new drafts and other editors' actions, with a heartbeat. */
  app.get('/events', { schema: hide }, async (req, reply) => {
    if (!req.actor) return reply.status(401).send({ error: 'unauthenticated', message: 'log in first' });
    reply.hijack();
    const res = reply.raw;
    // Hijacked: fastify sends nothing itself, so the security headers set earlier are copied here.
    res.writeHead(200, { ...(reply.getHeaders() as OutgoingHttpHeaders), 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.write('retry: 5000\n\n');
    // Each message waits for a fresh check of the credential (in order, one chain per stream): once it no
    // longer holds (revoked, logged out), the stream ends instead.
    let chain = Promise.resolve();
    const write = (text: string) => {
      chain = chain.then(async () => {
        if (res.writableEnded) return;
        const valid = await stillIdentified(req, { redis, keys, sessionMs: settings.sessionMs }).catch(() => false);
        if (res.writableEnded) return;
        if (valid) res.write(text);
        else res.end();
      });
    };
    const unsubscribe = live.subscribe((e: LiveEvent) => write(`event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`));
    const heartbeat = setInterval(() => write(': keep-alive\n\n'), 25_000);
    // The response closes when the browser leaves or when the stream is ended above.
    res.on('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
    });
  });
}
