import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { reviewListCommand, reviewMoveCommand, reviewShowCommand, reviewSplitCommand } from '../../src/cli/commands/review.ts';
import { getDraft } from '../../src/review/draftStore.ts';
import { getStoryRecords } from '../../src/stories/storyRecords.ts';
import { EDITORIAL, withDesk, type DeskHarness } from '../helpers/desk.ts';
import { annotate, putStory, seedFrom, writeStage } from '../helpers/stories.ts';

const REUTERS = { id: 'reuters', name: 'Reuters' };
const AP = { id: 'ap', name: 'AP News' };
const VERGE = { id: 'verge', name: 'The Verge' };
const ARS = { id: 'ars', name: 'Ars Technica' };

/** A story of three publishers (scores 40, 70, 55: the AP item leads), a singleton story and a draft without a story. */
async function seedQueue(h: DeskHarness) {
  const r = await seedFrom(h, REUTERS, { title: 'Nvidia to buy Arm server chip startup', summary: 'Reuters excerpt.' });
  const a = await seedFrom(h, AP, { title: 'Nvidia agrees deal for chip startup', summary: 'AP excerpt.' });
  const v = await seedFrom(h, VERGE, { title: 'Nvidia buys a chip startup <b>for servers</b>', summary: 'Verge excerpt.' });
  const alone = await seedFrom(h, ARS, { title: 'A new Linux kernel is out' });
  const loose = await seedFrom(h, ARS, { title: 'Older draft from before stories' });
  const story = await putStory(h, 's_nvidia', [r, a, v], [40, 70, 55]);
  await putStory(h, 's_kernel', [alone], [30]);
  await writeStage(h, loose, { score: 10 });
  return { r, a, v, alone, loose, story };
}

function sink(): { out: Writable; text: () => string } {
  let buf = '';
  return { out: new Writable({ write: (c, _e, done) => ((buf += String(c)), done()) }), text: () => buf };
}

describe('the queue as stories', () => {
  it('API: one row per story led by its best-ranked member, its publishers, first seen, latest addition and members; a draft without a story is its own row; pages never repeat a story', async () => {
    await withDesk(async (h) => {
      const { r, a, v, alone, loose, story } = await seedQueue(h);
      const res = await h.api('GET', '/api/stories', { token: h.tokens.viewer });
      expect(res.status).toBe(200);
      const rows = res.body.stories as { storyId: string | null; lead: { id: string; headline: string }; sources: string[]; firstSeen: string; latestAt: string; members: { draftId: string; link: string; sourceName: string; listed: boolean }[]; others: number }[];
      expect(rows.map((x) => x.lead.id)).toEqual([a, alone, loose]);
      const [nvidia, kernel, none] = rows;
      expect(nvidia).toMatchObject({ storyId: 's_nvidia', sources: ['Reuters', 'AP News', 'The Verge'], others: 2, firstSeen: story.members[0]!.addedAt, latestAt: story.members[2]!.addedAt });
      expect(nvidia!.lead.headline).toBe('Nvidia agrees deal for chip startup');
      expect(nvidia!.members.map((m) => [m.draftId, m.sourceName, m.listed])).toEqual([[r, 'Reuters', true], [a, 'AP News', true], [v, 'The Verge', true]]);
      expect(nvidia!.members[0]!.link).toMatch(/^https:\/\/reuters\.example\/news\//);
      expect(kernel).toMatchObject({ storyId: 's_kernel', sources: ['Ars Technica'], others: 0 });
      expect(none).toMatchObject({ storyId: null, sources: ['Ars Technica'], others: 0 });
      expect(res.body.counts.pending).toBe(5);

      // One row a page: the story appears once, at its lead, and the other members never make rows of their own.
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { body: { stories: { lead: { id: string } }[]; nextCursor: string | null } } = await h.api('GET', `/api/stories?limit=1${cursor ? `&cursor=${cursor}` : ''}`, { token: h.tokens.viewer });
        seen.push(...page.body.stories.map((x: { lead: { id: string } }) => x.lead.id));
        cursor = page.body.nextCursor;
      } while (cursor);
      expect(seen).toEqual([a, alone, loose]);

      // The OpenAPI description documents it from the same zod schema.
      const openapi = await h.api('GET', '/docs/json');
      expect(Object.keys(openapi.body.paths)).toEqual(expect.arrayContaining(['/api/stories', '/api/drafts/{id}/split', '/api/drafts/{id}/move']));
    });
  });

  it('the entity filter finds drafts naming an entity, whatever the case; the story row still shows the whole story', async () => {
    await withDesk(async (h) => {
      const { r, a } = await seedQueue(h);
      await annotate(h, r, { entities: [{ name: 'Nvidia', kind: 'organization', from: 'headline', count: 2 }] });
      const rows = (await h.api('GET', '/api/stories?entity=NVIDIA', { token: h.tokens.viewer })).body.stories;
      expect(rows).toHaveLength(1);
      // Reuters names it, AP leads the story: the row is the story's, led by its best-ranked member.
      expect(rows[0].storyId).toBe('s_nvidia');
      expect(rows[0].lead.id).toBe(a);
      const drafts = (await h.api('GET', '/api/drafts?entity=nvidia', { token: h.tokens.viewer })).body.drafts;
      expect(drafts.map((d: { id: string }) => d.id)).toEqual([r]);
      expect((await h.api('GET', '/api/stories?entity=Intel', { token: h.tokens.viewer })).body.stories).toEqual([]);
    });
  });

  it('web queue: a story is one row saying "3 sources" with their names, first seen and latest, its members expandable with links; everything escaped', async () => {
    await withDesk(async (h) => {
      const { a, v } = await seedQueue(h);
      const page = (await h.api('GET', '/', { token: h.tokens.viewer })).text;
      expect(page.match(/<tr data-id="/g)).toHaveLength(3);
      expect(page).toContain(`<tr data-id="${a}" data-story="s_nvidia">`);
      expect(page).toContain('3 sources: Reuters, AP News, The Verge</span> · first seen');
      expect(page).toContain('<summary>3 items in this story</summary>');
      expect(page).toMatch(new RegExp(`<li data-member="${v}"><a href="/drafts/${v}">Nvidia buys a chip startup &lt;b&gt;for servers&lt;/b&gt;</a> — The Verge · <time[^>]*>[^<]*</time> · <a href="https://verge\\.example/news/\\d+" rel="noopener noreferrer nofollow">source link</a></li>`));
      expect(page).not.toContain('<b>for servers</b>');
      expect(page).toContain('name="entity"');
      // The live refresh's fragment renders the same rows.
      const rows = (await h.api('GET', '/fragments/rows', { token: h.tokens.viewer })).text;
      expect(rows).toContain('3 sources: Reuters, AP News, The Verge');
    });
  });
});

describe('split and move: corrections the desk remembers', () => {
  it('split: the member starts its own story, the old one is blocked for it, both records agree, audited; a lone draft cannot be split; move pins it and unblocks', async () => {
    await withDesk(async (h) => {
      const { r, a, v } = await seedQueue(h);
      const before = (await getDraft(h.redis, h.keys, v))!;
      const stale = await h.api('POST', `/api/drafts/${v}/split`, { token: h.tokens.editor, body: { version: before.version - 1 } });
      expect(stale.status).toBe(409);

      const split = await h.api('POST', `/api/drafts/${v}/split`, { token: h.tokens.editor, body: { version: before.version } });
      expect(split.status).toBe(200);
      const newId = split.body.draft.story.id as string;
      expect(newId).not.toBe('s_nvidia');
      expect(split.body.draft.story).toEqual({ id: newId, pinned: false, blocked: ['s_nvidia'] });
      const records = await getStoryRecords(h.redis, h.keys, ['s_nvidia', newId]);
      expect(records.get('s_nvidia')!.members.map((m) => m.draftId)).toEqual([r, a]);
      expect(records.get(newId)!.members).toEqual([expect.objectContaining({ draftId: v, sourceName: 'The Verge', why: 'split out by editor' })]);
      const shown = await h.api('GET', `/api/drafts/${v}`, { token: h.tokens.viewer });
      expect(shown.body.history.at(-1)).toMatchObject({ actor: 'editor', action: 'split', fromStory: 's_nvidia', story: newId });

      // The queue: the Verge item is a row of its own now; the story says 2 sources.
      const rows = (await h.api('GET', '/api/stories', { token: h.tokens.viewer })).body.stories;
      expect(rows.find((x: { storyId: string }) => x.storyId === 's_nvidia').sources).toEqual(['Reuters', 'AP News']);
      expect(rows.find((x: { storyId: string }) => x.storyId === newId).lead.id).toBe(v);

      const again = await h.api('POST', `/api/drafts/${v}/split`, { token: h.tokens.editor, body: { version: split.body.draft.version } });
      expect(again.status).toBe(409);
      expect(again.body.message).toContain('is alone in story');

      // Move it back by hand: the editor's choice wins over the block, and it is pinned there.
      const missing = await h.api('POST', `/api/drafts/${v}/move`, { token: h.tokens.editor, body: { version: split.body.draft.version, to: 's_nope' } });
      expect(missing.status).toBe(404);
      expect(missing.body.message).toContain('no story s_nope');
      const bad = await h.api('POST', `/api/drafts/${v}/move`, { token: h.tokens.editor, body: { version: split.body.draft.version, to: 'javascript:alert(1)' } });
      expect(bad.status).toBe(422);
      const moved = await h.api('POST', `/api/drafts/${v}/move`, { token: h.tokens.editor, body: { version: split.body.draft.version, to: 's_kernel' } });
      expect(moved.status).toBe(200);
      expect(moved.body.draft.story).toEqual({ id: 's_kernel', pinned: true, blocked: ['s_nvidia'] });
      const after = await getStoryRecords(h.redis, h.keys, ['s_kernel', newId]);
      expect(after.has(newId)).toBe(false);
      expect(after.get('s_kernel')!.members.at(-1)).toMatchObject({ draftId: v, why: 'moved by editor' });
      const back = await h.api('POST', `/api/drafts/${v}/move`, { token: h.tokens.editor, body: { version: moved.body.draft.version, to: 's_nvidia' } });
      expect(back.body.draft.story).toEqual({ id: 's_nvidia', pinned: true, blocked: [] });
      // Viewers cannot correct stories.
      expect((await h.api('POST', `/api/drafts/${r}/split`, { token: h.tokens.viewer, body: { version: 2 } })).status).toBe(403);
    });
  });

  it('web: the draft page lists the story and offers split and move forms that work with the session', async () => {
    await withDesk(async (h) => {
      const { v } = await seedQueue(h);
      const login = await fetch(`${h.url}/login`, { method: 'POST', body: new URLSearchParams({ token: h.tokens.editor, next: '/' }), redirect: 'manual' });
      const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
      const page = await (await fetch(`${h.url}/drafts/${v}`, { headers: { cookie } })).text();
      const csrf = /<meta name="csrf-token" content="([^"]+)">/.exec(page)![1]!;
      expect(page).toContain('Story <code>s_nvidia</code>: 3 items from 3 sources (Reuters, AP News, The Verge)');
      expect(page).toContain(`action="/drafts/${v}/split"`);
      const version = /name="version" value="(\d+)"/.exec(page)![1]!;
      const res = await fetch(`${h.url}/drafts/${v}/split`, { method: 'POST', headers: { cookie }, body: new URLSearchParams({ _csrf: csrf, version }), redirect: 'manual' });
      expect(res.status).toBe(303);
      const shown = await (await fetch(`${h.url}${res.headers.get('location')}`, { headers: { cookie } })).text();
      expect(shown).toMatch(/Split out: now alone in story s_[\w-]+; it never rejoins the story it left\./);
      expect(shown).toContain('Split out of <code>s_nvidia</code>: it never rejoins it.');
      expect(shown).toContain('split it out of story <code>s_nvidia</code> into <code>');
      const v2 = /name="version" value="(\d+)"/.exec(shown)![1]!;
      const moved = await fetch(`${h.url}/drafts/${v}/move`, { method: 'POST', headers: { cookie }, body: new URLSearchParams({ _csrf: csrf, version: v2, to: 's_nope' }), redirect: 'manual' });
      expect(moved.status).toBe(404);
    });
  });
});

describe('approving a story', () => {
  it('publishes one signal whose related coverage lists the other members\' links; they become merged into it; a member another editor holds stays pending', async () => {
    await withDesk(async (h) => {
      const { r, a, v } = await seedQueue(h);
      const extra = await seedFrom(h, { id: 'wired', name: 'Wired' }, { title: 'Nvidia deal, the Wired take' });
      await putStory(h, 's_nvidia', [extra], [20]);
      // Another source's item for the Reuters article, recorded by the pipeline: the signal lists it too.
      await h.redis.rpush(h.keys.coverage(r), JSON.stringify({ sourceId: 'ft', sourceName: 'Financial Times', headline: 'FT on the deal', link: 'https://ft.example/deal?utm_source=x', at: '2026-11-27T09:00:00.000Z', publishedAt: null }));
      await h.api('POST', `/api/drafts/${extra}/claim`, { token: h.tokens.editor2, body: {} });

      const lead = (await getDraft(h.redis, h.keys, a))!;
      const edited = await h.api('PATCH', `/api/drafts/${a}`, { token: h.tokens.editor, body: { version: lead.version, ...EDITORIAL } });
      const res = await h.api('POST', `/api/drafts/${a}/approve`, { token: h.tokens.editor, body: { version: edited.body.version } });
      expect(res.status).toBe(200);
      expect(res.body.merged.sort()).toEqual([r, v].sort());
      const related = res.body.signal.related as { sourceName: string; link: string; headline: string }[];
      expect(related.map((x) => x.sourceName).sort()).toEqual(['Financial Times', 'Reuters', 'The Verge']);
      expect(related.find((x) => x.sourceName === 'Financial Times')!.link).toBe('https://ft.example/deal');
      expect(related.find((x) => x.sourceName === 'Reuters')!.link).toMatch(/^https:\/\/reuters\.example\/news\/\d+$/);
      const signals = (await h.api('GET', '/api/signals', { token: h.tokens.viewer })).body.signals;
      expect(signals).toHaveLength(1);

      for (const id of [r, v]) {
        const m = (await getDraft(h.redis, h.keys, id))!;
        expect(m).toMatchObject({ status: 'merged', mergedInto: a, decision: { action: 'merge', by: 'editor' } });
      }
      expect((await getDraft(h.redis, h.keys, extra))!.status).toBe('pending');
      const queue = (await h.api('GET', '/api/stories', { token: h.tokens.viewer })).body.stories;
      expect(queue.map((x: { lead: { id: string } }) => x.lead.id)).toContain(extra);
      expect(queue.map((x: { lead: { id: string } }) => x.lead.id)).not.toContain(r);
      // A merged member reopened goes back to the queue; the signal stays as published.
      const merged = (await getDraft(h.redis, h.keys, v))!;
      expect((await h.api('POST', `/api/drafts/${v}/reopen`, { token: h.tokens.editor, body: { version: merged.version } })).status).toBe(200);
    });
  });
});

describe('stories under concurrent editors', () => {
  it('two editors splitting two members of one story at the same moment: both splits hold, the records agree', async () => {
    await withDesk(async (h) => {
      const { r, a, v } = await seedQueue(h);
      const [dr, dv] = [(await getDraft(h.redis, h.keys, r))!, (await getDraft(h.redis, h.keys, v))!];
      const [x, y] = await Promise.all([
        h.api('POST', `/api/drafts/${r}/split`, { token: h.tokens.editor, body: { version: dr.version } }),
        h.api('POST', `/api/drafts/${v}/split`, { token: h.tokens.editor2, body: { version: dv.version } }),
      ]);
      expect([x.status, y.status]).toEqual([200, 200]);
      const records = await getStoryRecords(h.redis, h.keys, ['s_nvidia', x.body.draft.story.id, y.body.draft.story.id]);
      expect(records.get('s_nvidia')!.members.map((m) => m.draftId)).toEqual([a]);
      expect(records.get(x.body.draft.story.id)!.members.map((m) => m.draftId)).toEqual([r]);
      expect(records.get(y.body.draft.story.id)!.members.map((m) => m.draftId)).toEqual([v]);
    });
  });

  it('two editors approving two members of one story at the same moment: one signal for the story, the other gets 409', async () => {
    await withDesk(async (h) => {
      const { r, a } = await seedQueue(h);
      const ready = async (id: string, token: string) => {
        const d = (await getDraft(h.redis, h.keys, id))!;
        return (await h.api('PATCH', `/api/drafts/${id}`, { token, body: { version: d.version, ...EDITORIAL } })).body.version as number;
      };
      const [va, vr] = [await ready(a, h.tokens.editor), await ready(r, h.tokens.editor2)];
      const results = await Promise.all([
        h.api('POST', `/api/drafts/${a}/approve`, { token: h.tokens.editor, body: { version: va } }),
        h.api('POST', `/api/drafts/${r}/approve`, { token: h.tokens.editor2, body: { version: vr } }),
      ]);
      expect(results.map((x) => x.status).sort()).toEqual([200, 409]);
      expect((await h.api('GET', '/api/signals', { token: h.tokens.viewer })).body.signals).toHaveLength(1);
      const winner = results.find((x) => x.status === 200)!.body;
      expect(winner.signal.related).toHaveLength(2);
    });
  });
});

describe('approving a story from the draft page', () => {
  it('"Save and approve" on the lead publishes once and says the story\'s other items were merged into it', async () => {
    await withDesk(async (h) => {
      const { a, r } = await seedQueue(h);
      const login = await fetch(`${h.url}/login`, { method: 'POST', body: new URLSearchParams({ token: h.tokens.editor, next: '/' }), redirect: 'manual' });
      const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
      const page = await (await fetch(`${h.url}/drafts/${a}`, { headers: { cookie } })).text();
      const csrf = /<meta name="csrf-token" content="([^"]+)">/.exec(page)![1]!;
      const version = /name="version" value="(\d+)"/.exec(page)![1]!;
      const { secondOrderEffects, winners, losers, editorialConfidence, structuralImpact, ...rest } = EDITORIAL;
      const form = new URLSearchParams({ _csrf: csrf, version, intent: 'approve', headline: 'Nvidia agrees deal for chip startup', ...rest, editorialConfidence: String(editorialConfidence), structuralImpact: String(structuralImpact), winners: winners.join('\n'), losers: losers.join('\n'), 'secondOrderEffects.direct': secondOrderEffects.direct, 'secondOrderEffects.second': secondOrderEffects.second, 'secondOrderEffects.third': secondOrderEffects.third });
      const res = await fetch(`${h.url}/drafts/${a}/edit`, { method: 'POST', headers: { cookie }, body: form, redirect: 'manual' });
      expect(res.status).toBe(303);
      const shown = await (await fetch(`${h.url}${res.headers.get('location')}`, { headers: { cookie } })).text();
      expect(shown).toContain("The story&apos;s 2 other pending items were merged into it: the signal lists their links.");
      expect((await getDraft(h.redis, h.keys, r))!.mergedInto).toBe(a);
    });
  });
});

describe('the draft page: entities, suggestion, rules, score breakdown', () => {
  it('entities link to the filter and offer winner/loser candidates that only fill the form; the suggestion has its why and the s key; the score is broken down; a live fragment renders the same', async () => {
    await withDesk(async (h) => {
      const { a } = await seedQueue(h);
      await annotate(h, a, {
        entities: [{ name: 'Nvidia', kind: 'organization', from: 'headline', count: 3 }, { name: 'Jensen <Huang>', kind: 'person', from: 'excerpt', count: 1 }],
        suggestion: { category: 'Semiconductors', from: 'taxonomy', confidence: 0.8, why: 'keywords: chip, Nvidia' },
        rules: [{ rule: 'watch-nvidia', action: 'boost', detail: "entity 'Nvidia': +10" }],
        boost: 10,
      }, [
        { name: 'source_weight', label: 'Source weight', points: 24, detail: 'AP News weighs 0.8' },
        { name: 'coverage', label: 'Coverage breadth', points: 18, detail: '3 publishers: Reuters, AP News, The Verge' },
        { name: 'rules', label: 'Rule boosts', points: 10, detail: 'watch-nvidia +10' },
      ]);
      const page = (await h.api('GET', `/drafts/${a}`, { token: h.tokens.editor })).text;
      expect(page).toContain('<a href="/?entity=Nvidia" title="drafts naming Nvidia">Nvidia</a> <span class="muted">organisation, headline, ×3</span>');
      expect(page).toContain('<button type="button" class="link" data-fill="winners" data-value="Nvidia"');
      expect(page).toContain('<button type="button" class="link" data-fill="losers" data-value="Jensen &lt;Huang&gt;"');
      expect(page).toContain('<strong class="suggested">Semiconductors</strong>');
      expect(page).toContain('Why: keywords: chip, Nvidia');
      expect(page).toContain('<button type="button" data-key="s" data-fill="category" data-value="Semiconductors">Use as Category <kbd>s</kbd></button>');
      expect(page).toContain('<dt><kbd>s</kbd></dt><dd>use the suggested category');
      expect(page).toContain('<strong>watch-nvidia</strong> (boost): entity &apos;Nvidia&apos;: +10');
      expect(page).toMatch(/<tr data-component="coverage"><th scope="row">Coverage breadth<\/th><td class="points">\+18<\/td><td>3 publishers: Reuters, AP News, The Verge<\/td><\/tr>/);
      // Candidates fill the form only: the draft's winners are still empty until the editor saves.
      expect((await getDraft(h.redis, h.keys, a))!.winners).toEqual([]);
      // A viewer sees the findings without the buttons.
      const viewer = (await h.api('GET', `/drafts/${a}`, { token: h.tokens.viewer })).text;
      expect(viewer).toContain('Semiconductors');
      expect(viewer).not.toContain('data-fill=');
      // Once Category is the suggestion, the key has nothing to do.
      const d = (await getDraft(h.redis, h.keys, a))!;
      await h.api('PATCH', `/api/drafts/${a}`, { token: h.tokens.editor, body: { version: d.version, category: 'Semiconductors' } });
      const fragment = (await h.api('GET', `/fragments/drafts/${a}/insights`, { token: h.tokens.editor })).text;
      expect(fragment).toMatch(/^<div id="insights" data-draft="d_[\w-]+" data-story="s_nvidia">/);
      expect(fragment).toContain('Category is set to it.');
      expect(fragment).not.toContain('data-key="s"');
    });
  });

  it('live: the story stage\'s event reaches open pages with its story id', async () => {
    await withDesk(async (h) => {
      const { a } = await seedQueue(h);
      const controller = new AbortController();
      try {
        const res = await fetch(`${h.url}/events`, { headers: { authorization: `Bearer ${h.tokens.viewer}` }, signal: controller.signal });
        const reader = res.body!.getReader();
        let received = '';
        const until = async (want: string) => {
          while (!received.includes(want)) {
            const { value, done } = await reader.read();
            if (done) throw new Error(`stream ended before ${want}`);
            received += new TextDecoder().decode(value);
          }
        };
        await until('retry:');
        // Subscribed once the stream is open; publish until the subscription is live (pub/sub drops earlier messages).
        const publish = setInterval(() => void h.redis.publish(h.keys.deskEvents, JSON.stringify({ type: 'story', draftId: a, storyId: 's_nvidia' })), 100);
        try {
          await until('"storyId":"s_nvidia"');
        } finally {
          clearInterval(publish);
        }
        expect(received).toContain(`event: desk\ndata: {"type":"desk","draftId":"${a}","action":"story","actor":"","storyId":"s_nvidia"}`);
      } finally {
        controller.abort();
      }
    });
  });
});

describe('CLI: stories', () => {
  it('review list shows a story as its lead with its publishers and the other items under it; split and move; show names the story', async () => {
    await withDesk(async (h) => {
      const { r, a, v } = await seedQueue(h);
      const list = sink();
      await reviewListCommand(h.settings, { limit: 10 }, list.out);
      const lines = list.text().split('\n');
      const lead = lines.findIndex((l) => l.startsWith(a));
      expect(lines[lead]).toContain('s_nvidia: 3 sources (Reuters, AP News, The Verge)');
      expect(lines[lead + 1]).toMatch(new RegExp(`^  ${r}\\s+reuters\\s+└ Nvidia to buy Arm server chip startup`));
      expect(lines[lead + 2]).toMatch(new RegExp(`^  ${v}\\s+verge\\s+└ Nvidia buys a chip startup <b>for servers</b>`));
      expect(list.text()).toContain('5 of 5 pending drafts in 3 rows (1 story of several items;');

      const json = sink();
      await reviewListCommand(h.settings, { limit: 10, json: true, stories: true }, json.out);
      expect(JSON.parse(json.text())[0]).toMatchObject({ storyId: 's_nvidia', sources: ['Reuters', 'AP News', 'The Verge'] });

      const split = sink();
      await reviewSplitCommand(h.settings, v, {}, split.out);
      expect(split.text()).toMatch(/^Split d_[\w-]+ out of story s_nvidia: it is now alone in story s_[\w-]+ and never rejoins s_nvidia\.\n$/);
      const move = sink();
      await reviewMoveCommand(h.settings, v, { to: 's_kernel' }, move.out);
      expect(move.text()).toBe(`Moved ${v} to story s_kernel (2 items), pinned there.\n`);
      const show = sink();
      await reviewShowCommand(h.settings, v, {}, show.out);
      expect(show.text()).toMatch(/story\s+s_kernel \(2 items from Ars Technica, The Verge\), moved there by an editor; split out of s_nvidia/);
      await expect(reviewMoveCommand(h.settings, v, { to: 's_gone' }, sink().out)).rejects.toThrow('no story s_gone');
    });
  });
});
