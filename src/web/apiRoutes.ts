import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { can, describeMissing, ROLES } from '../auth/roles.ts';
import { addUser, listUsers, revokeUser, UserName } from '../auth/userStore.ts';
import { DeskError } from '../errors.ts';
import { readSignals } from '../publish/signalStore.ts';
import { readSourcesInForce } from '../config/readSourcesInForce.ts';
import { readHealth } from '../schedule/healthStore.ts';
import { BulkBody, runBulkAction } from '../review/bulkActions.ts';
import { DraftQuery, FacetQuery } from '../review/desk.ts';
import { MergeBody, parseBody, PatchBody, RejectBody, VersionBody } from '../review/draftEdits.ts';
import { MoveBody, SplitBody } from '../stories/correctStory.ts';
import { noStore, requireActor } from './auth.ts';
import type { ServerDeps } from './deps.ts';
import { isStreamId, STREAM_ID_HINT } from './streamId.ts';

/** JSON Schema for the OpenAPI description, generated from the zod schemas that really validate. */
function doc(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', target: 'openapi-3.0' }) as Record<string, unknown>;
  return rest;
}

const idParam = { type: 'object', properties: { id: { type: 'string', description: 'draft id (d_…)' } }, required: ['id'] };
const ClaimBody = z.object({ force: z.boolean().optional().describe('operators only: take or drop a claim someone else holds') });
const NewUser = z.object({ name: UserName, role: z.enum(ROLES) });
const SignalQuery = z.object({ limit: z.coerce.number().int().min(1).max(200).default(50), before: z.string().refine(isStreamId, `must be ${STREAM_ID_HINT}`).optional() });

export function registerApiRoutes(app: FastifyInstance, { desk, redis, keys, clock, settings }: ServerDeps): void {
  const tags = ['drafts'];
  app.get('/api/me', { schema: { tags: ['users'], summary: 'Who the credentials belong to' } }, async (req) => {
    const actor = requireActor(req);
    return { name: actor.name, role: actor.role, via: req.authVia };
  });

  app.get('/api/drafts', { schema: { tags, summary: 'List drafts with counts per status', description: 'Filtered (`q`: every word must start a word of the headline, excerpt, tags, source name, author or summary, case, accents, widths and invisible characters folded, CJK found without spaces; `tag`, `category`: whole values, case-insensitive; `source`: an id or a name; `lang` matches the article page\'s language and its primary subtag: `en` finds `en-GB`; `section` its section; both case-insensitive), sorted by score (then newest) or by age. Pass `nextCursor` back as `cursor` for the next page; a filtered page may be short and still have a cursor.', querystring: doc(DraftQuery) } }, async (req, reply) => {
    noStore(reply);
    return desk.list(requireActor(req), req.query as Record<string, string>);
  });
  app.get('/api/stories', { schema: { tags, summary: 'The queue as stories: one row per story, with counts per status', description: 'Same filters, sort and cursors as `/api/drafts` (plus `entity`: a name the annotate stage found, case-insensitive). Each row: `storyId` (null for a draft without a story), `lead` (the best-ranked member in the status, as in `/api/drafts`), `sources` (distinct publishers), `firstSeen`, `latestAt`, `members` (every member: headline, source, link, time, why it joined; `listed` when in the status asked for), `others` (members in that status besides the lead).', querystring: doc(DraftQuery) } }, async (req, reply) => {
    noStore(reply);
    return desk.listStories(requireActor(req), req.query as Record<string, string>);
  });
  app.get('/api/facets', { schema: { tags, summary: 'The values the category, source and tag filters can take', description: 'Among drafts of one status (default pending), most common first, with counts: `categories` and `tags` (`value`; spellings that differ only in case or accents are one value), `sources` (`id`, `name`). At most 300 of each; past 5,000 distinct tags, `tags` comes from a sample of them and `partial` is true. Kept by the same scripts that write drafts; a missing index is rebuilt first (in the background for a big desk: meanwhile `partial` and `rebuilding` are true and counts may be low).', querystring: doc(FacetQuery) } }, async (req, reply) => {
    noStore(reply);
    return desk.facets(requireActor(req), req.query as FacetQuery);
  });
  app.get('/api/drafts/:id', { schema: { tags, summary: 'One draft with its claim and audit history', description: '`enrichment` is what the article page itself said (state pending/done/refused/failed/non_html/disabled with `reason`; each field as `{value, rule}`, the rule being its provenance; `robots` the directives applied); `coverage` lists other sources\' items for the same article (source, headline, link, time); `story` the draft\'s story (`pinned` when an editor moved it there, `blocked` the stories it was split out of) and `storyRecord` that story\'s members; `annotation` the entities, matched rules and category suggestion (with its `why`); `scoreBreakdown` the score\'s named parts. Editors only: none of it is published.', params: idParam } }, async (req, reply) => {
    noStore(reply);
    return desk.get(requireActor(req), (req.params as { id: string }).id);
  });
  app.post('/api/drafts/:id/claim', { schema: { tags, summary: 'Claim (or renew a claim on) a pending draft', description: 'A claim lasts SIGNAL_DESK_CLAIM_MINUTES. An expired claim may be taken over; a live one only by an operator with force. 409 names the holder and the expiry.', params: idParam, body: doc(ClaimBody) } }, async (req) => {
    const { force } = parseBody(ClaimBody, req.body);
    return desk.claim(requireActor(req), (req.params as { id: string }).id, { force });
  });
  app.post('/api/drafts/:id/release', { schema: { tags, summary: 'Release a claim', params: idParam, body: doc(ClaimBody) } }, async (req) => {
    const { force } = parseBody(ClaimBody, req.body);
    return desk.release(requireActor(req), (req.params as { id: string }).id, { force });
  });
  app.patch('/api/drafts/:id', { schema: { tags, summary: 'Edit editorial fields', description: '`version` is the version you read: a stale one gets 409 with the current version. 422 lists each invalid field.', params: idParam, body: doc(PatchBody) } }, async (req) =>
    desk.edit(requireActor(req), (req.params as { id: string }).id, req.body),
  );
  app.post('/api/drafts/:id/approve', { schema: { tags, summary: 'Approve and publish', description: 'Publishes exactly once: a second approval gets 409. 422 when a required editorial field is empty, or `copied_text` when published text reproduces the excerpt of this draft, of a draft merged into it or of another draft of its story: 12+ consecutive words (24 CJK characters) in a field or across fields, or 40% of the excerpt in pieces; look-alike letters, format characters and entities are normalised first. The other pending members of the draft\'s story are merged into it (`merged` lists them) and the signal\'s `related` lists their links; a member another editor has claimed stays pending, and so do members beyond the 50 related entries a draft holds.', params: idParam, body: doc(VersionBody) } }, async (req) => {
    const { draft, signal, streamId, merged } = await desk.approve(requireActor(req), (req.params as { id: string }).id, req.body);
    return { draft, signal, streamId, merged };
  });
  app.post('/api/drafts/:id/reject', { schema: { tags, summary: 'Reject with a reason', params: idParam, body: doc(RejectBody) } }, async (req) => desk.reject(requireActor(req), (req.params as { id: string }).id, req.body));
  app.post('/api/drafts/:id/merge', { schema: { tags, summary: 'Merge into another pending draft (listed there as related coverage)', params: idParam, body: doc(MergeBody) } }, async (req) =>
    desk.merge(requireActor(req), (req.params as { id: string }).id, req.body),
  );
  app.post('/api/drafts/:id/split', { schema: { tags, summary: 'Split a draft out of its story into a story of its own', description: 'Remembered: the draft never rejoins the story it was split out of (`story.blocked`). 422 when it is in no story or alone in it.', params: idParam, body: doc(SplitBody) } }, async (req) =>
    desk.split(requireActor(req), (req.params as { id: string }).id, req.body),
  );
  app.post('/api/drafts/:id/move', { schema: { tags, summary: 'Move a draft to another story (pinned there)', description: 'Remembered: the pipeline never moves a pinned draft again. 404 when the story `to` does not exist.', params: idParam, body: doc(MoveBody) } }, async (req) =>
    desk.move(requireActor(req), (req.params as { id: string }).id, req.body),
  );
  app.post('/api/drafts/:id/reopen', { schema: { tags, summary: 'Send a rejected or merged draft back to the queue', params: idParam, body: doc(VersionBody) } }, async (req) =>
    desk.reopen(requireActor(req), (req.params as { id: string }).id, req.body),
  );

  app.post('/api/drafts/bulk', { schema: { tags, summary: 'Reject, merge or release many drafts at once', description: 'Each picked draft goes through the same action as on its own (`reject`: `reason`, each draft with the `version` you read; `merge`: every draft but `into` merged into `into`, each with its `version`; `release`: your claims). `results` has one entry per draft, in order: `ok` with its new `status`, or `error`, `message` (and `fields`) as the one-draft route would answer. 200 when every draft was done, 207 when some were not; nothing is undone.', body: doc(BulkBody) } }, async (req, reply) => {
    const result = await runBulkAction(desk, requireActor(req), req.body);
    return reply.status(result.failed ? 207 : 200).send(result);
  });

  app.get('/api/sources', { schema: { tags: ['sources'], summary: 'Health of every configured source, problems first' } }, async (req, reply) => {
    requireActor(req);
    noStore(reply);
    return readHealth(redis, keys, await readSourcesInForce(redis, keys, settings), clock.now());
  });

  app.get('/api/signals', { schema: { tags: ['signals'], summary: 'Published signals, newest first', description: 'Page with `before` = the last `streamId` you got.', querystring: doc(SignalQuery) } }, async (req, reply) => {
    requireActor(req);
    noStore(reply);
    const q = parseBody(SignalQuery, req.query);
    const signals = await readSignals(redis, keys, q.limit, q.before);
    return { signals, nextBefore: signals.length === q.limit ? signals.at(-1)!.streamId : null };
  });

  const operator = (req: Parameters<typeof requireActor>[0]) => {
    const actor = requireActor(req);
    if (!can(actor, 'manageUsers')) throw new DeskError('forbidden', describeMissing(actor, 'manageUsers'));
    return actor;
  };
  app.get('/api/users', { schema: { tags: ['users'], summary: 'List users (operators)' } }, async (req) => {
    operator(req);
    return (await listUsers(redis, keys)).map(({ tokenHash: _hash, ...u }) => u);
  });
  app.post('/api/users', { schema: { tags: ['users'], summary: 'Add a user; the response holds its token, shown this once (operators)', body: doc(NewUser) } }, async (req, reply) => {
    operator(req);
    const { name, role } = parseBody(NewUser, req.body);
    const { user, token } = await addUser(redis, keys, name, role, new Date(clock.now()));
    noStore(reply).status(201);
    return { name: user.name, role: user.role, createdAt: user.createdAt, token };
  });
  app.delete('/api/users/:name', { schema: { tags: ['users'], summary: 'Revoke a user: its token and sessions stop working at once (operators)' } }, async (req) => {
    operator(req);
    const { tokenHash: _hash, ...user } = await revokeUser(redis, keys, (req.params as { name: string }).name, new Date(clock.now()));
    return user;
  });
}
