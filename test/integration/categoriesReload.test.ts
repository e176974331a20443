import { mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dropPrefix, testPrefix } from '../helpers/redis.ts';
import { spawnWorker, writeSourcesFile, type WorkerProcess } from '../helpers/workerProcess.ts';

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

const start = (prefix: string, categories: string): WorkerProcess => {
  const proc = spawnWorker(prefix, writeSourcesFile([]), { SIGNAL_DESK_CATEGORIES: categories });
  cleanup.push(async () => {
    proc.child.kill('SIGKILL');
    await proc.exited;
    await dropPrefix(prefix);
  });
  return proc;
};

describe('the categories file in a running worker', () => {
  it('an invalid file stops the start with its located problems; a valid one is re-read when it changes and on SIGHUP, a broken one refused', { timeout: 180_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sd-catrun-'));
    const file = join(dir, 'categories.yaml');
    writeFileSync(file, 'categories:\n  - name: Cloud\n    keywrds: [aws]\n');
    const refused = start(testPrefix(), file);
    const exit = await refused.exited;
    expect(exit.code).toBe(1);
    expect(refused.output()).toContain(`${file}:3: field "categories[0].keywrds": category "Cloud": unknown field "keywrds"`);

    writeFileSync(file, 'categories:\n  - name: Cloud\n    keywords: [aws]\n');
    const proc = start(testPrefix(), file);
    await until('running', () => proc.output().includes('running;'), proc.output);
    writeFileSync(`${file}.tmp`, 'categories:\n  - name: Cloud\n    keywords: [aws]\n  - name: AI\n    keywords: [llm]\n');
    renameSync(`${file}.tmp`, file);
    await until('re-read on change', () => proc.output().includes('categories file re-read (file changed): 2 categories'), proc.output);
    writeFileSync(`${file}.tmp`, 'categories:\n  - name: AI\n    entities: nope\n');
    renameSync(`${file}.tmp`, file);
    await until('refusal logged', () => proc.output().includes('categories file refused (file changed)'), proc.output);
    expect(proc.output()).toContain('category \\"AI\\": must be a list of entities');
    writeFileSync(file, 'categories:\n  - name: AI\n    keywords: [llm]\n');
    await until('re-read', () => proc.output().includes('categories file re-read (file changed): 1 category'), proc.output);
    proc.child.kill('SIGHUP');
    await until('SIGHUP re-read', () => proc.output().includes('categories file re-read (SIGHUP): 1 category'), proc.output);
    expect(proc.child.exitCode).toBeNull();
  });
});
