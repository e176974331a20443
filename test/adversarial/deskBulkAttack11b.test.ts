import { describe, expect, it } from 'vitest';
import { getDraft } from '../../src/review/draftStore.ts';
import { withDesk } from '../helpers/desk.ts';

/** Issue 11, item 2 (bulk actions), attacked with a selection bigger than a draft's related coverage holds. */
describe('bulk merge past the 50 related items a draft holds', () => {
  it('every draft merged is listed in the target (found: past 50 they were merged away, unlisted, their links never published); the rest stay pending, each named', { timeout: 60_000 }, async () => {
    await withDesk(async (h) => {
      const ids = await h.seed(Array.from({ length: 53 }, (_, i) => ({ title: `Item ${i}` })));
      const [into, ...rest] = ids;
      const res = await h.api('POST', '/api/drafts/bulk', { token: h.tokens.editor, body: { action: 'merge', into, drafts: ids.map((id) => ({ id, version: 1 })) } });
      expect(res.status).toBe(207);
      expect([res.body.done, res.body.failed]).toEqual([50, 2]);
      const target = (await getDraft(h.redis, h.keys, into!))!;
      const listed = new Set(target.related.map((r) => r.draftId));
      for (const id of rest) {
        const d = (await getDraft(h.redis, h.keys, id))!;
        // Merged means listed; not listed means still pending (never merged away without a trace).
        expect([id, d.status === 'merged']).toEqual([id, listed.has(id)]);
      }
      const failed = res.body.results.filter((r: { ok: boolean }) => !r.ok);
      expect(failed.map((r: { id: string }) => r.id)).toEqual(rest.slice(50));
      expect(failed[0].message).toContain('over the 50 a draft holds');
      for (const r of failed) expect((await getDraft(h.redis, h.keys, r.id))!.status).toBe('pending');

      // One merge on its own is refused the same way, with 409 and nothing written.
      const one = await h.api('POST', `/api/drafts/${rest[51]}/merge`, { token: h.tokens.editor, body: { version: 1, into } });
      expect([one.status, one.body.fields]).toEqual([409, { into: 'holds 50 related items at most' }]);
      expect((await getDraft(h.redis, h.keys, into!))!.version).toBe(target.version);
    });
  });

  it('the queue page shown after a bulk action some drafts refused (207) or the whole request was refused (422) keeps its filter pick lists (found: empty, only "Any")', async () => {
    await withDesk(async (h) => {
      const [a, b] = await h.seed([{ title: 'One' }, { title: 'Two' }]);
      expect((await h.api('POST', `/api/drafts/${b}/claim`, { token: h.tokens.editor2, body: {} })).status).toBe(200);
      const login = await fetch(`${h.url}/login`, { method: 'POST', body: new URLSearchParams({ token: h.tokens.editor, next: '/' }), redirect: 'manual' });
      const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
      const queue = await (await fetch(`${h.url}/`, { headers: { cookie } })).text();
      const csrf = /<meta name="csrf-token" content="([^"]+)">/.exec(queue)![1]!;
      const option = '<option value="Infrastructure Software">Infrastructure Software (2)</option>';
      expect(queue).toContain(option);
      const post = (fields: Record<string, string>) => fetch(`${h.url}/queue/bulk`, { method: 'POST', headers: { cookie }, body: new URLSearchParams({ _csrf: csrf, ...fields }), redirect: 'manual' });
      const partial = await post({ action: 'reject', reason: 'No', [`pick.${a}`]: '1', [`pick.${b}`]: '1' });
      expect(partial.status).toBe(207);
      const text = await partial.text();
      expect(text).toContain('Not rejected');
      expect(text).toContain('<option value="Infrastructure Software">Infrastructure Software (1)</option>');
      const refused = await post({ action: 'reject', reason: '', [`pick.${b}`]: '1' });
      expect(refused.status).toBe(422);
      expect(await refused.text()).toContain('<option value="Infrastructure Software">Infrastructure Software (1)</option>');
    });
  });
});
