import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseRules } from '../../src/rules/loadRules.ts';
import { ConfigError } from '../../src/errors.ts';
import { dropPrefix, testPrefix } from '../helpers/redis.ts';
import { spawnWorker, writeSourcesFile, type WorkerProcess } from '../helpers/workerProcess.ts';

const ruleWith = (pattern: string) => `rules:\n  - name: slow\n    when: {regex: ${JSON.stringify(pattern)}}\n    tag: t\n`;

async function refusal(text: string): Promise<string> {
  try {
    await parseRules(text, 'rules.yaml');
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  return 'accepted';
}

describe('catastrophic patterns the structural check misses and the probe used not to try', () => {
  // Each of these backtracks exponentially on a headline of the right letters (30 of them take seconds;
  // the 1,000 a field is read to, forever) and each passed `rules validate` before: the probe only tried
  // the literal characters of the pattern, so escapes (\u4e01, \x41, \u{…}), script classes (\p{Script=Greek})
  // and two letters in turn (abab…) were never on its texts.
  const catastrophic = [
    '^(?:\\u4e01|\\u4e01)*$',
    '^(?:\\p{Script=Greek}|\\p{L})*$',
    '^(?:[a][b]|a|b)*$',
    '(?:\\u{1F600}|\\p{Emoji})*$',
  ];
  for (const pattern of catastrophic) {
    it(`refuses ${pattern}`, { timeout: 30_000 }, async () => {
      expect(await refusal(ruleWith(pattern))).toMatch(/is refused: it took over/);
    });
  }

  it('still accepts ordinary patterns, quickly', { timeout: 30_000 }, async () => {
    const ok = ['\\bdram\\b', '\\$\\d+(\\.\\d+)?\\s*(billion|million)', '^(?:breaking|live):', '[\\p{Script=Han}]{2,}', '\\bq[1-4]\\s+20\\d\\d\\b', '(?<!pre-)order'];
    const text = `rules:\n${ok.map((p, i) => `  - name: r${i}\n    when: {regex: ${JSON.stringify(p)}}\n    tag: t\n`).join('')}`;
    const started = Date.now();
    const set = await parseRules(text, 'rules.yaml');
    expect(set.rules).toHaveLength(ok.length);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.reverse()) await fn().catch(() => {});
  cleanup = [];
});

async function until(what: string, ok: () => boolean, output: () => string, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}\n${output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('SIGHUP re-reads the rules file too', () => {
  // `run` re-read the sources and the categories on SIGHUP but not the rules: an operator who edited
  // rules.yaml in place on a file system without change events (NFS, some container mounts) and sent
  // SIGHUP as the README says kept the old rules with nothing in the log.
  it('re-reads the rules on SIGHUP and says so', { timeout: 180_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sd-rulesatk-'));
    const file = join(dir, 'rules.yaml');
    writeFileSync(file, 'rules:\n  - name: memory\n    when: {keyword: DRAM}\n    tag: t\n');
    const prefix = testPrefix().replace('sdt-', 'atk2-');
    const proc: WorkerProcess = spawnWorker(prefix, writeSourcesFile([]), { SIGNAL_DESK_RULES: file });
    cleanup.push(async () => {
      proc.child.kill('SIGKILL');
      await proc.exited;
      await dropPrefix(prefix);
    });
    await until('running', () => proc.output().includes('running;'), proc.output);
    proc.child.kill('SIGHUP');
    await until('SIGHUP re-read', () => proc.output().includes('(SIGHUP): 1 in force'), proc.output);
    expect(proc.child.exitCode).toBeNull();
  });
});

describe('live reload of an empty rules file', () => {
  // A file truncated and then written (`>` in a shell, many editors) or a write that failed on a full disk
  // is empty for a moment: it validated as "no rules", and every drop rule went out of force silently.
  it('keeps the rules in force, loudly, and takes `rules: []` as meant', async () => {
    const { watchRules } = await import('../../src/rules/watchRules.ts');
    const dir = mkdtempSync(join(tmpdir(), 'sd-rulesatk-'));
    const file = join(dir, 'rules.yaml');
    writeFileSync(file, 'rules:\n  - name: sponsored\n    when: {keyword: sponsored}\n    drop: true\n');
    const errors: string[] = [];
    const rules = await watchRules(file, { info: () => {}, error: (_o, msg) => void errors.push(msg) }, 60_000);
    try {
      writeFileSync(file, '');
      expect(await rules.reload('test')).toBe(false);
      expect(rules.current().rules.map((r) => r.name)).toEqual(['sponsored']);
      expect(errors.join('\n')).toMatch(/rules file refused; the 1 rules in force stay \(test\):\n.*the file is empty/);
      writeFileSync(file, 'rules: []\n');
      expect(await rules.reload('test')).toBe(true);
      expect(rules.current().rules).toEqual([]);
    } finally {
      rules.close();
    }
  });
});
