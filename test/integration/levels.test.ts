import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { migrateLevelsJson } from '../../src/drafts/migrateLevels.ts';
import { DraftSignal, Level } from '../../src/drafts/schema.ts';
import { signalText } from '../../src/publish/feeds.ts';
import { formToPatch } from '../../src/web/pageRoutes.ts';
import { EDITORIAL, withDesk } from '../helpers/desk.ts';
import { REDIS_URL } from '../helpers/redis.ts';

const run = promisify(execFile);
const cli = (prefix: string, args: string[]) =>
  run(process.execPath, ['bin/signal-desk.js', ...args], { env: { ...process.env, REDIS_URL, SIGNAL_DESK_PREFIX: prefix, SIGNAL_DESK_LOG_LEVEL: 'silent' } }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );

describe('editorial confidence and structural impact: 0–100', () => {
  it.each([
    ['a whole number 0–100 stays', 90, 90],
    ['0 is a level', 0, 0],
    ['Low (before issue 10) reads as 30', 'Low', 30],
    ['Medium reads as 60', 'Medium', 60],
    ['High reads as 90', 'High', 90],
  ] as [string, unknown, number][])('%s', (_n, input, out) => {
    expect(Level.parse(input)).toBe(out);
  });

  it.each([
    ['over 100', 101],
    ['negative', -1],
    ['a fraction', 62.5],
    ['a word no version wrote', 'Very high'],
    ['lower-case legacy word', 'high'],
    ['a numeric string (the API takes numbers)', '90'],
  ] as [string, unknown][])('refuses %s with a message that says what it takes', (_n, input) => {
    const r = Level.safeParse(input);
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.message).toBe('a whole number from 0 to 100');
  });

  it('a stored draft that says something unreadable reads as not set, never hiding the draft', () => {
    const stored = { ...JSON.parse(JSON.stringify(sampleDraft())), editorialConfidence: 'Very high', structuralImpact: 'Low' };
    expect(DraftSignal.parse(stored)).toMatchObject({ editorialConfidence: null, structuralImpact: 30 });
  });

  it.each([
    ['both words', { editorialConfidence: 'High', structuralImpact: 'Low' }, { editorialConfidence: 90, structuralImpact: 30 }],
    ['one word, one number', { editorialConfidence: 75, structuralImpact: 'Medium' }, { editorialConfidence: 75, structuralImpact: 60 }],
    ['an unknown word becomes not set', { editorialConfidence: 'Sure', structuralImpact: null }, { editorialConfidence: null, structuralImpact: null }],
  ])('migrates stored JSON: %s', (_n, levels, expected) => {
    const raw = JSON.stringify({ id: 'd_x', headline: 'Kept exactly', ...levels });
    const migrated = migrateLevelsJson(raw)!;
    expect(JSON.parse(migrated.json)).toEqual({ id: 'd_x', headline: 'Kept exactly', ...expected });
  });

  it('leaves JSON that needs nothing (or is not a draft) alone', () => {
    expect(migrateLevelsJson(JSON.stringify({ editorialConfidence: 90, structuralImpact: null }))).toBeUndefined();
    expect(migrateLevelsJson(JSON.stringify({ headline: 'no levels at all' }))).toBeUndefined();
    expect(migrateLevelsJson('not json')).toBeUndefined();
    expect(migrateLevelsJson('[1,2]')).toBeUndefined();
  });

  it('the desk form sends numbers; empty is not set; other text goes on to be refused by name', () => {
    expect(formToPatch({ version: '3', editorialConfidence: ' 75 ', structuralImpact: '' })).toEqual({ version: 3, editorialConfidence: 75, structuralImpact: null });
    expect(formToPatch({ version: '3', editorialConfidence: 'lots' })).toMatchObject({ editorialConfidence: 'lots' });
  });

  it('the brief reads "Editorial confidence: 90 / 100 · Structural impact: 60 / 100"', () => {
    const s = { category: 'C', score: 50, horizon: 'Short term', summary: '', whyNow: '', whyImportant: '', whatChanges: '', winners: [], losers: [], secondOrderEffects: { direct: '', second: '', third: '' }, editorialConfidence: 90, structuralImpact: 60, link: null, source: { name: 'S', url: 'https://s.example/' } };
    expect(signalText(s as never)).toContain('Editorial confidence: 90 / 100 · Structural impact: 60 / 100');
  });
});

describe('on the desk (real Redis)', () => {
  it('API: numbers 0–100 in, numbers out; out-of-range is 422 per field; old clients\' words map', async () => {
    await withDesk(async (h) => {
      const [id] = await h.seed([{ title: 'Levels as numbers' }]);
      const bad = await h.api('PATCH', `/api/drafts/${id}`, { token: h.tokens.editor, body: { version: 1, editorialConfidence: 500, structuralImpact: 'Huge' } });
      expect(bad.status).toBe(422);
      expect(bad.body.fields).toEqual({ editorialConfidence: 'a whole number from 0 to 100', structuralImpact: 'a whole number from 0 to 100' });
      const ok = await h.api('PATCH', `/api/drafts/${id}`, { token: h.tokens.editor, body: { version: 1, editorialConfidence: 85, structuralImpact: 'High' } });
      expect(ok.status).toBe(200);
      expect(ok.body).toMatchObject({ editorialConfidence: 85, structuralImpact: 90 });
      const page = await h.api('GET', `/drafts/${id}`, { token: h.tokens.editor });
      expect(page.text).toContain('Editorial confidence: <strong>85 / 100</strong> · Structural impact: <strong>90 / 100</strong>');
      expect(page.text).toMatch(/id="f-editorialConfidence" name="editorialConfidence" type="number" min="0" max="100"[^>]*value="85"/);
      const openapi = await h.api('GET', '/docs/json');
      const patch = JSON.stringify(openapi.body?.paths?.['/api/drafts/{id}']?.patch ?? {});
      expect(patch).toContain('0–100');
    });
  });

  it('stored Low/Medium/High: read as 30/60/90, `signal-desk migrate` rewrites drafts once (same version, same expiry), published signals map on read', { timeout: 120_000 }, async () => {
    await withDesk(async (h) => {
      const [a, b, c] = await h.seed([{ title: 'Old draft one' }, { title: 'Old draft two' }, { title: 'New draft' }]);
      // As a version before issue 10 stored them.
      for (const [id, conf, impact] of [[a!, 'High', 'Low'], [b!, 'Medium', 'Nonsense']] as const) {
        const raw = JSON.parse((await h.redis.get(h.keys.draft(id)))!);
        await h.redis.set(h.keys.draft(id), JSON.stringify({ ...raw, editorialConfidence: conf, structuralImpact: impact }), 'KEEPTTL');
      }
      const before = (await h.api('GET', `/api/drafts/${a}`, { token: h.tokens.editor })).body;
      expect(before).toMatchObject({ editorialConfidence: 90, structuralImpact: 30, version: 1 });
      const ttl = await h.redis.pttl(h.keys.draft(a!));
      const untouched = await h.redis.get(h.keys.draft(c!));

      const dry = await cli(h.keys.prefix, ['migrate', '--dry-run', '--json']);
      expect(JSON.parse(dry.stdout)).toMatchObject({ scanned: 3, rewritten: 2 });
      expect(JSON.parse((await h.redis.get(h.keys.draft(a!)))!).editorialConfidence).toBe('High');

      const first = await cli(h.keys.prefix, ['migrate']);
      expect(first.code).toBe(0);
      expect(first.stdout).toContain('3 drafts looked at; rewrote 2.');
      expect(first.stdout).toContain(`${b}: structuralImpact said "Nonsense", which no mapping knows: now not set`);
      expect(first.stdout).toContain('Low → 30, Medium → 60, High → 90');
      const stored = JSON.parse((await h.redis.get(h.keys.draft(a!)))!);
      expect(stored).toMatchObject({ editorialConfidence: 90, structuralImpact: 30, version: 1, headline: 'Old draft one' });
      expect(JSON.parse((await h.redis.get(h.keys.draft(b!)))!)).toMatchObject({ editorialConfidence: 60, structuralImpact: null });
      expect(await h.redis.get(h.keys.draft(c!))).toBe(untouched);
      if (ttl > 0) expect(await h.redis.pttl(h.keys.draft(a!))).toBeGreaterThan(0);
      else expect(await h.redis.pttl(h.keys.draft(a!))).toBe(ttl);

      const second = await cli(h.keys.prefix, ['migrate', '--json']);
      expect(JSON.parse(second.stdout)).toMatchObject({ scanned: 3, rewritten: 0, busy: [] });

      // An editor's page read before the migration still saves (no new version for a value that means the same).
      const saved = await h.api('PATCH', `/api/drafts/${a}`, { token: h.tokens.editor, body: { version: 1, whyNow: 'Still version 1.' } });
      expect(saved.status).toBe(200);

      // A signal published before issue 10 (the stream is append-only): feeds and the API show numbers.
      const approved = await h.api('POST', `/api/drafts/${c}/approve`, { token: h.tokens.editor, body: { version: (await h.api('PATCH', `/api/drafts/${c}`, { token: h.tokens.editor, body: { version: 1, ...EDITORIAL } })).body.version } });
      expect(approved.status).toBe(200);
      expect(approved.body.signal).toMatchObject({ editorialConfidence: 60, structuralImpact: 90 });
      await h.redis.xadd(h.keys.signals, '*', 'signal', JSON.stringify({ ...approved.body.signal, id: 's_legacy', editorialConfidence: 'Low', structuralImpact: 'High' }));
      const feed = await h.api('GET', '/signals.json');
      const legacy = feed.body.items.find((i: { id: string }) => i.id === 's_legacy');
      expect(legacy._signal_desk).toMatchObject({ editorial_confidence: 30, structural_impact: 90 });
      expect(legacy.content_text).toContain('Editorial confidence: 30 / 100 · Structural impact: 90 / 100');
      const atom = await h.api('GET', '/signals.atom');
      expect(atom.text).toContain('Editorial confidence: 30 / 100');
    });
  });
});

function sampleDraft(): DraftSignal {
  return DraftSignal.parse({
    id: 'd_AAAAAAAAAAAAAAAA', version: 1, status: 'pending', headline: 'H', source: { id: 's', name: 'S', url: 'https://s.example/' }, link: null, itemKey: 'k', publishedAt: null,
    discoveredAt: '2026-11-27T10:00:00.000Z', author: null, tags: [], category: null, excerpt: null, score: 50, horizon: null, summary: '', whyNow: '', whyImportant: '', whatChanges: '',
    winners: [], losers: [], secondOrderEffects: { direct: '', second: '', third: '' }, editorialConfidence: null, structuralImpact: null,
  });
}
