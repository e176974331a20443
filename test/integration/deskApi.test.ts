import { describe, expect, it } from 'vitest';
import { EDITORIAL, withDesk } from '../helpers/desk.ts';

const EXCERPT = 'Chipmaker announced on Tuesday that its next generation of server processors will ship six months earlier than planned, citing improved yields at its new fabrication plant in Arizona.';

describe('desk API: authentication and roles', () => {
  it('401 without or with a bad token, 403 naming the missing role, and revocation takes effect at once', async () => {
    await withDesk(async (h) => {
      const [id] = await h.seed([{}]);
      const none = await h.api('GET', '/api/drafts');
      expect(none.status).toBe(401);
      expect(none.headers.get('www-authenticate')).toContain('Bearer');
      expect(none.body.message).toContain('Authorization: Bearer TOKEN');

      expect((await h.api('GET', '/api/drafts', { token: 'sdk_wrong' })).status).toBe(401);
      expect((await h.api('GET', '/api/drafts', { headers: { authorization: 'Basic abc' } })).body.message).toContain('Bearer TOKEN');

      const read = await h.api('GET', '/api/drafts', { token: h.tokens.viewer });
      expect(read.status).toBe(200);
      expect(read.body.drafts.map((d: { id: string }) => d.id)).toEqual([id]);

      const denied = await h.api('POST', `/api/drafts/${id}/claim`, { token: h.tokens.viewer, body: {} });
      expect(denied.status).toBe(403);
      expect(denied.body.message).toBe('viewer (role viewer) cannot review drafts (claim, edit, approve, reject, merge, reopen): needs role editor or operator');

      // Users: operators only; a new token works at once, a revoked one stops at once.
      expect((await h.api('POST', '/api/users', { token: h.tokens.editor, body: { name: 'eve', role: 'operator' } })).status).toBe(403);
      const created = await h.api('POST', '/api/users', { token: h.tokens.operator, body: { name: 'carol', role: 'editor' } });
      expect(created.status).toBe(201);
      expect((await h.api('GET', '/api/me', { token: created.body.token })).body).toEqual({ name: 'carol', role: 'editor', via: 'token' });
      const listed = await h.api('GET', '/api/users', { token: h.tokens.operator });
      expect(JSON.stringify(listed.body)).not.toContain(created.body.token);
      expect(JSON.stringify(listed.body)).not.toContain('tokenHash');
      expect((await h.api('DELETE', '/api/users/carol', { token: h.tokens.operator })).status).toBe(200);
      expect((await h.api('GET', '/api/me', { token: created.body.token })).status).toBe(401);
    });
  });
});

describe('desk API: claims', () => {
  it('shows the holder and expiry; blocks others; expired claims can be taken over; operators can force', async () => {
    await withDesk(async (h) => {
      const [id] = await h.seed([{}]);
      const claimed = await h.api('POST', `/api/drafts/${id}/claim`, { token: h.tokens.editor, body: {} });
      expect(claimed.status).toBe(200);
      // ISO 8601 like every other date of the API (Redis keeps epoch ms).
      expect(claimed.body).toEqual({ action: 'claim', claim: { user: 'editor', expiresAt: '2026-11-27T10:15:00.000Z' } });

      const seen = await h.api('GET', `/api/drafts/${id}`, { token: h.tokens.viewer });
      expect(seen.body.claim).toEqual({ user: 'editor', expiresAt: '2026-11-27T10:15:00.000Z' });

      const blocked = await h.api('POST', `/api/drafts/${id}/claim`, { token: h.tokens.editor2, body: {} });
      expect(blocked.status).toBe(409);
      expect(blocked.body).toMatchObject({ error: 'locked', details: { claim: { user: 'editor', expiresAt: '2026-11-27T10:15:00.000Z' } } });
      // Who holds it until when (the readable form), and what an editor can do: never "ask an operator" to an operator.
      expect(blocked.body.message).toBe(`draft ${id} is claimed by editor until 2026-11-27 10:15 UTC: wait until then or ask editor to release it (an operator can take it over)`);
      const edit = await h.api('PATCH', `/api/drafts/${id}`, { token: h.tokens.editor2, body: { version: 1, whyNow: 'x' } });
      expect(edit.status).toBe(409);
      expect(edit.body.error).toBe('locked');
      expect((await h.api('POST', `/api/drafts/${id}/release`, { token: h.tokens.editor2, body: {} })).status).toBe(409);
      expect((await h.api('POST', `/api/drafts/${id}/claim`, { token: h.tokens.editor2, body: { force: true } })).status).toBe(403);
      // An operator is told how to take it over, not to ask an operator.
      const toOperator = await h.api('PATCH', `/api/drafts/${id}`, { token: h.tokens.operator, body: { version: 1, whyNow: 'x' } });
      expect(toOperator.body.message).toBe(`draft ${id} is claimed by editor until 2026-11-27 10:15 UTC: wait until then, ask editor to release it, or take it over: Force claim on the draft's page, or signal-desk review claim ${id} --force`);

      // Renewal by the holder extends the expiry.
      h.clock.advance(10 * 60_000);
      const renewed = await h.api('POST', `/api/drafts/${id}/claim`, { token: h.tokens.editor, body: {} });
      expect(renewed.body).toEqual({ action: 'renew', claim: { user: 'editor', expiresAt: '2026-11-27T10:25:00.000Z' } });

      // Expired: another editor takes over.
      h.clock.advance(16 * 60_000);
      expect((await h.api('GET', `/api/drafts/${id}`, { token: h.tokens.viewer })).body.claim).toBeNull();
      const takeover = await h.api('POST', `/api/drafts/${id}/claim`, { token: h.tokens.editor2, body: {} });
      expect(takeover.body.action).toBe('takeover');

      // An operator forces a live claim, then releases it.
      const forced = await h.api('POST', `/api/drafts/${id}/claim`, { token: h.tokens.operator, body: { force: true } });
      expect(forced.body.action).toBe('force_claim');
      expect((await h.api('POST', `/api/drafts/${id}/release`, { token: h.tokens.operator, body: {} })).body.action).toBe('release');

      const history = (await h.api('GET', `/api/drafts/${id}`, { token: h.tokens.viewer })).body.history;
      expect(history.map((e: { actor: string; action: string }) => `${e.actor}:${e.action}`)).toEqual(['editor:claim', 'editor:renew', 'editor2:takeover', 'operator:force_claim', 'operator:release']);
      expect(history[2].holder).toBe('editor');
    });
  });
});

describe('desk API: edits and versions', () => {
  it('a stale version gets 409 instead of overwriting; 422 lists each invalid field', async () => {
    await withDesk(async (h) => {
      const [id] = await h.seed([{}]);
      const first = await h.api('PATCH', `/api/drafts/${id}`, { token: h.tokens.editor, body: { version: 1, whyNow: 'Editor one' } });
      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({ version: 2, whyNow: 'Editor one' });

      const stale = await h.api('PATCH', `/api/drafts/${id}`, { token: h.tokens.editor2, body: { version: 1, whyNow: 'Editor two' } });
      expect(stale.status).toBe(409);
      expect(stale.body).toMatchObject({ error: 'stale_version', details: { currentVersion: 2 } });
      expect((await h.api('GET', `/api/drafts/${id}`, { token: h.tokens.viewer })).body.whyNow).toBe('Editor one');

      const invalid = await h.api('PATCH', `/api/drafts/${id}`, { token: h.tokens.editor, body: { version: 2, score: 500, horizon: 'Someday', excerpt: 'mine now', winners: 'not a list' } });
      expect(invalid.status).toBe(422);
      expect(invalid.body.error).toBe('invalid_fields');
      expect(Object.keys(invalid.body.fields).sort()).toEqual(['excerpt', 'horizon', 'score', 'winners']);
      expect(invalid.body.fields.horizon).toBe('one of: Short term, Medium term, Long term');
      expect(invalid.body.fields.excerpt).toContain('cannot be edited; editable fields are: Headline, Category, Signal score');
      // The message names the fields as the desk's form labels them; `fields` stays keyed by field name.
      expect(invalid.body.message).toBe("invalid fields: Signal score: 0 to 100; Horizon: one of: Short term, Medium term, Long term; Winners: a list of entries; Excerpt: cannot be edited; editable fields are: Headline, Category, Signal score, Horizon, Summary, Why now, Why it's important, What changes, Winners, Losers, Second-order effects, Editorial confidence, Structural impact, Tags");

      const noVersion = await h.api('PATCH', `/api/drafts/${id}`, { token: h.tokens.editor, body: { whyNow: 'x' } });
      expect(noVersion.status).toBe(422);
      expect(noVersion.body.fields.version).toContain('send the version of the draft you read');

      const history = (await h.api('GET', `/api/drafts/${id}`, { token: h.tokens.viewer })).body.history;
      expect(history).toEqual([{ at: '2026-11-27T10:00:00.000Z', actor: 'editor', action: 'edit', version: 2, fields: ['whyNow'] }]);
    });
  });
});

describe('desk API: approval and publishing', () => {
  it('editors approving at once publish exactly once; the others get 409', async () => {
    await withDesk(async (h) => {
      const [id] = await h.seed([{}]);
      const edited = await h.api('PATCH', `/api/drafts/${id}`, { token: h.tokens.editor, body: { version: 1, ...EDITORIAL } });
      expect(edited.status).toBe(200);
      // Eight at once, so that several read the draft before any writes (two alone often run one after the other).
      const results = await Promise.all(Array.from({ length: 8 }, (_, i) => h.api('POST', `/api/drafts/${id}/approve`, { token: i % 2 ? h.tokens.editor : h.tokens.operator, body: { version: 2 } })));
      expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409, 409, 409, 409, 409, 409]);
      expect(await h.redis.xlen(h.keys.signals)).toBe(1);
      const again = await h.api('POST', `/api/drafts/${id}/approve`, { token: h.tokens.editor, body: { version: 3 } });
      expect(again.status).toBe(409);
      expect(again.body.message).toMatch(/is approved by (editor|operator)/);
      expect(await h.redis.xlen(h.keys.signals)).toBe(1);
      const counts = (await h.api('GET', '/api/drafts', { token: h.tokens.viewer })).body.counts;
      expect(counts).toEqual({ pending: 0, approved: 1, rejected: 0, merged: 0 });
    });
  });

  it('refuses approval while required editorial fields are empty, naming each', async () => {
    await withDesk(async (h) => {
      const [id] = await h.seed([{}]);
      const r = await h.api('POST', `/api/drafts/${id}/approve`, { token: h.tokens.editor, body: { version: 1 } });
      expect(r.status).toBe(422);
      expect(Object.keys(r.body.fields)).toEqual(['horizon', 'whyNow', 'whyImportant', 'editorialConfidence', 'structuralImpact']);
      expect(r.body.fields.whyNow).toBe('required to approve: fill in why now');
    });
  });

  it('refuses (422) an editorial field that copies 12 consecutive words of the excerpt; 11 pass', async () => {
    await withDesk(async (h) => {
      const [id] = await h.seed([{ summary: EXCERPT }]);
      const twelve = 'As reported, next generation of server processors will ship six months earlier than planned. Big deal.';
      const e = await h.api('PATCH', `/api/drafts/${id}`, { token: h.tokens.editor, body: { version: 1, ...EDITORIAL, whyImportant: twelve } });
      const copied = await h.api('POST', `/api/drafts/${id}/approve`, { token: h.tokens.editor, body: { version: e.body.version } });
      expect(copied.status).toBe(422);
      expect(copied.body.error).toBe('copied_text');
      expect(copied.body.fields.whyImportant).toContain('copies 12 consecutive words from the source ("next generation of server processors will ship six months earlier than planned")');

      // Case and punctuation do not hide a copy; eleven words are a quotation, not a copy.
      const eleven = 'As reported, the generation of server processors will ship six months earlier than planned.';
      const e2 = await h.api('PATCH', `/api/drafts/${id}`, { token: h.tokens.editor, body: { version: e.body.version, whyImportant: eleven } });
      expect((await h.api('POST', `/api/drafts/${id}/approve`, { token: h.tokens.editor, body: { version: e2.body.version } })).status).toBe(200);
    });
  });

  it('publishes to a stream consumers read with groups, and to JSON Feed and Atom, without the excerpt', async () => {
    await withDesk(async (h) => {
      const [id] = await h.seed([{ title: 'Chipmaker pulls server CPU launch forward', summary: EXCERPT, url: 'https://www.tomshardware.com/news/cpu-early', categories: ['CPUs'] }]);
      await h.redis.xgroup('CREATE', h.keys.signals, 'brief', '$', 'MKSTREAM');
      const e = await h.api('PATCH', `/api/drafts/${id}`, { token: h.tokens.editor, body: { version: 1, ...EDITORIAL, score: 77 } });
      const approved = await h.api('POST', `/api/drafts/${id}/approve`, { token: h.tokens.editor, body: { version: e.body.version } });
      expect(approved.status).toBe(200);
      const signalId = approved.body.signal.id;

      const read = (await h.redis.xreadgroup('GROUP', 'brief', 'consumer-1', 'COUNT', 10, 'STREAMS', h.keys.signals, '>')) as [string, [string, string[]][]][];
      const entries = read[0]![1];
      expect(entries).toHaveLength(1);
      const signal = JSON.parse(entries[0]![1][1]!);
      expect(signal).toMatchObject({
        id: signalId,
        headline: 'Chipmaker pulls server CPU launch forward',
        category: 'Infrastructure Software',
        score: 77,
        horizon: 'Short term',
        source: { name: 'Tom’s Hardware' },
        link: 'https://www.tomshardware.com/news/cpu-early',
        whyImportant: EDITORIAL.whyImportant,
        winners: ['Open-source forks'],
        editorialConfidence: 60,
        structuralImpact: 90,
        tags: ['CPUs'],
        approvedBy: 'editor',
      });
      expect(signal).not.toHaveProperty('excerpt');

      const json = await h.api('GET', '/signals.json');
      expect(json.status).toBe(200);
      expect(json.headers.get('content-type')).toContain('application/feed+json');
      expect(json.body.version).toBe('https://jsonfeed.org/version/1.1');
      expect(json.body.items).toHaveLength(1);
      expect(json.body.items[0]).toMatchObject({ id: signalId, title: 'Chipmaker pulls server CPU launch forward', external_url: 'https://www.tomshardware.com/news/cpu-early', summary: EDITORIAL.whyImportant });
      expect(json.body.items[0].content_text).toContain('Read at Tom’s Hardware: https://www.tomshardware.com/news/cpu-early');

      const atom = await h.api('GET', '/signals.atom');
      expect(atom.headers.get('content-type')).toContain('application/atom+xml');
      expect(atom.text).toContain('<title type="text">Chipmaker pulls server CPU launch forward</title>');
      expect(atom.text).toContain('<link rel="alternate" type="text/html" href="https://www.tomshardware.com/news/cpu-early"/>');

      // Nothing of the source's text beyond the title: not even a fragment of the excerpt.
      for (const text of [json.text, atom.text, JSON.stringify(signal), (await h.api('GET', '/api/signals', { token: h.tokens.viewer })).text]) {
        expect(text).not.toContain('fabrication plant in Arizona');
        expect(text).not.toContain('improved yields');
      }

      // Feed readers poll with the ETag and get 304 until something new is published.
      const etag = json.headers.get('etag')!;
      expect((await h.api('GET', '/signals.json', { headers: { 'if-none-match': etag } })).status).toBe(304);
    });
  });
});

describe('desk API: reject, merge, reopen', () => {
  it('reject needs a reason; merge lists the draft as related coverage; reopen undoes both; all audited', async () => {
    await withDesk(async (h) => {
      const [a, b, c] = await h.seed([{ title: 'Story from A' }, { title: 'Same story from B' }, {}], 'Source A');
      const noReason = await h.api('POST', `/api/drafts/${c}/reject`, { token: h.tokens.editor, body: { version: 1 } });
      expect(noReason.status).toBe(422);
      expect(noReason.body.fields.reason).toBe('required: say why the draft is rejected');
      const rejected = await h.api('POST', `/api/drafts/${c}/reject`, { token: h.tokens.editor, body: { version: 1, reason: 'Not our beat' } });
      expect(rejected.body).toMatchObject({ status: 'rejected', decision: { action: 'reject', by: 'editor', reason: 'Not our beat' } });

      expect((await h.api('POST', `/api/drafts/${b}/merge`, { token: h.tokens.editor, body: { version: 1, into: b } })).status).toBe(422);
      expect((await h.api('POST', `/api/drafts/${b}/merge`, { token: h.tokens.editor, body: { version: 1, into: c } })).status).toBe(409);
      const merged = await h.api('POST', `/api/drafts/${b}/merge`, { token: h.tokens.editor, body: { version: 1, into: a } });
      expect(merged.status).toBe(200);
      expect(merged.body.draft).toMatchObject({ status: 'merged', mergedInto: a });
      expect(merged.body.into.related).toEqual([{ draftId: b, headline: 'Same story from B', sourceName: 'Source A', link: expect.stringContaining('tomshardware') }]);
      const counts = (await h.api('GET', '/api/drafts', { token: h.tokens.viewer })).body.counts;
      expect(counts).toEqual({ pending: 1, approved: 0, rejected: 1, merged: 1 });

      const reopened = await h.api('POST', `/api/drafts/${b}/reopen`, { token: h.tokens.editor, body: { version: 2 } });
      expect(reopened.body).toMatchObject({ status: 'pending', mergedInto: null });
      expect((await h.api('GET', `/api/drafts/${a}`, { token: h.tokens.viewer })).body.related).toEqual([]);
      expect((await h.api('POST', `/api/drafts/${c}/reopen`, { token: h.tokens.editor, body: { version: 2 } })).body.status).toBe('pending');

      const historyA = (await h.api('GET', `/api/drafts/${a}`, { token: h.tokens.viewer })).body.history.map((e: { action: string; from: string }) => `${e.action}:${e.from}`);
      expect(historyA).toEqual([`merged_in:${b}`, `unmerged:${b}`]);
      const historyB = (await h.api('GET', `/api/drafts/${b}`, { token: h.tokens.viewer })).body.history.map((e: { action: string }) => e.action);
      expect(historyB).toEqual(['merge', 'reopen']);
    });
  });

  it('a published signal cannot be reopened', async () => {
    await withDesk(async (h) => {
      const [id] = await h.seed([{}]);
      await h.api('PATCH', `/api/drafts/${id}`, { token: h.tokens.editor, body: { version: 1, ...EDITORIAL } });
      await h.api('POST', `/api/drafts/${id}/approve`, { token: h.tokens.editor, body: { version: 2 } });
      const r = await h.api('POST', `/api/drafts/${id}/reopen`, { token: h.tokens.editor, body: { version: 3 } });
      expect(r.status).toBe(409);
      expect(r.body.message).toContain('append-only');
    });
  });
});

describe('desk API: listing', () => {
  it('filters by category, source, tag and text, sorts by score or age, and pages with a cursor without gaps or repeats', async () => {
    await withDesk(async (h) => {
      // One batch shares a discovery time, so equal review ranks are the norm: the cursor must handle ties.
      const ids = await h.seed(Array.from({ length: 7 }, (_, i) => ({ title: `Item ${i}`, categories: i % 2 ? ['GPUs'] : ['CPUs'] })));
      const pages: string[] = [];
      let cursor: string | null = null;
      do {
        const r: { body: { drafts: { id: string }[]; nextCursor: string | null } } = await h.api('GET', `/api/drafts?limit=3${cursor ? `&cursor=${cursor}` : ''}`, { token: h.tokens.viewer });
        pages.push(...r.body.drafts.map((d) => d.id));
        cursor = r.body.nextCursor;
      } while (cursor);
      expect(pages).toHaveLength(7);
      expect(new Set(pages)).toEqual(new Set(ids));

      const gpus = await h.api('GET', '/api/drafts?tag=gpus', { token: h.tokens.viewer });
      expect(gpus.body.drafts).toHaveLength(3);
      const text = await h.api('GET', '/api/drafts?q=item%204', { token: h.tokens.viewer });
      expect(text.body.drafts.map((d: { headline: string }) => d.headline)).toEqual(['Item 4']);
      expect((await h.api('GET', '/api/drafts?source=nope', { token: h.tokens.viewer })).body.drafts).toEqual([]);
      expect((await h.api('GET', '/api/drafts?category=Infrastructure%20Software', { token: h.tokens.viewer })).body.drafts).toHaveLength(7);

      // Age: newest item first (the seed dates item n at n minutes ago).
      const byAge = await h.api('GET', '/api/drafts?sort=age', { token: h.tokens.viewer });
      expect(byAge.body.drafts.map((d: { headline: string }) => d.headline)).toEqual(['Item 0', 'Item 1', 'Item 2', 'Item 3', 'Item 4', 'Item 5', 'Item 6']);

      // A corrupt record is left out of lists instead of failing them.
      await h.redis.set(h.keys.draft(ids[3]!), '{"id": "broken"');
      expect((await h.api('GET', '/api/drafts?limit=50', { token: h.tokens.viewer })).body.drafts).toHaveLength(6);

      const bad = await h.api('GET', '/api/drafts?sort=random&status=gone', { token: h.tokens.viewer });
      expect(bad.status).toBe(422);
      expect(bad.body.fields).toEqual({ status: 'one of: pending, approved, rejected, merged', sort: 'one of: score, age' });
      expect((await h.api('GET', '/api/drafts?cursor=garbage', { token: h.tokens.viewer })).body.fields.cursor).toBeDefined();
    });
  });
});

describe('desk store: the write script', () => {
  it('refuses a change made from a version that moved on after it was read, and writes nothing', async () => {
    const { applyDraftChanges, getDraft } = await import('../../src/review/draftStore.ts');
    await withDesk(async (h) => {
      const [id] = await h.seed([{}]);
      const read = (await getDraft(h.redis, h.keys, id!))!;
      await h.api('PATCH', `/api/drafts/${id}`, { token: h.tokens.editor, body: { version: 1, whyNow: 'first' } });
      const late = { ...read, status: 'approved' as const, version: 2 };
      const result = await applyDraftChanges(h.redis, h.keys, 'operator', h.clock.now(), [{ expectedVersion: 1, next: late, scoreRank: 1, ageRank: 1, audit: { at: 'x', actor: 'operator', action: 'approve' }, claim: 'check' }], '{"id":"s"}');
      expect(result).toEqual({ ok: false, reason: 'stale', index: 0, version: 2 });
      expect(await h.redis.xlen(h.keys.signals)).toBe(0);
      expect((await getDraft(h.redis, h.keys, id!))!).toMatchObject({ status: 'pending', whyNow: 'first' });
    });
  });
});
