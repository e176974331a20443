import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

// Issue 8, cases 7 (sources file size and alias bombs) and 16 (cron and time zones an operator can get wrong).
const exec = promisify(execFile);
const cli = (args: string[], env: Record<string, string> = {}) =>
  exec(process.execPath, ['bin/signal-desk.js', ...args], { env: { ...process.env, SIGNAL_DESK_ALLOW_PRIVATE: '', ...env } }).then(
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
