import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Job, Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { pingRedis } from '../../src/queue/connection.ts';
import { createKeys } from '../../src/queue/keys.ts';
import { freePort, rss, startServer } from './httpServer.ts';
import { testPrefix } from './redis.ts';
import { spawnWorker } from './workerProcess.ts';

/** Where a test registers what its afterEach tears down (last in, first out). */
export type Cleanups = (() => Promise<void>)[];

export interface PrivateRedis {
  url: string;
  port: number;
  kill(): Promise<void>;
}

/** A redis-server of the test's own on a free port (or the given one), persisting nothing unless told. */
export async function startRedis(cleanup: Cleanups, args: string[] = [], port?: number): Promise<PrivateRedis> {
  const p = port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), 'sd-redis-'));
  const child: ChildProcess = spawn('redis-server', ['--port', String(p), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', ...args], { stdio: 'ignore' });
  const url = `redis://127.0.0.1:${p}`;
  for (let i = 0; i < 100 && !(await pingRedis(url, 200)); i++) await new Promise((r) => setTimeout(r, 50));
  if (!(await pingRedis(url, 500))) throw new Error(`redis-server on port ${p} did not start`);
  let killed: Promise<void> | undefined;
  const kill = () =>
    (killed ??= new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    }).then(() => rmSync(dir, { recursive: true, force: true })));
  cleanup.push(kill);
  return { url, port: p, kill };
}

export async function until(what: string, fn: () => boolean | Promise<boolean>, output: () => string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await Promise.resolve().then(fn).catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}\n${output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function sourcesFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'sd-sources-')), 'sources.yaml');
  writeFileSync(file, text);
  return file;
}

export function logLines(output: string): Record<string, unknown>[] {
  return output.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** A scheduling `run` (chains, cron schedulers, reconcile) on a private Redis, polling a local feed server. */
export async function startScheduling(cleanup: Cleanups, redisServer: PrivateRedis, env: Record<string, string>) {
  const prefix = testPrefix();
  const keys = createKeys(prefix);
  const polls = new Map<string, number>();
  const feed = await startServer((req, res) => {
    polls.set(req.url!, (polls.get(req.url!) ?? 0) + 1);
    res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rss([{ guid: `${req.url}-1`, title: 'One story', link: `https://pub.example${req.url}/1` }]));
  });
  cleanup.push(() => feed.close());
  // alpha polls in a chain of delayed jobs, beta on a cron job scheduler: Redis holds both.
  const file = sourcesFile(`sources:
  - id: alpha
    name: Alpha
    url: ${feed.url('/alpha.xml')}
    schedule: { every: 1m }
  - id: beta
    name: Beta
    url: ${feed.url('/beta.xml')}
    schedule: { cron: "* * * * *" }
`);
  const proc = spawnWorker(prefix, file, { REDIS_URL: redisServer.url, ...env }, ['--metrics-port', '0']);
  const client = new Redis(redisServer.url, { maxRetriesPerRequest: null });
  client.on('error', () => undefined);
  const poll = new Queue('poll', { connection: client, prefix });
  poll.on('error', () => undefined);
  cleanup.push(async () => {
    if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill('SIGKILL');
    await proc.exited;
    await poll.close();
    client.disconnect();
  });
  const out = proc.output;

  /** Waits until the source has a pending poll in Redis, runs it now (promotes the delayed job) and waits for the feed server to see it. */
  const pollNow = async (sourceId: string) => {
    const before = polls.get(`/${sourceId}.xml`) ?? 0;
    let job: Job | undefined;
    await until(`a pending poll of ${sourceId}`, async () => {
      const jobs = await poll.getJobs(['delayed', 'wait', 'active']);
      job = jobs.find((j) => j.data?.sourceId === sourceId);
      return job !== undefined;
    }, out);
    if (await job!.isDelayed()) await job!.promote().catch(() => undefined);
    await until(`${sourceId} polled`, () => (polls.get(`/${sourceId}.xml`) ?? 0) > before, out);
    // Finished, so that its next poll is queued before the test takes Redis away (not replayed after).
    await until(`${sourceId}'s poll finished`, async () => ['completed', 'failed'].includes(await job!.getState()), out);
  };
  const metrics = async () => {
    const url = /metrics at (http:\/\/\S+\/metrics)/.exec(out())![1]!;
    return (await fetch(url)).text();
  };
  await until('the schedules synced', async () => (await poll.getJobScheduler('reconcile-sources')) !== undefined && (await client.sismember(keys.chained, 'alpha')) === 1, out);
  return { prefix, keys, client, poll, proc, out, polls, pollNow, metrics };
}

