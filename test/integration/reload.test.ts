import { renameSync, writeFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { createKeys } from '../../src/queue/keys.ts';
import { dropPrefix, REDIS_URL, testPrefix } from '../helpers/redis.ts';
import { spawnWorker, writeSourcesFile, type WorkerProcess } from '../helpers/workerProcess.ts';

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.reverse()) await fn().catch(() => {});
  cleanup = [];
});

async function until(what: string, fn: () => boolean | Promise<boolean>, output: () => string, ms = 15_000) {
  const deadline = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}\n${output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const yaml = (ids: string[]) => `sources:\n${ids.map((id) => `  - id: ${id}\n    name: ${id}\n    url: http://127.0.0.1:9/${id}.xml\n    schedule: { every: 1h }\n`).join('')}`;

describe('live configuration', () => {
  it('a changed sources file is applied without a restart; an invalid one is refused and the running configuration stays; SIGHUP re-reads', { timeout: 60_000 }, async () => {
    const prefix = testPrefix();
    const file = writeSourcesFile([]);
    writeFileSync(file, yaml(['alpha']));
    const redis = new Redis(REDIS_URL);
    const keys = createKeys(prefix);
    const proc: WorkerProcess = spawnWorker(prefix, file, {}, []);
    cleanup.push(async () => {
      proc.child.kill('SIGKILL');
      await proc.exited;
      await redis.quit();
      await dropPrefix(prefix);
    });
    const chained = async () => (await redis.smembers(keys.chained)).sort();
    await until('alpha scheduled', async () => (await chained()).join() === 'alpha', proc.output);

    // An editor saves the file the way most do: write a temporary file, rename it over the old one.
    writeFileSync(`${file}.tmp`, yaml(['alpha', 'beta']));
    renameSync(`${file}.tmp`, file);
    await until('beta scheduled', async () => (await chained()).join() === 'alpha,beta', proc.output);
    expect(proc.output()).toContain('sources reloaded (file changed): 2 sources; 1 started, 0 stopped');

    // A broken file is refused with its errors; nothing is stopped.
    writeFileSync(file, `${yaml(['alpha'])}  - id: Bad Id\n    url: ftp://x\n`);
    await until('refusal logged', () => proc.output().includes('sources file refused'), proc.output);
    expect(proc.output()).toContain('field \\"url\\": must use http or https');
    expect(await chained()).toEqual(['alpha', 'beta']);

    // SIGHUP re-reads too: a fixed file that drops beta stops beta's polls.
    writeFileSync(`${file}.tmp`, yaml(['alpha']));
    renameSync(`${file}.tmp`, file);
    await until('beta stopped', async () => (await chained()).join() === 'alpha', proc.output);
    proc.child.kill('SIGHUP');
    await until('SIGHUP reload', () => proc.output().includes('sources reloaded (SIGHUP)'), proc.output);
    expect(proc.child.exitCode).toBeNull();
  });
});
