import { describe, expect, it } from 'vitest';
import { withChain, T0 } from '../helpers/chain.ts';
import { freePort, rss, startServer } from '../helpers/httpServer.ts';
import { source } from '../helpers/pipeline.ts';

const M = 60_000;
const H = 60 * M;
const feed = (n: number, gapMs: number, at = T0) => rss(Array.from({ length: n }, (_, i) => ({ guid: `g${at}-${i}`, title: `Item ${i}`, link: `https://pub.example/${at}/${i}`, date: new Date(at - i * gapMs).toUTCString() })));


describe('self-healing schedule', () => {
  it('backs off exponentially on failures up to the cap, then returns to normal after a success', async () => {
    let failing = true;
    const server = await startServer((_req, res) => (failing ? res.writeHead(500).end() : res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(feed(3, 0))));
    try {
      const src = source('flaky', server.url('/feed'), { schedule: { every: '20m', adaptive: false } });
      await withChain([src], async (h) => {
        await h.sync();
        const delays: number[] = [];
        const failures: string[] = [];
        for (let i = 0; i < 6; i++) {
          const s = await h.step('flaky');
          delays.push(Number(s.nextPollAt) - h.clock.now());
          failures.push(s.consecutiveFailures!);
        }
        // First retry after a quarter of the 20-minute interval, doubling, capped at 40 minutes (SIGNAL_DESK_BACKOFF_CAP_MS).
        expect(delays).toEqual([5 * M, 10 * M, 20 * M, 40 * M, 40 * M, 40 * M]);
        expect(failures).toEqual(['1', '2', '3', '4', '5', '6']);
        const health = (await h.health())[0]!;
        expect(health).toMatchObject({ state: 'failing', consecutiveFailures: 6, scheduleReason: 'backoff' });
        // The code apart from the message (issue 11): never "server_error: HTTP 500…" run together.
        expect(health).toMatchObject({ code: 'server_error', message: 'HTTP 500: server error', summary: '6 failed polls in a row: HTTP 500: server error' });
        expect(health.schedule).toMatchObject({ configured: 'every 20m', inForce: '40m', reason: { code: 'backoff', text: '6 failures in a row (the interval is 20m once it answers)' } });

        failing = false;
        const ok = await h.step('flaky');
        expect(ok.consecutiveFailures).toBe('0');
        expect(Number(ok.nextPollAt) - h.clock.now()).toBe(20 * M);
        expect((await h.health())[0]!.state).toBe('ok');
      }, { SIGNAL_DESK_BACKOFF_CAP_MS: String(40 * M) });
    } finally {
      await server.close();
    }
  });

  it('410 Gone pauses the source with the reason; changing its URL resumes it', async () => {
    const server = await startServer((req, res) => (req.url === '/gone' ? res.writeHead(410).end() : res.writeHead(200).end(feed(2, H))));
    try {
      const src = source('old', server.url('/gone'));
      await withChain([src], async (h) => {
        await h.sync();
        const s = await h.step('old');
        expect(s.pausedReason).toContain('410 Gone');
        expect(s.nextJobId).toBeUndefined();
        expect((await h.health())[0]).toMatchObject({ state: 'paused', nextPollAt: null });
        // The minute-by-minute check leaves it paused…
        expect((await h.sync()).paused).toEqual(['old']);
        // …until the operator points it somewhere else.
        const moved = source('old', server.url('/feed'));
        h.runtime.ctx.sources.set('old', moved);
        expect((await h.sync([moved])).resumed).toEqual(['old']);
        const back = await h.step('old');
        expect(back.pausedReason).toBeUndefined();
        expect(back.lastOutcome).toBe('ok');
      });
    } finally {
      await server.close();
    }
  });

  it('a permanent redirect is applied: later polls go straight to the new URL, and it is reported', async () => {
    const server = await startServer((req, res) => (req.url === '/old' ? res.writeHead(301, { location: '/new' }).end() : res.writeHead(200).end(feed(2, H))));
    try {
      await withChain([source('mv', server.url('/old'))], async (h) => {
        await h.sync();
        await h.step('mv');
        expect((await h.state('mv')).url).toBe(server.url('/new'));
        const before = server.requests.length;
        await h.step('mv');
        expect(server.requests.slice(before).map((r) => r.path)).toEqual(['/new']);
        expect((await h.health())[0]!.redirect).toEqual({ from: server.url('/old'), to: server.url('/new') });
      });
    } finally {
      await server.close();
    }
  });

  it('honours Retry-After per source, without counting a failure', async () => {
    const server = await startServer((_req, res) => res.writeHead(429, { 'retry-after': '7200' }).end());
    try {
      await withChain([source('busy', server.url('/feed'))], async (h) => {
        await h.sync();
        const s = await h.step('busy');
        expect(Number(s.nextPollAt) - h.clock.now()).toBe(2 * H);
        expect(s).toMatchObject({ consecutiveFailures: '0', scheduleReason: 'retry-after', lastOutcome: 'rate_limited' });
      });
    } finally {
      await server.close();
    }
  });

  it('when most sources fail with network errors at once, it is our outage: failures are not counted', async () => {
    const port = await freePort(); // nothing listens there: connections are refused
    const sources = Array.from({ length: 6 }, (_, i) => source(`s${i}`, `http://127.0.0.1:${port}/feed${i}`));
    await withChain(sources, async (h) => {
      await h.sync();
      const states = [];
      for (const s of sources) states.push(await h.step(s.id));
      // The first polls count (nothing says it is us yet); from the fourth failing source on, it is our outage.
      expect(states.map((s) => s.consecutiveFailures)).toEqual(['1', '1', '1', '0', '0', '0']);
      // The code stays the plain code; the outage is a field of its own, said in words by the health.
      expect(states[5]).toMatchObject({ lastCode: 'network', lastOutage: '1' });
      const health = (await h.health()).find((x) => x.id === 's5')!;
      expect(health).toMatchObject({ code: 'network' });
      expect(health.message).toContain('(our outage');
      expect(health.schedule.reason.code).toBe('outage');
      expect(states[5]!.scheduleReason).toBe('outage');
    });
  });

  it('flags a source quiet after several times its usual interval without a new item', async () => {
    // 25 hourly items: a day of publishing history, so the interval follows the feed (hourly).
    const server = await startServer((_req, res) => res.writeHead(200).end(feed(25, H)));
    try {
      await withChain([source('hourly', server.url('/feed'))], async (h) => {
        await h.sync();
        await h.step('hourly');
        expect((await h.health())[0]).toMatchObject({ state: 'ok', intervalMs: H, newItems24h: 25, newItems7d: 25 });
        // The same items for 7 hours (more than 4 × 1 h and the 6 h minimum): quiet.
        for (let i = 0; i < 7; i++) await h.step('hourly');
        const health = (await h.health())[0]!;
        expect(health.state).toBe('quiet');
        expect(health.summary).toMatch(/^no new item for 7 h/);
      });
    } finally {
      await server.close();
    }
  });
});

describe('adaptive intervals', () => {
  it.each([
    ['an hourly feed polls hourly', { every: '15m' }, H, H],
    ['a feed publishing every minute stays at the 5-minute minimum', { every: '15m' }, M, 5 * M],
    ['a per-source minimum holds', { every: '15m', min: '10m' }, M, 10 * M],
    ['a weekly feed stops at a per-source maximum', { every: '15m', max: '6h' }, 7 * 24 * H, 6 * H],
  ])('%s', async (_name, schedule, gap, expected) => {
    // Ten items at the feed's rhythm and one a day older: a publishing history of at least a day (issue 11).
    const items = Array.from({ length: 10 }, (_, i) => T0 - i * gap).concat(T0 - Math.max(86_400_000, 9 * gap) - gap);
    const server = await startServer((_req, res) => res.writeHead(200).end(rss(items.map((at, i) => ({ guid: `g${i}`, title: `Item ${i}`, link: `https://pub.example/${i}`, date: new Date(at).toUTCString() })))));
    try {
      await withChain([source('a', server.url('/feed'), { schedule })], async (h) => {
        await h.sync();
        const s = await h.step('a');
        expect(Number(s.intervalMs)).toBe(expected);
        expect(Number(s.nextPollAt) - h.clock.now()).toBe(expected);
        expect((await h.health())[0]!.schedule.reason.code).toBe('adaptive');
      });
    } finally {
      await server.close();
    }
  });

  it('a new "15m" source keeps 15m after one poll of 3 items 8 h apart, and adapts once it has a day of history', async () => {
    // The feed publishes every 8 hours; what it lists depends on the (injected) clock.
    let now = T0;
    const published = () => Array.from({ length: 3 + Math.floor((now - T0) / (8 * H)) }, (_, i) => T0 - 16 * H + i * 8 * H).filter((at) => at <= now);
    const server = await startServer((_req, res) => res.writeHead(200).end(rss(published().map((at) => ({ guid: `g${at}`, title: `Item ${at}`, link: `https://pub.example/${at}`, date: new Date(at).toUTCString() })))));
    try {
      await withChain([source('news', server.url('/feed'), { schedule: { every: '15m' } })], async (h) => {
        await h.sync();
        const first = await h.step('news');
        expect(first).toMatchObject({ intervalMs: String(15 * M), scheduleReason: 'learning', historyItems: '3' });
        expect(Number(first.nextPollAt) - h.clock.now()).toBe(15 * M);
        expect((await h.health())[0]!.schedule).toMatchObject({ inForce: '15m', reason: { code: 'learning', text: 'new source: configured until 5 dated items over 24h (so far 3 over 16h)' }, due: 'in 15m' });
        // A day later (the polls in between changed nothing the history needs): 3 more items, 6 over 40 h.
        h.clock.advance(24 * H);
        now = h.clock.now();
        const later = await h.step('news');
        expect(later).toMatchObject({ intervalMs: String(8 * H), scheduleReason: 'adaptive', historyItems: '6' });
        expect((await h.health())[0]!.schedule).toMatchObject({ inForce: '8h', reason: { code: 'adaptive', text: 'publishes about every 8h' } });
      });
    } finally {
      await server.close();
    }
  });

  it('is never shorter than the feed asks (Cache-Control max-age, <ttl>)', async () => {
    const server = await startServer((_req, res) => res.writeHead(200, { 'cache-control': 'max-age=10800' }).end(feed(4, M)));
    try {
      await withChain([source('cached', server.url('/feed'))], async (h) => {
        await h.sync();
        const s = await h.step('cached');
        expect(Number(s.nextPollAt) - h.clock.now()).toBe(3 * H);
        expect(s.scheduleReason).toBe('freshness');
        expect((await h.health())[0]!.schedule).toMatchObject({ inForce: '3h', reason: { code: 'freshness', text: 'cache max-age 3h' } });
      });
    } finally {
      await server.close();
    }
  });
});

describe('sources status', () => {
  it('prints a table with problems first, and JSON with every health field', async () => {
    const { statusCommand } = await import('../../src/cli/commands/sources.ts');
    const server = await startServer((req, res) => (req.url === '/bad' ? res.writeHead(500).end() : res.writeHead(200).end(feed(3, H))));
    try {
      const sources = [source('good', server.url('/feed')), source('bad', server.url('/bad')), source('later', server.url('/feed'))];
      await withChain(sources, async (h) => {
        await h.sync();
        await h.step('good');
        await h.step('bad');
        let out = '';
        const sink = { write: (s: string) => ((out += s), true) } as unknown as NodeJS.WritableStream;
        await statusCommand(h.runtime.ctx.settings, sources, {}, sink, h.clock.now());
        const lines = out.trim().split('\n');
        expect(lines[0]).toMatch(/^source\s+health\s+polled\s+ok\s+fails\s+schedule\s+in force\s+why\s+next\s+new 24h\/7d\s+dropped 24h\/7d\s+skipped 24h\/7d\s+code\s+detail$/);
        expect(lines.slice(2, 5).map((l) => l.split(/\s+/).slice(0, 2).join(' '))).toEqual(['bad failing', 'later pending', 'good ok']);
        // The schedule says why; the code has its own column, the detail is the message alone; "due now", never "in 0m".
        expect(lines[2]).toMatch(/every 15m, adaptive 5m–24h\s+3m 45s|every 15m, adaptive 5m–24h\s+4m\s+1 failure in a row/);
        expect(lines[2]).toMatch(/\s+server_error\s+1 failed poll in a row: HTTP 500: server error$/);
        expect(lines[3]).toMatch(/first poll of its chain, spread over the first minute\s+due now\s/);
        expect(lines[4]).toMatch(/\s15m\s+new source: configured until 5 dated items over 24h \(so far 3 over 2h\)\s+in 15m\s/);
        expect(out).not.toContain('in 0m');
        expect(out).toContain('3 sources, 1 need attention');
        out = '';
        await statusCommand(h.runtime.ctx.settings, sources, { json: true }, sink, h.clock.now());
        const json = JSON.parse(out);
        expect(json[0]).toMatchObject({ id: 'bad', state: 'failing', consecutiveFailures: 1, lastCode: 'server_error', scheduleReason: 'backoff', code: 'server_error', message: 'HTTP 500: server error' });
        expect(json[0].schedule).toMatchObject({ configured: 'every 15m, adaptive 5m–24h', reason: { code: 'backoff', text: '1 failure in a row (the interval is 15m once it answers)' }, dueAt: expect.stringMatching(/^2026-11-27T06:0\d:\d\d\.\d{3}Z$/) });
        expect(json[2].schedule).toMatchObject({ inForce: '15m', inForceMs: 15 * M, reason: { code: 'learning' }, due: 'in 15m' });
        expect(Object.keys(json[2])).toEqual(expect.arrayContaining(['lastAttemptAt', 'lastSuccessAt', 'lastOutcome', 'lastCode', 'lastMessage', 'consecutiveFailures', 'intervalMs', 'nextPollAt', 'newItems24h', 'newItems7d', 'lastNewItemAt', 'validators', 'redirect']));
      });
    } finally {
      await server.close();
    }
  });
});

describe('sources list', () => {
  it('shows each source\'s schedule as configured, the interval in force, why and the next poll; without Redis, the configuration alone', async () => {
    const { listCommand } = await import('../../src/cli/commands/sources.ts');
    const server = await startServer((_req, res) => res.writeHead(429, { 'retry-after': '7200' }).end());
    try {
      const sources = [source('busy', server.url('/feed')), source('fixed', server.url('/feed'), { schedule: { every: '20m', adaptive: false } }), source('hourly', server.url('/feed'), { schedule: { cron: '0 * * * *', tz: 'Europe/Paris' } })];
      await withChain(sources, async (h) => {
        await h.sync();
        await h.step('busy');
        let out = '';
        const sink = { write: (s: string) => ((out += s), true) } as unknown as NodeJS.WritableStream;
        await listCommand(sources, {}, h.runtime.ctx.settings, sink, h.clock.now());
        const lines = out.trim().split('\n');
        expect(lines[0]).toMatch(/^id\s+name\s+kind\s+schedule\s+in force\s+why\s+next\s+enabled\s+weight\s+url$/);
        expect(lines[2]).toMatch(/^busy\s+BUSY\s+auto\s+every 15m, adaptive 5m–24h\s+2h\s+server asked to wait until 2026-11-27 08:00 UTC \(Retry-After\)\s+in 2h\s+yes/);
        expect(lines[3]).toMatch(/^fixed\s+FIXED\s+auto\s+every 20m\s+30s\s+first poll of its chain, spread over the first minute\s+due now\s+yes/);
        expect(lines[4]).toMatch(/^hourly\s+HOURLY\s+auto\s+cron 0 \* \* \* \* Europe\/Paris\s+cron 0 \* \* \* \*\s+at the times the cron names \(Europe\/Paris\)\s+in 1h\s+yes/);
        out = '';
        await listCommand(sources, { json: true }, h.runtime.ctx.settings, sink, h.clock.now());
        const json = JSON.parse(out);
        expect(json[0]).toMatchObject({ id: 'busy', schedule: { every: '15m' }, scheduling: { inForce: '2h', inForceMs: 2 * H, reason: { code: 'retry-after' }, dueAt: '2026-11-27T08:00:30.000Z', due: 'in 2h' } });
        out = '';
        await listCommand(sources, {}, { ...h.runtime.ctx.settings, redisUrl: 'redis://127.0.0.1:1' }, sink, h.clock.now());
        expect(out.split('\n')[2]).toMatch(/^busy\s+BUSY\s+auto\s+every 15m, adaptive 5m–24h\s+yes/);
      });
    } finally {
      await server.close();
    }
  });
});

describe('the Sources page', () => {
  it('shows the schedule in force and why, the next poll in words, and the problem\'s code apart from its message', async () => {
    const { withDesk } = await import('../helpers/desk.ts');
    const { writeSourcesFile } = await import('../helpers/workerProcess.ts');
    const { planNextPoll } = await import('../../src/schedule/planNextPoll.ts');
    const file = writeSourcesFile([{ id: 'news', url: 'https://news.example/feed' }, { id: 'broken', url: 'https://broken.example/feed' }]);
    await withDesk(
      async (h) => {
        const now = h.clock.now();
        const base = { now, code: 'ok', baseMs: 15 * M, minMs: 5 * M, maxMs: 24 * H, adaptive: true, previousIntervalMs: undefined, failures: 0, freshnessMs: undefined, retryAfterMs: undefined, outage: false, backoffCapMs: 6 * H, random: 0.5 };
        // What recordPollOutcome stores: the plan's decision with the next poll.
        const store = async (id: string, p: ReturnType<typeof planNextPoll>, extra: Record<string, string>) =>
          h.redis.hset(h.keys.sourceState(id), { lastAttemptAt: new Date(now).toISOString(), consecutiveFailures: String(p.failures), intervalMs: String(p.intervalMs), nextPollAt: String(p.nextAt), scheduleReason: p.reason, scheduleWhy: JSON.stringify(p.why), ...extra });
        await store('news', planNextPoll({ ...base, kind: 'ok', itemDates: Array.from({ length: 6 }, (_, i) => now - i * 8 * H) }), { lastSuccessAt: new Date(now).toISOString(), lastOutcome: 'ok', lastCode: 'ok', lastMessage: '6 items, 0 new', lastNewItemAt: new Date(now).toISOString() });
        await store('broken', planNextPoll({ ...base, kind: 'transient', code: 'malformed_xml', failures: 2, itemDates: [] }), { lastOutcome: 'transient', lastCode: 'malformed_xml', lastMessage: 'the XML is malformed (unclosed tag); a truncated download or a broken feed' });
        h.clock.advance(8 * H + 5 * M); // news is now overdue
        const res = await fetch(`${h.url}/login`, { method: 'POST', body: new URLSearchParams({ token: h.tokens.viewer, next: '/' }), redirect: 'manual' });
        const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
        const page = await (await fetch(`${h.url}/sources`, { headers: { cookie } })).text();
        const row = (id: string) => new RegExp(`<tr data-state="[a-z_]+">\\s*<td><strong>${id}</strong>[\\s\\S]*?</tr>`).exec(page)![0];
        expect(row('news')).toContain('<strong>8h</strong> <span class="muted">(every 15m, adaptive 5m–24h)</span>');
        expect(row('news')).toContain('data-reason="adaptive">publishes about every 8h</div>');
        expect(row('news')).toContain('>overdue by 5m</time>');
        expect(row('broken')).toContain('data-reason="backoff">3 failures in a row (the interval is 15m once it answers)</div>');
        expect(row('broken')).toContain('<code class="health-code">malformed_xml</code> 3 failed polls in a row: the XML is malformed (unclosed tag)');
        expect(page).not.toContain('malformed_xml:');
        expect(page).not.toContain('in 0m');
      },
      { SIGNAL_DESK_SOURCES: file },
    );
  });
});

describe('chains of polls', () => {
  it('keep exactly one pending poll per source, restart a broken chain, and stop for removed sources', async () => {
    const server = await startServer((_req, res) => res.writeHead(200).end(feed(2, H)));
    try {
      const sources = Array.from({ length: 5 }, (_, i) => source(`c${i}`, server.url(`/feed${i}`)));
      await withChain(sources, async (h) => {
        const queue = h.runtime.ctx.queues.poll;
        // Several processes starting at once.
        await Promise.all([h.sync(), h.sync(), h.sync(), h.sync()]);
        const pending = async () => (await queue.getJobs(['wait', 'delayed', 'active'])).filter((j) => j.name === 'poll').map((j) => j.data.sourceId).sort();
        expect(await pending()).toEqual(['c0', 'c1', 'c2', 'c3', 'c4']);

        // A chain that broke (its pending poll deleted by hand) is restarted by the next check.
        const broken = await h.state('c2');
        await (await queue.getJob(broken.nextJobId!))!.remove();
        const report = await h.sync();
        expect(report.started).toEqual(['c2']);
        expect(report.running.sort()).toEqual(['c0', 'c1', 'c3', 'c4']);

        // A removed source loses its pending poll.
        const stopped = await h.sync(sources.filter((s) => s.id !== 'c4'));
        expect(stopped.stopped).toEqual(['c4']);
        expect(await pending()).toEqual(['c0', 'c1', 'c2', 'c3']);

        // A poll queues exactly one successor.
        const s = await h.step('c0');
        expect(s.nextJobId).toMatch(/^p-c0-\d+$/);
        expect((await pending()).filter((id) => id === 'c0')).toHaveLength(1);
      });
    } finally {
      await server.close();
    }
  });
});

describe('listing-page sources (kind: html)', () => {
  const cards = (n: number) => `<html><head><title>Wire</title></head><body>${Array.from({ length: n }, (_, i) => `<article class="card"><h2><a href="/story/${i}">Story ${i}</a></h2><time datetime="2026-11-27T0${i}:00:00Z"></time></article>`).join('')}</body></html>`;
  const selectors = { item: 'article.card', title: 'h2', date: 'time' };

  it('turn a page into drafts like a feed, and say selectors_broken when the page stops matching', async () => {
    let redesigned = false;
    const server = await startServer((req, res) => {
      if (req.url === '/robots.txt') return res.writeHead(200, { 'content-type': 'text/plain' }).end('User-agent: *\nDisallow: /admin\n');
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(redesigned ? '<html><body><div class="tile"><h3>Story</h3></div></body></html>' : cards(3));
    });
    try {
      await withChain([source('wire', server.url('/latest'), { kind: 'html', selectors })], async (h) => {
        await h.sync();
        const s = await h.step('wire');
        expect(s).toMatchObject({ lastOutcome: 'ok', lastMessage: '3 items, 3 new' });
        expect(server.requests.find((r) => r.path === '/latest')!.headers.accept).toContain('text/html');
        redesigned = true;
        const broken = await h.step('wire');
        expect(broken.lastCode).toBe('selectors_broken');
        const health = (await h.health())[0]!;
        expect(health.state).toBe('selectors_broken');
        expect(health.summary).toContain('the item selector "article.card" matches nothing on the page');
        // It keeps being polled (with backoff): a fixed page or fixed selectors bring it back.
        expect(Number(broken.nextPollAt)).toBeGreaterThan(h.clock.now());
        redesigned = false;
        expect((await h.step('wire')).lastOutcome).toBe('ok');
        expect(server.requests.filter((r) => r.path === '/robots.txt')).toHaveLength(1); // cached per host
      });
    } finally {
      await server.close();
    }
  });

  it('honour robots.txt: a disallowed page is not fetched, and the health says why', async () => {
    const server = await startServer((req, res) => {
      if (req.url === '/robots.txt') return res.writeHead(200).end('User-agent: SignalDesk\nDisallow: /private/\n');
      res.writeHead(200).end(cards(2));
    });
    try {
      await withChain([source('priv', server.url('/private/list'), { kind: 'html', selectors })], async (h) => {
        await h.sync();
        const s = await h.step('priv');
        expect(s.lastCode).toBe('robots_disallowed');
        expect((await h.health())[0]!.summary).toContain('robots.txt of');
        expect(server.requests.map((r) => r.path)).toEqual(['/robots.txt']);
      });
    } finally {
      await server.close();
    }
  });
});
