import { describe, expect, it } from 'vitest';
import { withDesk, type DeskHarness } from '../helpers/desk.ts';

/** Issue 11, item 2 (next draft), attacked with two editors working down one queue at once. */

async function login(h: DeskHarness, token: string): Promise<{ cookie: string; csrf: string }> {
  const res = await fetch(`${h.url}/login`, { method: 'POST', body: new URLSearchParams({ token, next: '/' }), redirect: 'manual' });
  const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
  const page = await (await fetch(`${h.url}/`, { headers: { cookie } })).text();
  return { cookie, csrf: /<meta name="csrf-token" content="([^"]+)">/.exec(page)![1]! };
}

describe('next draft with two editors on one queue', () => {
  it("never opens a draft another editor has claimed (found: it did, and every action there was a 409); one's own claim is opened", async () => {
    await withDesk(async (h) => {
      await h.seed([{ title: 'A' }, { title: 'B' }, { title: 'C' }, { title: 'D' }]);
      const { cookie, csrf } = await login(h, h.tokens.editor);
      const queue = await (await fetch(`${h.url}/`, { headers: { cookie } })).text();
      const [a, b, c, d] = [...queue.matchAll(/<tr data-id="(d_[^"]+)"/g)].map((m) => m[1]!);
      // editor2 is working on B: the row after A is B, but editor cannot act on it.
      expect((await h.api('POST', `/api/drafts/${b}/claim`, { token: h.tokens.editor2, body: {} })).status).toBe(200);
      const reject = (id: string) => fetch(`${h.url}/drafts/${id}/reject`, { method: 'POST', headers: { cookie }, body: new URLSearchParams({ _csrf: csrf, version: '1', reason: 'No', then: 'next' }), redirect: 'manual' });
      const first = await reject(a!);
      expect(first.headers.get('location')).toBe(`/drafts/${c}?done=rejected&prev=${a}`);
      // What editor would have met on B: a refusal.
      const onB = await h.api('POST', `/api/drafts/${b}/reject`, { token: h.tokens.editor, body: { version: 1, reason: 'No' } });
      expect(onB.status).toBe(409);

      // A draft editor claimed itself is opened as usual.
      expect((await h.api('POST', `/api/drafts/${d}/claim`, { token: h.tokens.editor, body: {} })).status).toBe(200);
      const second = await reject(c!);
      expect(second.headers.get('location')).toBe(`/drafts/${d}?done=rejected&prev=${c}`);
      // Only editor2's B is left: the queue, not B.
      const third = await reject(d!);
      expect(third.headers.get('location')).toBe('/?done=rejected');
    });
  });
});
