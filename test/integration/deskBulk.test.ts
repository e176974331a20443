import { describe, expect, it } from 'vitest';
import { withDesk, type DeskHarness } from '../helpers/desk.ts';

/** Issue 11, item 2: bulk reject, merge and release (API and the queue's form), each draft through the desk's own action. */

async function login(h: DeskHarness, token: string): Promise<{ cookie: string; csrf: string }> {
  const res = await fetch(`${h.url}/login`, { method: 'POST', body: new URLSearchParams({ token, next: '/' }), redirect: 'manual' });
  const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
  const page = await (await fetch(`${h.url}/`, { headers: { cookie } })).text();
  return { cookie, csrf: /<meta name="csrf-token" content="([^"]+)">/.exec(page)![1]! };
}

const status = async (h: DeskHarness, id: string) => (await h.api('GET', `/api/drafts/${id}`, { token: h.tokens.viewer })).body as { status: string; version: number; claim: unknown; decision: { reason?: string } | null; related: { draftId: string }[] };

describe('POST /api/drafts/bulk', () => {
  it('rejects each draft at the version read; a stale or claimed draft is reported with the one-draft answer and the others are done (207)', async () => {
    await withDesk(async (h) => {
      const [a, b, c, d] = await h.seed([{ title: 'A' }, { title: 'B' }, { title: 'C' }, { title: 'D' }]);
      await h.api('PATCH', `/api/drafts/${b}`, { token: h.tokens.editor2, body: { version: 1, whyNow: 'Changed meanwhile' } });
      await h.api('POST', `/api/drafts/${c}/claim`, { token: h.tokens.editor2, body: {} });
      const res = await h.api('POST', '/api/drafts/bulk', { token: h.tokens.editor, body: { action: 'reject', reason: 'Off topic', drafts: [a, b, c, d, a].map((id) => ({ id, version: 1 })) } });
      expect(res.status).toBe(207);
      expect(res.body).toMatchObject({ action: 'reject', done: 2, failed: 2 });
      expect(res.body.results).toEqual([
        { id: a, ok: true, status: 'rejected' },
        { id: b, ok: false, error: 'stale_version', message: expect.stringContaining(`draft ${b} changed since you read it (you sent version 1, it is now at 2)`) },
        { id: c, ok: false, error: 'locked', message: expect.stringMatching(new RegExp(`^draft ${c} is claimed by editor2 until `)) },
        { id: d, ok: true, status: 'rejected' },
      ]);
      expect((await status(h, a!)).decision).toMatchObject({ reason: 'Off topic' });
      expect((await status(h, b!)).status).toBe('pending');
      expect((await status(h, c!)).status).toBe('pending');
      // All done: 200.
      const again = await h.api('POST', '/api/drafts/bulk', { token: h.tokens.editor, body: { action: 'reject', reason: 'Off topic', drafts: [{ id: b, version: 2 }] } });
      expect([again.status, again.body.done, again.body.failed]).toEqual([200, 1, 0]);
    });
  });

  it('merges the picked drafts into one, which lists them; into a decided draft each merge is refused', async () => {
    await withDesk(async (h) => {
      const [a, b, c, gone] = await h.seed([{ title: 'A' }, { title: 'B' }, { title: 'C' }, { title: 'Gone' }]);
      await h.api('POST', `/api/drafts/${gone}/reject`, { token: h.tokens.editor, body: { version: 1, reason: 'x' } });
      const refused = await h.api('POST', '/api/drafts/bulk', { token: h.tokens.editor, body: { action: 'merge', into: gone, drafts: [{ id: a, version: 1 }] } });
      expect(refused.status).toBe(207);
      expect(refused.body.results).toEqual([{ id: a, ok: false, error: 'invalid_state', message: `cannot merge into ${gone}: it is rejected; merge only into a pending draft`, fields: { into: 'is rejected' } }]);

      const res = await h.api('POST', '/api/drafts/bulk', { token: h.tokens.editor, body: { action: 'merge', into: b, drafts: [a, b, c].map((id) => ({ id, version: 1 })) } });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ action: 'merge', into: b, done: 2, failed: 0, results: [{ id: a, ok: true, status: 'merged' }, { id: c, ok: true, status: 'merged' }] });
      expect((await status(h, b!)).related.map((r) => r.draftId)).toEqual([a, c]);
      expect((await status(h, c!)).status).toBe('merged');
      const alone = await h.api('POST', '/api/drafts/bulk', { token: h.tokens.editor, body: { action: 'merge', into: b, drafts: [{ id: b, version: 3 }] } });
      expect([alone.status, alone.body.fields]).toEqual([422, { drafts: 'pick at least two drafts' }]);
    });
  });

  it("releases the editor's own claims; another editor's is reported, not taken", async () => {
    await withDesk(async (h) => {
      const [a, b] = await h.seed([{ title: 'A' }, { title: 'B' }]);
      await h.api('POST', `/api/drafts/${a}/claim`, { token: h.tokens.editor, body: {} });
      await h.api('POST', `/api/drafts/${b}/claim`, { token: h.tokens.editor2, body: {} });
      const res = await h.api('POST', '/api/drafts/bulk', { token: h.tokens.editor, body: { action: 'release', drafts: [{ id: a }, { id: b }] } });
      expect(res.status).toBe(207);
      expect(res.body.results.map((r: { ok: boolean; error?: string }) => [r.ok, r.error])).toEqual([
        [true, undefined],
        [false, 'locked'],
      ]);
      expect((await status(h, a!)).claim).toBeNull();
      expect((await status(h, b!)).claim).toMatchObject({ user: 'editor2' });
    });
  });

  it('401 without credentials, 403 for a viewer, 422 for a body it cannot run; nothing changes', async () => {
    await withDesk(async (h) => {
      const [a] = await h.seed([{ title: 'A' }]);
      const body = { action: 'reject', reason: 'x', drafts: [{ id: a, version: 1 }] };
      expect((await h.api('POST', '/api/drafts/bulk', { body })).status).toBe(401);
      const viewer = await h.api('POST', '/api/drafts/bulk', { token: h.tokens.viewer, body });
      expect([viewer.status, viewer.body.message]).toEqual([403, 'viewer (role viewer) cannot review drafts (claim, edit, approve, reject, merge, reopen): needs role editor or operator']);
      const bad = async (b: unknown) => (await h.api('POST', '/api/drafts/bulk', { token: h.tokens.editor, body: b })).body;
      expect(await bad({ action: 'approve', drafts: [{ id: a, version: 1 }] })).toMatchObject({ error: 'invalid_fields', fields: { action: expect.stringContaining('reject, merge, release') } });
      expect(await bad({ action: 'reject', reason: 'x', drafts: [] })).toMatchObject({ fields: { drafts: 'pick at least one draft' } });
      expect(await bad({ action: 'reject', drafts: [{ id: a, version: 1 }] })).toMatchObject({ fields: { reason: 'required: say why the draft is rejected' } });
      expect(await bad({ action: 'reject', reason: '   ', drafts: [{ id: a, version: 1 }] })).toMatchObject({ fields: { reason: 'required: say why the draft is rejected' } });
      expect(await bad({ action: 'reject', reason: 'x', drafts: [{ id: '../users', version: 1 }] })).toMatchObject({ fields: { 'drafts.0.id': 'must be a draft id (d_…)' } });
      expect(await bad({ action: 'release', drafts: Array.from({ length: 201 }, () => ({ id: a })) })).toMatchObject({ fields: { drafts: 'at most 200 drafts' } });
      expect((await status(h, a!)).status).toBe('pending');
      // Described in the OpenAPI document, from the schema that validates it.
      const docs = (await h.api('GET', '/docs/json')).body;
      expect(docs.paths['/api/drafts/bulk'].post.summary).toBe('Reject, merge or release many drafts at once');
    });
  });

  it('a session needs the CSRF token and a same-site origin, as every desk POST does', async () => {
    await withDesk(async (h) => {
      const [a] = await h.seed([{ title: 'A' }]);
      const { cookie, csrf } = await login(h, h.tokens.editor);
      const body = { action: 'reject', reason: 'x', drafts: [{ id: a, version: 1 }] };
      const noToken = await h.api('POST', '/api/drafts/bulk', { body, headers: { cookie } });
      expect([noToken.status, noToken.body.error]).toEqual([403, 'csrf']);
      expect((await h.api('POST', '/api/drafts/bulk', { body, headers: { cookie, 'x-csrf-token': csrf, origin: 'https://evil.example' } })).status).toBe(403);
      expect((await status(h, a!)).status).toBe('pending');
      expect((await h.api('POST', '/api/drafts/bulk', { body, headers: { cookie, 'x-csrf-token': csrf, origin: h.url } })).status).toBe(200);
    });
  });
});

describe('POST /queue/bulk (the queue page form)', () => {
  it('needs the CSRF field; all done redirects with a notice, some not done shows the queue naming each draft (207)', async () => {
    await withDesk(async (h) => {
      const [a, b, c] = await h.seed([{ title: 'First' }, { title: 'Second <b>bold</b>' }, { title: 'Third' }]);
      const { cookie, csrf } = await login(h, h.tokens.editor);
      const post = (fields: Record<string, string>) => fetch(`${h.url}/queue/bulk`, { method: 'POST', headers: { cookie }, body: new URLSearchParams(fields), redirect: 'manual' });
      const queue = await (await fetch(`${h.url}/`, { headers: { cookie } })).text();
      expect(queue).toContain(`<input type="checkbox" form="bulk" name="pick.${a}" value="1"`);
      expect((await post({ action: 'reject', reason: 'x', [`pick.${a}`]: '1' })).status).toBe(403);
      expect((await status(h, a!)).status).toBe('pending');

      const done = await post({ _csrf: csrf, action: 'reject', reason: 'Not ours', [`pick.${a}`]: '1' });
      expect([done.status, done.headers.get('location')]).toEqual([303, '/?done=bulk-reject&count=1']);
      expect(await (await fetch(`${h.url}${done.headers.get('location')}`, { headers: { cookie } })).text()).toContain('Rejected 1 draft.');

      await h.api('POST', `/api/drafts/${b}/claim`, { token: h.tokens.editor2, body: {} });
      const partial = await post({ _csrf: csrf, action: 'reject', reason: 'Not ours', [`pick.${b}`]: '1', [`pick.${c}`]: '1' });
      expect(partial.status).toBe(207);
      const page = await partial.text();
      expect(page).toContain('Rejected 1 of 2 drafts; 1 was not:');
      expect(page).toContain(`<li class="failed" data-draft="${b}">Not rejected: <a href="/drafts/${b}">Second &lt;b&gt;bold&lt;/b&gt;</a>: draft ${b} is claimed by editor2 until`);
      expect(page).toContain(`<li class="ok" data-draft="${c}"><a href="/drafts/${c}">Third</a>: rejected</li>`);

      // Merge without a choice goes into the first picked; a version that is not a number is that draft's 422.
      const [d, e, f] = await h.seed([{ title: 'D' }, { title: 'E' }, { title: 'F' }]);
      const merged = await post({ _csrf: csrf, action: 'merge', into: '', [`pick.${d}`]: '1', [`pick.${e}`]: '1', [`pick.${f}`]: 'x' });
      expect(merged.status).toBe(207);
      expect(await merged.text()).toContain(`Not merged: <a href="/drafts/${f}">F</a>: draft ${f}: send the version you read`);
      expect((await status(h, e!)).status).toBe('merged');
      expect((await status(h, d!)).related.map((r) => r.draftId)).toEqual([e]);

      // A viewer sees no boxes and cannot post.
      const viewer = await login(h, h.tokens.viewer);
      expect(await (await fetch(`${h.url}/`, { headers: { cookie: viewer.cookie } })).text()).not.toContain('form="bulk"');
      const refused = await fetch(`${h.url}/queue/bulk`, { method: 'POST', headers: { cookie: viewer.cookie }, body: new URLSearchParams({ _csrf: viewer.csrf, action: 'release', [`pick.${d}`]: '2' }), redirect: 'manual' });
      expect(refused.status).toBe(403);
      expect(await refused.text()).toContain('viewer (role viewer) cannot review drafts');
    });
  });
});
