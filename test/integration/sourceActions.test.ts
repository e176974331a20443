import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { Job, Queue } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { auditCommand } from '../../src/cli/commands/sources.ts';
import { fixedClock } from '../../src/clock.ts';
import { loadSources } from '../../src/config/loadSources.ts';
import { watchSourcesFile } from '../../src/config/watchSources.ts';
import { DeskError } from '../../src/errors.ts';
import { createRedis } from '../../src/queue/connection.ts';
import { createKeys } from '../../src/queue/keys.ts';
import { POLL_QUEUE } from '../../src/queue/jobs.ts';
import { runSourceAction, type SourceActionDeps } from '../../src/sources/sourceActions.ts';
import { readSourceActions } from '../../src/sources/sourceAudit.ts';
import { syncSources } from '../../src/schedule/chain.ts';
import { withChain, T0 } from '../helpers/chain.ts';
import { withDesk } from '../helpers/desk.ts';
import { withPipeline } from '../helpers/pipeline.ts';
import { rss, startServer } from '../helpers/httpServer.ts';
import { dropPrefix, testPrefix, testSettings } from '../helpers/redis.ts';

const op = { name: 'olga', role: 'operator' as const };

function sourcesFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'sd-actions-')), 'sources.yaml');
  writeFileSync(file, text);
  return file;
}

const FILE = `# Our sources: keep this comment.
sources:
  # the chain source
  - id: chained
    name: Chained # inline comment
    url: URL/feed
    schedule: { every: 15m }
  - id: cronned
    name: Cronned
    url: URL/feed?cron
    schedule: { cron: "0 * * * *" }
`;

/** Service deps over a fresh prefix with no worker: what the action leaves in Redis and the queue is read directly. */
async function withService(text: string, fn: (d: SourceActionDeps & { file: string }) => Promise<void>): Promise<void> {
  const prefix = testPrefix();
  const file = sourcesFile(text);
  const settings = testSettings(prefix, { SIGNAL_DESK_SOURCES: file });
  const redis = createRedis(settings.redisUrl);
  const queue = new Queue(POLL_QUEUE, { connection: redis, prefix: settings.prefix });
  try {
    await fn({ redis, keys: createKeys(prefix), queue, settings, clock: fixedClock(T0), file });
  } finally {
    await queue.close();
    await redis.quit();
    await dropPrefix(prefix);
  }
}

const refusal = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => (e instanceof DeskError ? { status: e.status, message: e.message } : Promise.reject(e)));

describe('source actions: pause, resume and poll now with real workers', () => {
  it('a paused source is not polled (chain stopped, a cron or one-off poll skipped) until resumed; poll now runs the chain\'s own next poll', async () => {
    let hits = 0;
    const server = await startServer((_req, res) => {
      hits++;
      res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rss([{ guid: `g${hits}`, title: `Item ${hits}`, link: `https://pub.example/${hits}` }]));
    });
    const file = sourcesFile(FILE.replaceAll('URL', server.origin));
    const env = { SIGNAL_DESK_SOURCES: file };
    const sources = await loadSources(file, testSettings(testPrefix(), env));
    try {
      await withChain(
        sources.filter((s) => s.id === 'chained'),
        async (h) => {
          const { redis, queues, settings, keys } = h.runtime.ctx;
          const deps: SourceActionDeps = { redis, keys, queue: queues.poll, settings, clock: h.clock };
          await h.sync();
          await h.step('chained');
          expect(hits).toBe(1);

          expect(await runSourceAction(deps, op, 'cli', 'pause', 'chained')).toMatchObject({ result: 'done' });
          const paused = await h.state('chained');
          expect(paused.pausedBy).toBe('olga');
          expect(paused.nextPollAt).toBeUndefined();
          expect(await Job.fromId(queues.poll, paused.nextJobId!)).toBeUndefined(); // the chain's pending poll removed
          const health = (await h.health()).find((x) => x.id === 'chained')!;
          expect(health.state).toBe('paused');
          expect(health.summary).toBe('paused by olga (2026-11-27 06:00 UTC): `signal-desk sources resume chained` polls it again');
          // The minute-by-minute check leaves it paused (a 410 pause would be lifted by a URL change; this one is not).
          expect((await h.sync()).paused).toEqual(['chained']);
          expect(await runSourceAction(deps, op, 'cli', 'pause', 'chained')).toMatchObject({ result: 'unchanged' });
          // A poll that arrives anyway (a cron schedule's, a run --once's) is skipped without a fetch.
          const stray = await queues.poll.add('poll', { sourceId: 'chained' }, { jobId: 'stray-1' });
          await expect.poll(async () => stray.getState(), { timeout: 10_000 }).toBe('completed');
          expect((await Job.fromId(queues.poll, 'stray-1'))!.returnvalue).toMatchObject({ code: 'paused', message: 'paused by olga: not polled (signal-desk sources resume chained)' });
          expect(hits).toBe(1);
          expect(await refusal(runSourceAction(deps, op, 'cli', 'poll', 'chained'))).toEqual({ status: 409, message: 'chained is paused (by olga): `signal-desk sources resume chained` first' });

          expect(await runSourceAction(deps, op, 'api', 'resume', 'chained')).toMatchObject({ result: 'done' });
          const resumed = await h.state('chained');
          expect(resumed.pausedBy).toBeUndefined();
          expect(resumed.pausedReason).toBeUndefined();
          expect(resumed.nextJobId).toMatch(/^p-chained-\d+$/);
          // Poll now: the chain's next (delayed) poll is promoted, the same job, so no second chain.
          const next = resumed.nextJobId!;
          expect((await runSourceAction(deps, op, 'desk', 'poll', 'chained')).message).toContain(`its next scheduled poll (job ${next}) was moved to now`);
          await expect.poll(async () => (await Job.fromId(queues.poll, next))!.getState(), { timeout: 10_000 }).toBe('completed');
          expect(hits).toBe(2);

          const audit = await readSourceActions(redis, keys);
          expect(audit.map((e) => [e.via, e.action, e.result])).toEqual([
            ['desk', 'poll', 'done'],
            ['api', 'resume', 'done'],
            ['cli', 'poll', 'refused'],
            ['cli', 'pause', 'unchanged'],
            ['cli', 'pause', 'done'],
          ]);
          expect(audit.every((e) => e.actor === 'olga' && e.role === 'operator')).toBe(true);
          expect(audit.at(-1)!.at).toBe(new Date(T0 + 30_000).toISOString()); // the test clock, at the chain's first poll
        },
        env,
      );
    } finally {
      await server.close();
    }
  });
});

describe('source actions: run --once and a paused source', () => {
  it('run --once skips a paused source (no fetch) and reports it as paused; the others are polled', async () => {
    let hits = 0;
    const server = await startServer((_req, res) => {
      hits++;
      res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rss([{ guid: 'g', title: 'Item', link: 'https://pub.example/1' }]));
    });
    try {
      const file = sourcesFile(FILE.replaceAll('URL', server.origin));
      const env = { SIGNAL_DESK_SOURCES: file };
      const sources = await loadSources(file, testSettings(testPrefix(), env));
      await withPipeline(
        sources,
        async (p) => {
          const { redis, keys, queues } = p.runtime.ctx;
          await runSourceAction({ redis, keys, queue: queues.poll, settings: p.settings, clock: fixedClock(T0) }, op, 'cli', 'pause', 'chained');
          const summaries = await p.once();
          expect(summaries.map((s) => [s.sourceId, s.outcome, s.code])).toEqual([
            ['chained', 'not_modified', 'paused'],
            ['cronned', 'ok', 'ok'],
          ]);
          expect(hits).toBe(1);
          expect((await p.state('chained')).lastAttemptAt).toBeUndefined(); // not a poll: no health written
        },
        env,
      );
    } finally {
      await server.close();
    }
  });
});

describe('source actions: poll now never queues a second poll', () => {
  it('a chain source: the delayed next poll is promoted once, then "already due"; a cron source: one job, deduplicated until it finished', async () => {
    await withService(FILE.replaceAll('URL', 'https://pub.example'), async (d) => {
      const sources = await loadSources(d.file, d.settings);
      await syncSources({ ...d, now: d.clock.now(), random: () => 0.5 }, sources);
      const first = await runSourceAction(d, op, 'cli', 'poll', 'chained');
      expect(first.result).toBe('done');
      const second = await runSourceAction(d, op, 'cli', 'poll', 'chained');
      expect(second).toMatchObject({ result: 'unchanged' });
      expect(second.message).toMatch(/^chained's poll is already due \(job p-chained-\d+\)/);
      expect((await d.queue.getJobs(['waiting'])).filter((j) => j.data.sourceId === 'chained')).toHaveLength(1);

      const cron = await runSourceAction(d, op, 'cli', 'poll', 'cronned');
      expect(cron.message).toMatch(/^cronned: a poll was queued \(job now-cronned-\d+\)/);
      expect(cron.message).toMatch(/No worker is running now: it is polled when `signal-desk run` starts$/);
      const again = await runSourceAction(d, op, 'cli', 'poll', 'cronned');
      expect(again.result).toBe('unchanged');
      const waiting = (await d.queue.getJobs(['waiting'])).filter((j) => j.data.sourceId === 'cronned');
      expect(waiting.map((j) => [j.name, j.data])).toEqual([['poll', { sourceId: 'cronned' }]]); // what a cron scheduler queues
    });
  });

  it('refuses a disabled source and an unknown id (audited), and an actor who is not an operator', async () => {
    await withService('sources:\n  - { id: off, name: Off, url: "https://off.example/feed", enabled: false }\n', async (d) => {
      expect(await refusal(runSourceAction(d, op, 'cli', 'poll', 'off'))).toEqual({ status: 409, message: 'off is disabled in the sources file: `signal-desk sources enable off` first' });
      expect((await refusal(runSourceAction(d, op, 'cli', 'pause', 'nope')))?.status).toBe(404);
      expect(await refusal(runSourceAction(d, { name: 'ed', role: 'editor' }, 'api', 'poll', 'off'))).toEqual({ status: 403, message: 'ed (role editor) cannot manage sources: needs role operator' });
      expect((await readSourceActions(d.redis, d.keys)).map((e) => [e.action, e.sourceId, e.result])).toEqual([
        ['pause', 'nope', 'refused'],
        ['poll', 'off', 'refused'],
      ]);
    });
  });
});

describe('source actions: disable, enable and remove edit the sources file', () => {
  it('writes enabled: false, then takes it out again, then removes the source, every comment kept and the file valid', async () => {
    await withService(FILE.replaceAll('URL', 'https://pub.example'), async (d) => {
      expect((await runSourceAction(d, op, 'cli', 'disable', 'chained')).message).toBe(`chained disabled (enabled: false) in ${d.file}; a running \`signal-desk run\` reloads the file by itself`);
      let text = readFileSync(d.file, 'utf8');
      expect(text).toContain('# Our sources: keep this comment.');
      expect(text).toContain('name: Chained # inline comment');
      expect((await loadSources(d.file)).find((s) => s.id === 'chained')!.enabled).toBe(false);
      expect(await runSourceAction(d, op, 'cli', 'disable', 'chained')).toMatchObject({ result: 'unchanged' });

      expect(await runSourceAction(d, op, 'cli', 'enable', 'chained')).toMatchObject({ result: 'done' });
      expect(readFileSync(d.file, 'utf8')).not.toContain('enabled');
      expect((await loadSources(d.file)).find((s) => s.id === 'chained')!.enabled).toBe(true);

      expect((await runSourceAction(d, op, 'cli', 'remove', 'cronned')).message).toContain('cronned removed from');
      text = readFileSync(d.file, 'utf8');
      expect(text).toContain('# the chain source');
      expect((await loadSources(d.file)).map((s) => s.id)).toEqual(['chained']);
      expect((await refusal(runSourceAction(d, op, 'cli', 'remove', 'cronned')))?.status).toBe(404);
    });
  });

  it('the edit is one atomic replace that a running run\'s watcher sees (so the change takes effect live)', async () => {
    await withService(FILE.replaceAll('URL', 'https://pub.example'), async (d) => {
      let changes = 0;
      const stop = watchSourcesFile(d.file, () => changes++, 50);
      try {
        await runSourceAction(d, op, 'cli', 'disable', 'cronned');
        await expect.poll(() => changes, { timeout: 5000 }).toBeGreaterThan(0);
        expect((await loadSources(d.file)).find((s) => s.id === 'cronned')!.enabled).toBe(false);
      } finally {
        stop();
      }
    });
  });

  it('when this process has no sources file, actions are refused saying so (409), not a 500', async () => {
    await withService('sources: []\n', async (d) => {
      const missing = join(dirname(d.file), 'elsewhere.yaml');
      const deps = { ...d, settings: { ...d.settings, sourcesFile: missing } };
      const refused = await refusal(runSourceAction(deps, op, 'desk', 'disable', 'x'));
      expect(refused?.status).toBe(409);
      expect(refused?.message).toContain(`the sources file ${missing} cannot be read as it is`);
    });
  });

  it('sources disable from the CLI, run by a user who cannot write the file: exit 1, says read-only, file unchanged, audited', async () => {
    const prefix = testPrefix();
    const file = sourcesFile('sources:\n  - { id: alpha, name: Alpha, url: "https://alpha.example/feed" }\n');
    const before = readFileSync(file, 'utf8');
    chmodSync(file, 0o444);
    chmodSync(dirname(file), 0o555);
    // As root every file is writable: the CLI then runs as "nobody", for whom this one is not.
    const asOther = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    const env = { ...process.env, REDIS_URL: testSettings(prefix).redisUrl, SIGNAL_DESK_PREFIX: prefix, SIGNAL_DESK_SOURCES: file, SIGNAL_DESK_LOG_LEVEL: 'silent', HOME: tmpdir() };
    const run = (args: string[]) =>
      promisify(execFile)(process.execPath, ['bin/signal-desk.js', ...args], { env, ...asOther }).then(
        (r) => ({ code: 0, ...r }),
        (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
      );
    try {
      const r = await run(['sources', 'disable', 'alpha']);
      expect(r.stderr).toContain(`cannot disable alpha from here: ${file} is read-only for this process (EACCES)`);
      expect(r.code).toBe(1);
      expect(readFileSync(file, 'utf8')).toBe(before);
      const redis = createRedis(testSettings(prefix).redisUrl);
      const [entry] = await readSourceActions(redis, createKeys(prefix)).finally(() => redis.quit());
      expect(entry).toMatchObject({ via: 'cli', action: 'disable', sourceId: 'alpha', result: 'refused', role: 'operator' });
      expect(entry!.actor).toMatch(/^cli:/);
      let table = '';
      await auditCommand(testSettings(prefix), undefined, {}, { write: (t: string) => ((table += t), true) } as unknown as NodeJS.WritableStream);
      expect(table).toMatch(/cli:\S+\s+cli\s+disable\s+alpha\s+refused\s+cannot disable alpha from here/);
    } finally {
      chmodSync(dirname(file), 0o755);
      await dropPrefix(prefix);
    }
  });
});

describe('source actions over the API and on the Sources page', () => {
  it('operators act over the API (audited as api); editors get 403, no credentials 401; the page has the forms with CSRF and the audit', async () => {
    const file = sourcesFile('# keep me\nsources:\n  - { id: alpha, name: Alpha, url: "https://alpha.example/feed" }\n  - { id: beta, name: Beta, url: "https://beta.example/feed" }\n');
    await withDesk(
      async (h) => {
        for (const [method, path] of [['POST', '/api/sources/alpha/pause'], ['POST', '/api/sources/alpha/disable'], ['DELETE', '/api/sources/alpha'], ['GET', '/api/sources/actions']] as const) {
          expect((await h.api(method, path)).status, `${method} ${path}`).toBe(401);
          expect((await h.api(method, path, { token: h.tokens.editor })).status, `${method} ${path}`).toBe(403);
          expect((await h.api(method, path, { token: h.tokens.viewer })).status, `${method} ${path}`).toBe(403);
        }
        expect(readFileSync(file, 'utf8')).toContain('id: alpha');
        const paused = await h.api('POST', '/api/sources/alpha/pause', { token: h.tokens.operator });
        expect(paused.status).toBe(200);
        expect(paused.body).toMatchObject({ id: 'alpha', action: 'pause', result: 'done' });
        expect(await h.redis.hget(h.keys.sourceState('alpha'), 'pausedBy')).toBe('operator');
        expect((await h.api('POST', '/api/sources/alpha/disable', { token: h.tokens.operator })).body.result).toBe('done');
        expect((await h.api('DELETE', '/api/sources/beta', { token: h.tokens.operator })).body.result).toBe('done');
        expect((await h.api('DELETE', '/api/sources/beta', { token: h.tokens.operator })).status).toBe(404);
        const audit = await h.api('GET', '/api/sources/actions?limit=10', { token: h.tokens.operator });
        expect(audit.body.map((e: { action: string; result: string; via: string; actor: string }) => [e.actor, e.via, e.action, e.result])).toEqual([
          ['operator', 'api', 'remove', 'refused'],
          ['operator', 'api', 'remove', 'done'],
          ['operator', 'api', 'disable', 'done'],
          ['operator', 'api', 'pause', 'done'],
        ]);
        expect(readFileSync(file, 'utf8')).toMatch(/^# keep me\n/);
        const docs = (await h.api('GET', '/docs/json')).body;
        expect(Object.keys(docs.paths)).toEqual(expect.arrayContaining(['/api/sources/{id}/poll', '/api/sources/{id}/pause', '/api/sources/{id}/resume', '/api/sources/{id}/disable', '/api/sources/{id}/enable', '/api/sources/{id}', '/api/sources/actions']));
        expect(Object.keys(docs.paths).filter((p) => p.startsWith('/sources/'))).toEqual([]); // the page forms are not API

        // The page: an operator sees the actions, with the page's CSRF token in every form.
        const login = await fetch(`${h.url}/login`, { method: 'POST', body: new URLSearchParams({ token: h.tokens.operator, next: '/sources' }), redirect: 'manual' });
        const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
        const page = await (await fetch(`${h.url}/sources`, { headers: { cookie } })).text();
        const csrf = /<meta name="csrf-token" content="([^"]+)">/.exec(page)![1]!;
        expect(page).toContain('Operator actions');
        expect(page).toContain('<form method="post" action="/sources/alpha/resume" class="inline">');
        expect(page).toContain('<form method="post" action="/sources/alpha/enable" class="inline">');
        expect(page.match(/name="_csrf" value="([^"]+)"/g)!.every((m) => m.includes(csrf))).toBe(true);
        expect(page).toMatch(/<td>operator <span class="muted">\(api\)<\/span><\/td><td>pause<\/td><td>alpha<\/td>/);
        const post = (path: string, fields: Record<string, string>) => fetch(`${h.url}${path}`, { method: 'POST', headers: { cookie }, body: new URLSearchParams({ _csrf: csrf, ...fields }), redirect: 'manual' });
        const resumed = await post('/sources/alpha/resume', {});
        expect(resumed.status).toBe(303);
        expect(resumed.headers.get('location')).toBe('/sources?done=resumed&source=alpha');
        expect((await post('/sources/alpha/pause', { _csrf: 'wrong' })).status).toBe(403); // another page's token
        const noCsrf = await fetch(`${h.url}/sources/alpha/pause`, { method: 'POST', headers: { cookie }, body: new URLSearchParams({}), redirect: 'manual' });
        expect(noCsrf.status).toBe(403);
        expect(await h.redis.hget(h.keys.sourceState('alpha'), 'pausedBy')).toBeNull();
        const unconfirmed = await post('/sources/alpha/remove', {});
        expect(unconfirmed.status).toBe(422);
        expect(await unconfirmed.text()).toContain('tick &quot;remove alpha&quot; to confirm');
        const enabled = await post('/sources/alpha/enable', {});
        expect(enabled.headers.get('location')).toBe('/sources?done=enabled&source=alpha');
        expect(await (await fetch(`${h.url}/sources?done=enabled&source=alpha`, { headers: { cookie } })).text()).toContain('alpha enabled in the sources file; a running run reloads it.');
        const removed = await post('/sources/alpha/remove', { confirm: 'yes' });
        expect(removed.headers.get('location')).toBe('/sources?done=removed&source=alpha');
        expect((await loadSources(file)).map((s) => s.id)).toEqual([]);
        const last = await h.api('GET', '/api/sources/actions?limit=3', { token: h.tokens.operator });
        expect(last.body.map((e: { via: string; action: string; result: string }) => [e.via, e.action, e.result])).toEqual([
          ['desk', 'remove', 'done'],
          ['desk', 'enable', 'done'],
          ['desk', 'resume', 'done'],
        ]);

        // An editor sees no operator section.
        const edLogin = await fetch(`${h.url}/login`, { method: 'POST', body: new URLSearchParams({ token: h.tokens.editor, next: '/sources' }), redirect: 'manual' });
        const edPage = await (await fetch(`${h.url}/sources`, { headers: { cookie: edLogin.headers.get('set-cookie')!.split(';')[0]! } })).text();
        expect(edPage).not.toContain('Operator actions');
      },
      { SIGNAL_DESK_SOURCES: file },
    );
  });
});
