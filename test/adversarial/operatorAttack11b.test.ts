import { execFile } from 'node:child_process';
import { chmodSync, chownSync, linkSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseOpml } from '../../src/config/opml.ts';
import { watchSourcesFile } from '../../src/config/watchSources.ts';
import { logFileProblem } from '../../src/log.ts';
import { dropPrefix, REDIS_URL, testPrefix } from '../helpers/redis.ts';

const run = promisify(execFile);

/** Issue 11's operator side attacked as a deployment would lay it out (second round). */

const FILE = '# my sources\nsources:\n  - id: a\n    name: A\n    url: https://a.example/feed\n  - id: b\n    name: B\n    url: https://b.example/feed\n';

function cli(args: string[], prefix: string) {
  return run(process.execPath, [resolve('bin/signal-desk.js'), ...args], { env: { ...process.env, REDIS_URL, SIGNAL_DESK_PREFIX: prefix, SIGNAL_DESK_LOG_LEVEL: '' } }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => e,
  );
}

describe('a symlinked sources file (found: `sources disable` replaced the link by a plain 0644 copy, the real file unchanged)', () => {
  it('disable through the link edits the target, keeps the link and the file mode', { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sd-atk11b-'));
    mkdirSync(join(dir, 'etc'));
    const real = join(dir, 'etc', 'sources.yaml');
    writeFileSync(real, FILE, { mode: 0o640 });
    const link = join(dir, 'sources.yaml');
    symlinkSync(real, link);
    const prefix = testPrefix();
    try {
      const r = await cli(['sources', 'disable', 'a', '--sources', link], prefix);
      expect(r.code).toBe(0);
      expect(lstatSync(link).isSymbolicLink()).toBe(true);
      expect(readFileSync(real, 'utf8')).toContain('enabled: false');
      expect(readFileSync(real, 'utf8')).toContain('# my sources');
      expect(statSync(real).mode & 0o777).toBe(0o640);
    } finally {
      await dropPrefix(prefix);
    }
  });

  it('a running run watching the link sees the target replaced in its own directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sd-atk11b-'));
    mkdirSync(join(dir, 'etc'));
    const real = join(dir, 'etc', 'sources.yaml');
    writeFileSync(real, FILE);
    const link = join(dir, 'sources.yaml');
    symlinkSync(real, link);
    let changes = 0;
    const stop = watchSourcesFile(link, () => changes++, 20);
    try {
      await writeFile(`${real}.tmp`, FILE.replace('name: A', 'name: A2'));
      await rename(`${real}.tmp`, real);
      await expect.poll(() => changes, { timeout: 5000 }).toBeGreaterThan(0);
    } finally {
      stop();
    }
  });
});

describe('the desk in the compose image runs as root (found: a Disable there left the host operator\'s config/sources.yaml owned by root)', () => {
  it.runIf(process.getuid?.() === 0)('an edit made as root keeps the file\'s owner and group', { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sd-atk11b-'));
    const file = join(dir, 'sources.yaml');
    writeFileSync(file, FILE, { mode: 0o664 });
    chmodSync(file, 0o664);
    chownSync(file, 1000, 1000);
    const prefix = testPrefix();
    try {
      const r = await cli(['sources', 'disable', 'b', '--sources', file], prefix);
      expect(r.code).toBe(0);
      expect(readFileSync(file, 'utf8')).toContain('enabled: false');
      expect(statSync(file)).toMatchObject({ uid: 1000, gid: 1000 });
      expect(statSync(file).mode & 0o777).toBe(0o664);
    } finally {
      await dropPrefix(prefix);
    }
  });
});

describe('a log file that is a hard link to the sources file (found: run --once appended its JSON lines to the sources file)', () => {
  it('is refused', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sd-atk11b-'));
    const sources = join(dir, 'sources.yaml');
    writeFileSync(sources, FILE);
    linkSync(sources, join(dir, 'run.log'));
    const config = { 'sources file': sources, 'rules file': join(dir, 'rules.yaml'), 'categories file': join(dir, 'categories.yaml') };
    expect(logFileProblem(join(dir, 'run.log'), config)).toMatch(/is the sources file/);
  });
});

describe('a log file that is a fifo nobody reads (found: run --once hung for ever in open(2), deaf to SIGTERM)', () => {
  it('run --once fails at once naming it', { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sd-atk11b-'));
    const sources = join(dir, 'sources.yaml');
    writeFileSync(sources, 'sources: []\n');
    const fifo = join(dir, 'run.log');
    await run('mkfifo', [fifo]);
    const prefix = testPrefix();
    try {
      const started = Date.now();
      const r = await run(process.execPath, [resolve('bin/signal-desk.js'), 'run', '--once', '--sources', sources, '--log-file', fifo], {
        env: { ...process.env, REDIS_URL, SIGNAL_DESK_PREFIX: prefix, SIGNAL_DESK_LOG_LEVEL: '' },
        timeout: 20_000,
        killSignal: 'SIGKILL',
      }).then(() => ({ code: 0, stderr: '' }), (e: { code: number; stderr: string }) => e);
      expect(Date.now() - started).toBeLessThan(19_000);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`the log file ${fifo} is a fifo no process is reading`);
    } finally {
      await dropPrefix(prefix);
    }
  });
});

describe('OPML from another tool that binds the sd prefix to its own namespace (found: its sd:id, sd:enabled, sd:schedule were read as ours)', () => {
  it('its sd: attributes are left alone; a file binding none is still read as ours', () => {
    const other = parseOpml(`<opml version="2.0" xmlns:sd="https://subscriptions.example/ns"><body>
      <outline text="Theirs" xmlUrl="https://a.example/feed" sd:id="48213" sd:enabled="0" sd:schedule='{"every":"1m"}'/>
    </body></opml>`);
    expect(other.skipped).toEqual([]);
    expect(other.entries[0]).toMatchObject({ id: null, fields: {} });
    const unbound = parseOpml(`<opml version="2.0"><body><outline text="Ours" xmlUrl="https://a.example/feed" sd:id="ours" sd:enabled="false"/></body></opml>`);
    expect(unbound.entries[0]).toMatchObject({ id: 'ours', fields: { enabled: false } });
  });
});

describe('a source hash edited by hand in Redis (found: sources status, list --json and the Sources page crashed: RangeError: Invalid time value)', () => {
  it.each([['abc'], ['9e99'], ['-1e300']])('nextPollAt %s: status --json answers, with no next poll', { timeout: 60_000 }, async (nextPollAt) => {
    const dir = mkdtempSync(join(tmpdir(), 'sd-atk11b-'));
    const sources = join(dir, 'sources.yaml');
    writeFileSync(sources, 'sources:\n  - { id: a, name: A, url: "https://a.example/feed" }\n');
    const prefix = testPrefix();
    const { Redis } = await import('ioredis');
    const redis = new Redis(REDIS_URL);
    try {
      await redis.hset(`${prefix}:source:a`, { nextPollAt, intervalMs: '-5', consecutiveFailures: 'NaN', lastAttemptAt: '2026-12-01T00:00:00Z', lastOutcome: 'ok' });
      const status = await cli(['sources', 'status', '--json', '--sources', sources], prefix);
      expect(status.stderr).toBe('');
      expect(status.code).toBe(0);
      const [health] = JSON.parse(status.stdout) as { nextPollAt: unknown; intervalMs: unknown; consecutiveFailures: unknown; schedule: { dueAt: unknown } }[];
      expect(health).toMatchObject({ nextPollAt: null, intervalMs: null, consecutiveFailures: 0, schedule: { dueAt: null } });
      const list = await cli(['sources', 'list', '--json', '--sources', sources], prefix);
      expect(list.code).toBe(0);
    } finally {
      await redis.quit();
      await dropPrefix(prefix);
    }
  });
});
