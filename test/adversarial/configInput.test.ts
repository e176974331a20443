import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { reloadSources } from '../../src/cli/commands/run.ts';
import { pingRedis } from '../../src/queue/connection.ts';
import { POLL_QUEUE } from '../../src/queue/jobs.ts';
import { startRuntime } from '../../workers/runtime.ts';
import { freePort } from '../helpers/httpServer.ts';
import { source } from '../helpers/pipeline.ts';
import { createKeys } from '../../src/queue/keys.ts';
import { dropPrefix, REDIS_URL, testPrefix, testSettings } from '../helpers/redis.ts';
import { spawnWorker, type WorkerProcess } from '../helpers/workerProcess.ts';

// Issue 8, cases 7 (sources file size and alias bombs) and 16 (cron and time zones an operator can get wrong).
const exec = promisify(execFile);
// `run` must refuse these files at once; should it start instead, it is killed, and it would write under a test prefix.
const cli = (args: string[], env: Record<string, string> = {}) =>
  exec(process.execPath, ['bin/signal-desk.js', ...args], {
    env: { ...process.env, REDIS_URL, SIGNAL_DESK_PREFIX: testPrefix(), SIGNAL_DESK_ALLOW_PRIVATE: '', ...env },
    timeout: 30_000,
    killSignal: 'SIGKILL',
  }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );

function tempFile(text: string, name = 'sources.yaml'): string {
  const file = join(mkdtempSync(join(tmpdir(), 'sd-config-')), name);
  writeFileSync(file, text);
  return file;
}

const entry = (id: string, extra = '', url = `https://${id}.example/rss`) => `  - id: ${id}\n    name: ${id}\n    url: ${url}\n${extra}`;
const file = (...entries: string[]) => `sources:\n${entries.join('')}`;
const ALIAS_BOMB = `a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
sources: []
`;
/** A valid sources file just over the default 5 MiB cap: one source and a long comment. */
const OVERSIZED = `${file(entry('one'))}# ${'x'.repeat(5 * 1024 * 1024)}\n`;

const noStack = (text: string) => {
  expect(text).not.toMatch(/unexpected error|ReferenceError|\n\s+at /);
};

describe('case 7: the sources file has a size cap and refuses alias bombs, as located config errors', () => {
  it('sources validate refuses a file over the cap before reading it, naming file, limit and setting', { timeout: 60_000 }, async () => {
    const path = tempFile(OVERSIZED);
    const r = await cli(['sources', 'validate', path]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${path}: the file is ${Buffer.byteLength(OVERSIZED)} bytes, over the 5242880-byte limit on the sources file (SIGNAL_DESK_SOURCES_MAX_BYTES)`);
    const raised = await cli(['sources', 'validate', path], { SIGNAL_DESK_SOURCES_MAX_BYTES: String(6 * 1024 * 1024) });
    expect(raised.code, raised.stderr).toBe(0);
  });

  it.each([['sources', 'validate'], ['run', '--sources']])('%s %s: an alias bomb is a located config error (exit 1), not a stack trace (exit 70)', { timeout: 60_000 }, async (...args) => {
    const path = tempFile(ALIAS_BOMB);
    const r = await cli([...args, path]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2: YAML aliases are used too often`));
    noStack(r.stderr);
  });

  it('run refuses an oversized sources file with the config error exit code', { timeout: 60_000 }, async () => {
    const r = await cli(['run', '--sources', tempFile(OVERSIZED)], { SIGNAL_DESK_SOURCES_MAX_BYTES: '100000' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('over the 100000-byte limit on the sources file (SIGNAL_DESK_SOURCES_MAX_BYTES)');
    noStack(r.stderr);
  });
});

describe('case 16: schedules are validated in our words, with file, line, source and field', () => {
  it('sources validate refuses seconds fields, 4-field crons, words and unknown time zones', { timeout: 60_000 }, async () => {
    const path = tempFile(file(
      entry('every-second', '    schedule: { cron: "* * * * * *" }\n'),
      entry('four-fields', '    schedule: { cron: "* * * *" }\n'),
      entry('banana', '    schedule: { cron: banana }\n'),
      entry('mars', '    schedule: { cron: "*/10 * * * *", tz: Mars/Olympus }\n'),
      entry('fine', '    schedule: { cron: "0 7 * * MON-FRI", tz: Europe/Paris }\n'),
    ));
    const r = await cli(['sources', 'validate', path]);
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toEqual([
      `${path}:5: source "every-second" field "schedule.cron": cron "* * * * * *" has 6 fields: a seconds field is not allowed (polls are at least 1m apart); use a 5-field cron expression (minute hour day-of-month month day-of-week), e.g. "*/10 * * * *" (every 10 minutes) or "0 7 * * MON-FRI"`,
      `${path}:9: source "four-fields" field "schedule.cron": cron "* * * *" is not a 5-field cron expression (minute hour day-of-month month day-of-week): it has 4 fields; e.g. "*/10 * * * *" (every 10 minutes) or "0 7 * * MON-FRI"`,
      `${path}:13: source "banana" field "schedule.cron": cron "banana" is not a 5-field cron expression (minute hour day-of-month month day-of-week): it has 1 field; e.g. "*/10 * * * *" (every 10 minutes) or "0 7 * * MON-FRI"`,
      `${path}:17: source "mars" field "schedule.tz": "Mars/Olympus" is not a time zone: use an IANA name such as "Europe/Paris", "America/New_York" or "UTC"`,
      '4 problems: the file is refused until all are fixed',
    ]);
    expect(r.stderr).not.toContain('cannot resolve alias');
  });

  it('run refuses a cron with a seconds field instead of polling every second', { timeout: 60_000 }, async () => {
    const r = await cli(['run', '--sources', tempFile(file(entry('every-second', '    schedule: { cron: "*/1 * * * * *" }\n')))]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('source "every-second" field "schedule.cron": cron "*/1 * * * * *" has 6 fields: a seconds field is not allowed');
  });
});

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.reverse()) await fn().catch(() => {});
  cleanup = [];
});

async function until(what: string, fn: () => boolean | Promise<boolean>, output: () => string, ms = 30_000) {
  const deadline = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}\n${output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('cases 7, 16 (and 6): the live reload applies a file all or nothing', () => {
  it('refuses an alias bomb, an oversized file, a bad time zone and a private literal whole, naming source and field; the running configuration stays', { timeout: 120_000 }, async () => {
    const prefix = testPrefix();
    const path = tempFile(file(entry('alpha', '    schedule: { every: 1h }\n')));
    const redis = new Redis(REDIS_URL);
    const poll = new Queue(POLL_QUEUE, { connection: new Redis(REDIS_URL, { maxRetriesPerRequest: null }), prefix });
    const keys = createKeys(prefix);
    const proc: WorkerProcess = spawnWorker(prefix, path, { SIGNAL_DESK_SOURCES_MAX_BYTES: '8192' }, []);
    cleanup.push(async () => {
      proc.child.kill('SIGKILL');
      await proc.exited;
      await poll.close();
      await redis.quit();
      await dropPrefix(prefix);
    });
    const chained = async () => (await redis.smembers(keys.chained)).sort().join();
    const schedulers = async () => (await poll.getJobSchedulers(0, -1)).map((s) => s.key).filter((k) => k.startsWith('poll-')).sort().join();
    const refusals = () => proc.output().split('sources file refused').length - 1;
    const replace = (text: string) => {
      writeFileSync(`${path}.tmp`, text);
      renameSync(`${path}.tmp`, path);
    };
    await until('alpha scheduled', async () => (await chained()) === 'alpha', proc.output);

    replace(ALIAS_BOMB);
    await until('alias bomb refused', () => refusals() >= 1, proc.output);
    expect(proc.output()).toContain(':2: YAML aliases are used too often');

    replace(`${file(entry('alpha', '    schedule: { every: 1h }\n'))}# ${'x'.repeat(9000)}\n`);
    await until('oversized file refused', () => refusals() >= 2, proc.output);
    expect(proc.output()).toContain('over the 8192-byte limit on the sources file (SIGNAL_DESK_SOURCES_MAX_BYTES)');

    // A valid cron source before a broken one: nothing of the file may be applied, not even gamma's scheduler.
    replace(file(
      entry('alpha', '    schedule: { every: 1h }\n'),
      entry('gamma', '    schedule: { cron: "*/10 * * * *" }\n'),
      entry('mars', '    schedule: { cron: "*/10 * * * *", tz: Mars/Olympus }\n'),
      entry('delta', '    schedule: { every: 1h }\n'),
    ));
    await until('bad time zone refused', () => refusals() >= 3, proc.output);
    expect(proc.output()).toContain('source \\"mars\\" field \\"schedule.tz\\": \\"Mars/Olympus\\" is not a time zone');

    replace(file(entry('alpha', '    schedule: { every: 1h }\n'), entry('metadata', '', 'http://169.254.169.254/latest/meta-data/')));
    await until('private literal refused', () => refusals() >= 4, proc.output);
    expect(proc.output()).toContain('source \\"metadata\\" field \\"url\\": http://169.254.169.254/latest/meta-data/ points at 169.254.169.254 (linkLocal range)');

    expect(await chained()).toBe('alpha');
    expect(await schedulers()).toBe('');
    expect(proc.output()).not.toMatch(/reloading the sources failed|unexpected error/);

    // Still reloading: a good file is applied.
    replace(file(entry('alpha', '    schedule: { every: 1h }\n'), entry('gamma', '    schedule: { cron: "*/10 * * * *" }\n')));
    await until('gamma scheduled', async () => (await schedulers()) === 'poll-gamma', proc.output);
    expect(proc.child.exitCode).toBeNull();
  });
});

describe('case 16: the live reload refuses schedules an operator can get wrong', () => {
  it('a 4-field cron, `cron: banana`, an unknown @ shorthand and an "H" field: each refused with file, line, source and field in our words; the running sources stay', { timeout: 120_000 }, async () => {
    const prefix = testPrefix();
    const path = tempFile(file(entry('alpha', '    schedule: { every: 1h }\n')));
    const redis = new Redis(REDIS_URL);
    const poll = new Queue(POLL_QUEUE, { connection: new Redis(REDIS_URL, { maxRetriesPerRequest: null }), prefix });
    const keys = createKeys(prefix);
    const proc: WorkerProcess = spawnWorker(prefix, path, {}, []);
    cleanup.push(async () => {
      proc.child.kill('SIGKILL');
      await proc.exited;
      await poll.close();
      await redis.quit();
      await dropPrefix(prefix);
    });
    const chained = async () => (await redis.smembers(keys.chained)).sort().join();
    const schedulers = async () => (await poll.getJobSchedulers(0, -1)).map((s) => s.key).filter((k) => k.startsWith('poll-')).sort().join();
    const refusals = () => proc.output().split('sources file refused').length - 1;
    const replace = (text: string) => {
      writeFileSync(`${path}.tmp`, text);
      renameSync(`${path}.tmp`, path);
    };
    await until('alpha scheduled', async () => (await chained()) === 'alpha', proc.output);

    // The log is JSON: quotes in the message are escaped. The bad source's schedule is line 9 of each file.
    const q = (text: string) => text.replaceAll('"', '\\"');
    const FORM = 'a 5-field cron expression (minute hour day-of-month month day-of-week)';
    const BAD: [id: string, cron: string, says: string][] = [
      ['four-fields', '"* * * *"', `cron "* * * *" is not ${FORM}: it has 4 fields`],
      ['banana', 'banana', `cron "banana" is not ${FORM}: it has 1 field`],
      ['weekly2', '"@weekly2"', `cron "@weekly2" is not ${FORM} nor one of @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly`],
      ['hashed', '"H 7 * * *"', 'cron "H 7 * * *" uses "H" (a random value): name the minute and hour'],
    ];
    for (const [n, [id, cron, says]] of BAD.entries()) {
      // A valid cron source before the broken one: nothing of the file may be applied.
      replace(file(entry('alpha', '    schedule: { every: 1h }\n'), entry(id, `    schedule: { cron: ${cron} }\n`), entry('gamma', '    schedule: { cron: "*/10 * * * *" }\n')));
      await until(`${id} refused`, () => refusals() >= n + 1, proc.output);
      expect(proc.output()).toContain(q(`${path}:9: source "${id}" field "schedule.cron": ${says}`));
      expect(await chained()).toBe('alpha');
      expect(await schedulers()).toBe('');
    }
    noStack(proc.output());
    expect(proc.output()).not.toMatch(/reloading the sources failed|cannot resolve alias|Validation error/);

    // Still reloading: a good file is applied.
    replace(file(entry('alpha', '    schedule: { every: 1h }\n'), entry('gamma', '    schedule: { cron: "*/10 * * * *" }\n')));
    await until('gamma scheduled', async () => (await schedulers()) === 'poll-gamma', proc.output);
    expect(proc.child.exitCode).toBeNull();
  });
});

describe('case 16: a valid file that fails to apply leaves the running configuration', () => {
  it('puts the previous sources back and names the source that failed', { timeout: 60_000 }, async () => {
    // A private redis-server that refuses every write (min-replicas-to-write with no replica): the new file
    // is valid, but its cron source cannot get a job scheduler.
    const port = await freePort();
    const server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    const url = `redis://127.0.0.1:${port}`;
    cleanup.push(async () => {
      server.kill('SIGKILL');
    });
    for (let i = 0; i < 100 && !(await pingRedis(url, 200)); i++) await new Promise((r) => setTimeout(r, 100));
    const path = tempFile(file(entry('alpha', '    schedule: { every: 1h }\n'), entry('gamma', '    schedule: { cron: "*/10 * * * *" }\n')));
    const settings = testSettings(testPrefix(), { REDIS_URL: url, SIGNAL_DESK_SOURCES: path });
    const runtime = await startRuntime(settings, [source('alpha', 'https://alpha.example/rss', { schedule: { every: '1h' } })]);
    const admin = new Redis(url);
    cleanup.push(async () => {
      await admin.config('SET', 'min-replicas-to-write', '0');
      await runtime.stop();
      await admin.quit();
    });
    await admin.config('SET', 'min-replicas-to-write', '1');
    const err = await reloadSources(runtime, settings, 'test', true).then(() => undefined, (e: unknown) => e as Error);
    expect(err?.message).toMatch(/^source "gamma" field "schedule": cannot set its job scheduler \(.*NOREPLICAS/);
    expect([...runtime.ctx.sources.keys()]).toEqual(['alpha']);
  });
});
