import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rss, startServer, type TestServer } from '../helpers/httpServer.ts';
import { dropPrefix, REDIS_URL, testPrefix } from '../helpers/redis.ts';
import { writeSourcesFile } from '../helpers/workerProcess.ts';

const run = promisify(execFile);
const prefixes: string[] = [];
let server: TestServer;
/** What /flaky answers: a feed, or a 404. */
let flakyBroken = true;
/** How long /slow takes to answer, so the logged fetch time has a floor no load can lower. */
const SLOW_MS = 400;

beforeAll(async () => {
  server = await startServer((req, res) => {
    const feed = (id: string) => rss([{ guid: `${id}-1`, title: `${id} story`, link: `https://pub.example/${id}/1` }]);
    if (req.url === '/robots.txt') return res.writeHead(404).end();
    if (req.url === '/broken') return res.writeHead(404).end();
    if (req.url === '/flaky') return flakyBroken ? res.writeHead(404).end() : res.writeHead(200).end(feed('flaky'));
    if (req.url === '/slow') return void setTimeout(() => res.writeHead(200).end(feed('slow')), SLOW_MS);
    res.writeHead(200).end(feed('good'));
  });
});
afterAll(async () => {
  await server.close();
  for (const p of prefixes) await dropPrefix(p);
});

/**
 * `signal-desk run --once` as cron runs it: no SIGNAL_DESK_LOG_LEVEL (test helpers set one), no contact URL.
 * `env` values of undefined remove the variable.
 */
function cron(prefix: string, args: string[], env: Record<string, string | undefined> = {}, cwd?: string) {
  const merged: Record<string, string | undefined> = { ...process.env, REDIS_URL, SIGNAL_DESK_PREFIX: prefix, SIGNAL_DESK_ALLOW_PRIVATE: '127.0.0.1', SIGNAL_DESK_HOST_DELAY_MS: '0', SIGNAL_DESK_ENRICH: 'off', SIGNAL_DESK_LOG_LEVEL: undefined, SIGNAL_DESK_LOG_FILE: undefined, SIGNAL_DESK_CONTACT_URL: undefined, ...env };
  const clean = Object.fromEntries(Object.entries(merged).filter(([, v]) => v !== undefined)) as Record<string, string>;
  return run(process.execPath, [resolve('bin/signal-desk.js'), 'run', '--once', ...args], { env: clean, cwd }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
}
const fresh = () => {
  const p = testPrefix();
  prefixes.push(p);
  return p;
};
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
/** Every stderr line a cron mail may show: the start, one per source, and the operator's warnings, all readable. */
const PROGRESS = /^(Polling \d+ sources?…|\[\d+\/\d+\] [\w-]+: (ok|not_modified|rate_limited|failed|cancelled)\b.*|warning: \S.*)$/;
const jsonLines = (text: string) => text.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);

describe('run --once for cron (issue 11, item 9)', () => {
  it('stderr holds progress lines only (no JSON logs); the summary table stays on stdout', async () => {
    const file = writeSourcesFile([{ id: 'good', url: server.url('/feed') }, { id: 'broken', url: server.url('/broken') }]);
    const r = await cron(fresh(), ['--sources', file]);
    expect(r.code).toBe(1);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines.filter((l) => !PROGRESS.test(l)), r.stderr).toEqual([]);
    expect(lines).toContain('Polling 2 sources…');
    expect(lines.filter((l) => l.startsWith('['))).toHaveLength(2);
    expect(r.stderr).toMatch(/^\[\d\/2\] good: ok, 1 new$/m);
    expect(r.stderr).toMatch(/^\[\d\/2\] broken: failed \(\w+\)$/m);
    // The warning the operator must see is a readable line, not a JSON record.
    expect(r.stderr).toContain('warning: SIGNAL_DESK_CONTACT_URL is not set');
    expect(r.stdout).toMatch(/^source\s+outcome\s+new/m);
    expect(r.stdout).toContain('2 sources, 1 new drafts, 1 failed');
  });

  it('--log-file gets the JSON logs with ISO 8601 times, the fetch time apart from the politeness wait; stderr keeps its progress lines', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sd-log-'));
    const log = join(dir, 'run.log');
    writeFileSync(log, '{"earlier":"line"}\n');
    const file = writeSourcesFile([{ id: 'slow', url: server.url('/slow') }]);
    const r = await cron(fresh(), ['--sources', file, '--log-file', log]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr.trimEnd().split('\n').filter((l) => !PROGRESS.test(l))).toEqual([]);
    const lines = jsonLines(readFileSync(log, 'utf8'));
    expect(lines[0]).toEqual({ earlier: 'line' }); // appended, not truncated
    for (const l of lines.slice(1)) expect(l.time, JSON.stringify(l)).toMatch(ISO);
    const polled = lines.find((l) => l.msg === 'polled' && l.source_id === 'slow')!;
    expect(polled, JSON.stringify(lines)).toBeDefined();
    expect(polled.fetch_ms as number).toBeGreaterThanOrEqual(SLOW_MS - 5);
    expect(typeof polled.wait_ms).toBe('number');
    expect(polled.wait_ms as number).toBeGreaterThanOrEqual(0);
    // The fetch and the wait are parts of the poll, neither counted in the other.
    expect((polled.fetch_ms as number) + (polled.wait_ms as number)).toBeLessThanOrEqual((polled.total_ms as number) + 2);
    expect(polled).not.toHaveProperty('ms');
  });

  it('SIGNAL_DESK_LOG_FILE does the same as --log-file', async () => {
    const log = join(mkdtempSync(join(tmpdir(), 'sd-log-')), 'env.log');
    const r = await cron(fresh(), ['--sources', writeSourcesFile([{ id: 'good', url: server.url('/feed') }])], { SIGNAL_DESK_LOG_FILE: log });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toContain('{');
    expect(jsonLines(readFileSync(log, 'utf8')).some((l) => l.msg === 'polled' && l.source_id === 'good')).toBe(true);
  });

  it('--verbose, or SIGNAL_DESK_LOG_LEVEL set, shows the JSON logs on stderr, times in ISO 8601', { timeout: 90_000 }, async () => {
    const file = writeSourcesFile([{ id: 'good', url: server.url('/feed') }]);
    for (const [args, env] of [[['--verbose'], {}], [[], { SIGNAL_DESK_LOG_LEVEL: 'info' }]] as const) {
      const r = await cron(fresh(), ['--sources', file, ...args], env);
      expect(r.code, r.stderr).toBe(0);
      const lines = jsonLines(r.stderr);
      const polled = lines.find((l) => l.msg === 'polled');
      expect(polled, r.stderr).toMatchObject({ source_id: 'good', outcome: 'ok' });
      for (const l of lines) expect(l.time).toMatch(ISO);
      expect(r.stderr).toMatch(/^\[1\/1\] good: ok, 1 new$/m);
    }
  });

  it('--fail-on new exits 1 only when a source starts failing; one failing since earlier runs does not fail the run', { timeout: 180_000 }, async () => {
    const prefix = fresh();
    flakyBroken = true;
    const file = writeSourcesFile([{ id: 'good', url: server.url('/feed') }, { id: 'flaky', url: server.url('/flaky') }]);
    const first = await cron(prefix, ['--sources', file, '--fail-on', 'new']);
    expect(first.code, first.stdout).toBe(1); // never polled before: it starts failing now
    expect(first.stdout).toMatch(/, 1 failed, in /);
    const second = await cron(prefix, ['--sources', file, '--fail-on', 'new']);
    expect(second.code, second.stdout).toBe(0);
    expect(second.stdout).toContain('1 failed (1 already failing before this run: flaky)');
    // The default is unchanged: any failure fails the run.
    const any = await cron(prefix, ['--sources', file]);
    expect(any.code).toBe(1);
    expect(any.stdout).toMatch(/, 1 failed, in /);
    // Healthy again, then broken again: that is news.
    flakyBroken = false;
    expect((await cron(prefix, ['--sources', file, '--fail-on', 'new'])).code).toBe(0);
    flakyBroken = true;
    const again = await cron(prefix, ['--sources', file, '--fail-on', 'new']);
    expect(again.code, again.stdout).toBe(1);
  });

  it('--fail-on refuses anything but any or new', async () => {
    const r = await cron(fresh(), ['--sources', writeSourcesFile([]), '--fail-on', 'sometimes']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("argument 'sometimes' is invalid. Allowed choices are any, new.");
  });

  it('names every file in its errors by its absolute path, wherever it was started from', { timeout: 150_000 }, async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'sd-cwd-'));
    const missing = await cron(fresh(), ['--sources', 'nowhere/sources.yaml'], {}, cwd);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`${join(cwd, 'nowhere/sources.yaml')}: cannot read the sources file (ENOENT)`);

    writeFileSync(join(cwd, 'sources.yaml'), 'sources: []\n');
    writeFileSync(join(cwd, 'rules.yaml'), 'rules:\n  - name: [x\n');
    const rules = await cron(fresh(), ['--sources', 'sources.yaml'], { SIGNAL_DESK_RULES: 'rules.yaml' }, cwd);
    expect(rules.code).toBe(1);
    expect(rules.stderr).toMatch(new RegExp(`^${join(cwd, 'rules.yaml')}:\\d+: YAML syntax: `, 'm'));

    writeFileSync(join(cwd, 'categories.yaml'), 'categories: [\n');
    const categories = await cron(fresh(), ['--sources', 'sources.yaml'], { SIGNAL_DESK_CATEGORIES: 'categories.yaml' }, cwd);
    expect(categories.code).toBe(1);
    expect(categories.stderr).toMatch(new RegExp(`^${join(cwd, 'categories.yaml')}:\\d+: YAML syntax: `, 'm'));

    const log = await cron(fresh(), ['--sources', 'sources.yaml', '--log-file', 'no/such/dir/run.log'], {}, cwd);
    expect(log.code).toBe(1);
    expect(log.stderr).toContain(`cannot open the log file ${join(cwd, 'no/such/dir/run.log')} (ENOENT)`);
  });
});
