import { describe, expect, it } from 'vitest';
import { EDITORIAL, withDesk, type DeskHarness, type Response } from '../helpers/desk.ts';

// Attacks on what reaches a published signal (the copy guard, links, bidi), through the desk's API over
// real Redis: drafts are seeded the way the ingest worker writes them, editors edit, merge and approve.

interface Ctx {
  h: DeskHarness;
  id: string;
  version: number;
}

async function edit(c: Ctx, patch: Record<string, unknown>): Promise<Ctx> {
  const r = await c.h.api('PATCH', `/api/drafts/${c.id}`, { token: c.h.tokens.editor, body: { version: c.version, ...patch } });
  expect(r.status, r.text).toBe(200);
  return { ...c, version: r.body.version };
}

async function approve(c: Ctx): Promise<Response> {
  return c.h.api('POST', `/api/drafts/${c.id}/approve`, { token: c.h.tokens.editor, body: { version: c.version } });
}

async function mergeInto(into: Ctx, other: Ctx): Promise<Ctx> {
  const r = await into.h.api('POST', `/api/drafts/${other.id}/merge`, { token: into.h.tokens.editor, body: { version: other.version, into: into.id } });
  expect(r.status, r.text).toBe(200);
  return { ...into, version: r.body.into.version };
}

describe('approve cannot be made to block the desk', () => {
  // Every field at its maximum (CJK: one token per character) against 50 merged drafts' excerpts: the copy
  // guard compared them with an n·m table per field and source and rebuilt a shingle map quadratically per
  // source; one approval held the desk's event loop for more than ten minutes.
  it('approves a draft with every field full and 50 merged drafts', { timeout: 60_000 }, async () => {
    await withDesk(async (h) => {
      const fill = (n: number) => '啊'.repeat(n);
      const ids = await h.seed(Array.from({ length: 51 }, () => ({ title: '服务器处理器', summary: '哦'.repeat(280) })));
      let main: Ctx = { h, id: ids[0]!, version: 1 };
      for (const id of ids.slice(1)) {
        const other = await edit({ h, id, version: 1 }, { headline: fill(300) });
        main = await mergeInto(main, other);
      }
      main = await edit(main, {
        ...EDITORIAL,
        headline: fill(300),
        category: fill(80),
        summary: fill(1000),
        whyNow: fill(1000),
        whyImportant: fill(1000),
        whatChanges: fill(1000),
        winners: Array.from({ length: 10 }, () => fill(200)),
        losers: Array.from({ length: 10 }, () => fill(200)),
        tags: Array.from({ length: 30 }, () => fill(100)),
        secondOrderEffects: { direct: fill(600), second: fill(600), third: fill(600) },
      });
      const r = await approve(main);
      expect(r.status, r.text.slice(0, 300)).toBe(200);
      expect((await h.api('GET', '/api/me', { token: h.tokens.viewer })).status).toBe(200);
    });
  });
});
