import { describe, expect, it } from 'vitest';
import { toDraft } from '../../src/drafts/toDraft.ts';
import { pickNextDraft, previewDraft, queueFilters } from '../../src/web/deskFlow.ts';
import { formToPatch } from '../../src/web/pageRoutes.ts';
import { withDesk, type DeskHarness } from '../helpers/desk.ts';

/** Issue 11, item 2: after a decision the desk opens the next pending draft of the queue the editor came from. */

async function login(h: DeskHarness, token: string): Promise<{ cookie: string; csrf: string }> {
  const res = await fetch(`${h.url}/login`, { method: 'POST', body: new URLSearchParams({ token, next: '/' }), redirect: 'manual' });
  const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
  const page = await (await fetch(`${h.url}/`, { headers: { cookie } })).text();
  return { cookie, csrf: /<meta name="csrf-token" content="([^"]+)">/.exec(page)![1]! };
}

describe('the next draft after a decision', () => {
  it('pickNextDraft: the row after the decided one that is still pending, else the top of the queue, never the decided one', () => {
    expect(pickNextDraft(['a', 'b', 'c', 'd'], ['a', 'c', 'd'], 'b')).toBe('c');
    // c was merged into b's story meanwhile: d.
    expect(pickNextDraft(['a', 'b', 'c', 'd'], ['a', 'd'], 'b')).toBe('d');
    expect(pickNextDraft(['a', 'b'], ['a'], 'b')).toBe('a');
    // Opened from beyond the first page: the top of the queue.
    expect(pickNextDraft(['a', 'b'], ['a', 'b'], 'z')).toBe('a');
    // A failed write left it pending: still not itself.
    expect(pickNextDraft(['b'], ['b'], 'b')).toBeUndefined();
    expect(pickNextDraft([], [], 'b')).toBeUndefined();
  });

  it('previewDraft: the form as a save would read it; a field a save would refuse keeps its stored value; nothing else changes', () => {
    const d = toDraft({ key: 'k', guid: 'g', url: 'https://example.com/a', title: 'Stored headline', author: null, publishedAt: null, updatedAt: null, categories: [], summary: 'Excerpt' }, { id: 's', name: 'S', url: 'https://example.com/feed', weight: 1, tags: [] }, '2026-11-27T10:00:00.000Z');
    const p = previewDraft(d, formToPatch({ version: '1', headline: '  New \u202eheadline  ', score: '250', winners: 'A\n\n B ', 'secondOrderEffects.second': 'Then this', horizon: 'Someday' }));
    expect(p.headline).toBe('New headline');
    expect(p.winners).toEqual(['A', 'B']);
    expect(p.secondOrderEffects).toEqual({ ...d.secondOrderEffects, second: 'Then this' });
    expect([p.score, p.horizon]).toEqual([d.score, d.horizon]);
    expect([p.version, p.status, p.excerpt]).toEqual([d.version, d.status, d.excerpt]);
  });

  it('queueFilters keeps the known filters only', () => {
    expect(queueFilters('tag=Memory&status=approved&cursor=abc&q=dram&x=1&sort=age')).toBe('q=dram&tag=Memory&sort=age');
    expect(queueFilters(undefined)).toBe('');
    expect(queueFilters(['tag=a'])).toBe('');
    expect(queueFilters(`q=${'x'.repeat(201)}`)).toBe('');
  });

  it("follows the filtered queue the editor came from; without then=next a form comes back to the same draft, as before", async () => {
    await withDesk(async (h) => {
      const [a, b, c, d] = await h.seed([{ title: 'A', categories: ['Memory'] }, { title: 'B' }, { title: 'C', categories: ['Memory'] }, { title: 'D', categories: ['Memory'] }]);
      const { cookie, csrf } = await login(h, h.tokens.editor);
      const queue = await (await fetch(`${h.url}/?tag=Memory`, { headers: { cookie } })).text();
      const order = [...queue.matchAll(/<tr data-id="(d_[^"]+)"/g)].map((m) => m[1]!);
      expect([...order].sort()).toEqual([a, c, d].sort());
      expect(queue).toContain(`<a href="/drafts/${order[0]}?queue=tag%3DMemory"`);
      const page = await (await fetch(`${h.url}/drafts/${order[0]}?queue=tag%3DMemory`, { headers: { cookie } })).text();
      expect(page).toContain('<input type="hidden" name="then" value="next"><input type="hidden" name="queue" value="tag=Memory">');
      expect(page).toContain('<a href="/?tag=Memory">← Queue</a>');

      const reject = (id: string, fields: Record<string, string>) => fetch(`${h.url}/drafts/${id}/reject`, { method: 'POST', headers: { cookie }, body: new URLSearchParams({ _csrf: csrf, version: '1', reason: 'No', ...fields }), redirect: 'manual' });
      const first = await reject(order[0]!, { then: 'next', queue: 'tag=Memory' });
      expect(first.headers.get('location')).toBe(`/drafts/${order[1]}?done=rejected&prev=${order[0]}&queue=tag%3DMemory`);
      const second = await reject(order[1]!, { then: 'next', queue: 'tag=Memory' });
      expect(second.headers.get('location')).toBe(`/drafts/${order[2]}?done=rejected&prev=${order[1]}&queue=tag%3DMemory`);
      // B (no tag) is pending, but not in this queue: the last one goes back to the filtered queue.
      const last = await reject(order[2]!, { then: 'next', queue: 'tag=Memory' });
      expect(last.headers.get('location')).toBe('/?tag=Memory&done=rejected');
      // No then=next (a script, an old page): back to the same draft.
      const plain = await reject(b!, {});
      expect(plain.headers.get('location')).toBe(`/drafts/${b}?done=rejected`);
    });
  });
});
