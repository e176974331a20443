import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REDIS_URL } from './redis.ts';

export function writeSourcesFile(sources: { id: string; url: string }[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'sd-sources-'));
  const file = join(dir, 'sources.yaml');
  writeFileSync(file, sources.length === 0 ? 'sources: []\n' : `sources:\n${sources.map((s) => `  - id: ${s.id}\n    name: ${s.id}\n    url: ${s.url}\n`).join('')}`);
  return file;
}

export interface WorkerProcess {
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output(): string;
}

/** A real `signal-desk run` process, as an operator would start one on another machine. */
export function spawnWorker(prefix: string, sourcesFile: string, env: Record<string, string> = {}, args: string[] = ['--no-scheduler']): WorkerProcess {
  const child = spawn(process.execPath, ['bin/signal-desk.js', 'run', '--sources', sourcesFile, ...args], {
    env: {
      ...process.env,
      REDIS_URL,
      SIGNAL_DESK_PREFIX: prefix,
      SIGNAL_DESK_ALLOW_PRIVATE: '127.0.0.1',
      SIGNAL_DESK_LOG_LEVEL: 'info',
      SIGNAL_DESK_BACKOFF_MS: '100',
      SIGNAL_DESK_HOST_CONCURRENCY: '64',
      SIGNAL_DESK_HOST_DELAY_MS: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return { child, exited, output: () => out };
}
