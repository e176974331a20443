import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { logFileProblem } from '../../src/log.ts';
import { REDIS_URL, testPrefix } from '../helpers/redis.ts';

const run = promisify(execFile);

// Attacks on issue 11's cron run (item 9), kept because they found something. (Tried and found sound: 5,000-character
// and bidi/zero-width lines in a broken YAML file, whose messages never echo the file's text.)
describe('a log file that is a configuration file (found: SIGNAL_DESK_LOG_FILE=config/sources.yaml appended JSON to the sources file)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sd-logattack-'));
  const sources = join(dir, 'sources.yaml');
  writeFileSync(sources, 'sources: []\n');
  mkdirSync(join(dir, 'sub'));
  symlinkSync(sources, join(dir, 'link.yaml'));
  const config = { 'sources file': sources, 'rules file': join(dir, 'rules.yaml'), 'categories file': join(dir, 'categories.yaml') };

  it.each([
    ['the same path', sources],
    ['a double slash', `${dir}//sources.yaml`],
    ['a dot segment', `${dir}/./sources.yaml`],
    ['a parent segment', `${dir}/sub/../sources.yaml`],
    ['a symlink to it', join(dir, 'link.yaml')],
    ['a rules file not yet written', join(dir, 'rules.yaml')],
  ])('is refused through %s', (_, path) => {
    expect(logFileProblem(path, config)).toMatch(/^the log file \/.* is the (sources|rules) file \(.*\): logs appended to it would break it/);
  });

  it('a file of its own is fine', () => {
    expect(logFileProblem(join(dir, 'run.log'), config)).toBeUndefined();
  });

  it('run --once refuses it before anything starts, and the sources file is left as it was', { timeout: 60_000 }, async () => {
    const r = await run(process.execPath, [resolve('bin/signal-desk.js'), 'run', '--once', '--sources', sources, '--log-file', `${dir}//sub/../sources.yaml`], {
      env: { ...process.env, REDIS_URL, SIGNAL_DESK_PREFIX: testPrefix(), SIGNAL_DESK_LOG_LEVEL: '' },
    }).then(() => ({ code: 0, stderr: '' }), (e: { code: number; stderr: string }) => e);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`the log file ${sources} is the sources file`);
    expect(readFileSync(sources, 'utf8')).toBe('sources: []\n');
  });

  it('a log file that is a directory is an error naming it in full', { timeout: 60_000 }, async () => {
    const r = await run(process.execPath, [resolve('bin/signal-desk.js'), 'run', '--once', '--sources', sources, '--log-file', 'sub'], {
      cwd: dir,
      env: { ...process.env, REDIS_URL, SIGNAL_DESK_PREFIX: testPrefix(), SIGNAL_DESK_LOG_LEVEL: '' },
    }).then(() => ({ code: 0, stderr: '' }), (e: { code: number; stderr: string }) => e);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`cannot open the log file ${join(dir, 'sub')} (EISDIR)`);
  });
});
