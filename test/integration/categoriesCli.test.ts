import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

async function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('node', ['bin/signal-desk.js', ...args], { env: { ...process.env, SIGNAL_DESK_LOG_LEVEL: 'silent', ...env } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('signal-desk categories validate', () => {
  it('accepts the shipped taxonomy, and lists every problem of a broken one with its line (exit 1)', { timeout: 60_000 }, async () => {
    const ok = await cli(['categories', 'validate']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^config\/categories\.yaml: \d+ categories, \d+ keywords and entities, no problems\n$/);
    const dir = mkdtempSync(join(tmpdir(), 'sd-catcli-'));
    const file = join(dir, 'categories.yaml');
    writeFileSync(file, 'categories:\n  - name: Cloud\n    keywrds: [aws]\n  - name: cloud\n');
    const bad = await cli(['categories', 'validate'], { SIGNAL_DESK_CATEGORIES: file });
    expect(bad.code).toBe(1);
    expect(bad.stderr.split('\n').filter(Boolean)).toEqual([
      `${file}:3: field "categories[0].keywrds": category "Cloud": unknown field "keywrds"; supported fields are name, keywords, entities, default_for`,
      '1 problem: the file is refused until all are fixed (a running worker keeps the categories it has)',
    ]);
    const absent = await cli(['categories', 'validate', join(dir, 'none.yaml')]);
    expect(absent.code).toBe(0);
    expect(absent.stdout).toContain('no categories (absent or empty)');
  });
});
