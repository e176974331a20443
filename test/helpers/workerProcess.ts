import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { createKeys, type Keys } from '../../src/queue/keys.ts';
import { dropPrefix, REDIS_URL, testPrefix } from './redis.ts';

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
  return watchProcess(child);
}

/** A spawned process as a WorkerProcess: its stdout and stderr gathered, its exit awaited. */
export function watchProcess(child: ChildProcess): WorkerProcess {
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return { child, exited, output: () => out };
}

export interface WorkerRig {
  prefix: string;
  redis: Redis;
  poll: Queue;
  ingest: Queue;
  keys: Keys;
  workers: WorkerProcess[];
  /** Starts one more `run --no-scheduler` process on this rig's prefix and sources file. */
  spawn(env?: Record<string, string>): WorkerProcess;
  /** Kills the processes still running, closes the queues and the client, drops the prefix. */
  close(): Promise<void>;
}

/** A prefix, a Redis client, the poll and ingest queues and a way to start worker processes against `file`. */
export function workerRig(file: string, baseEnv: Record<string, string> = {}): WorkerRig {
  const prefix = testPrefix();
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const poll = new Queue('poll', { connection: redis, prefix });
  const ingest = new Queue('ingest', { connection: redis, prefix });
  const workers: WorkerProcess[] = [];
  return {
    prefix,
    redis,
    poll,
    ingest,
    keys: createKeys(prefix),
    workers,
    spawn(env = {}) {
      const w = spawnWorker(prefix, file, { ...baseEnv, ...env });
      workers.push(w);
      return w;
    },
    async close() {
      for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
      await Promise.all(workers.map((w) => w.exited));
      await poll.close();
      await ingest.close();
      await redis.quit();
      await dropPrefix(prefix);
    },
  };
}

/** Nothing waiting, running, delayed or waiting for children on this queue. */
export async function drained(q: Queue): Promise<boolean> {
  const c = await q.getJobCounts('wait', 'active', 'delayed', 'prioritized', 'waiting-children');
  return Object.values(c).every((n) => n === 0);
}
