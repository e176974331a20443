import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { pollJobId } from '../../src/schedule/chain.ts';
import { rss, startServer } from '../helpers/httpServer.ts';
import { workerRig } from '../helpers/workerProcess.ts';

// `sources disable` while a poll of the source runs: the reload's sync finds the running poll (it stops only
// pending ones), and the poll queues its next one when it finishes if it read the configuration before the
// reload. That leftover chain job, or any poll of the source still in the queue, must not fetch a disabled source.

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.reverse()) await fn().catch(() => {});
  cleanup = [];
});

describe('a disabled source and a poll of it left in the queue', () => {
  it('the poll fetches nothing, says why and queues no next poll', { timeout: 60_000 }, async () => {
    const server = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rss([{ guid: 'one', title: 'One story', link: 'https://pub.example/one' }], 'x'));
    });
    const file = join(mkdtempSync(join(tmpdir(), 'sd-sources-')), 'sources.yaml');
    writeFileSync(file, `sources:\n  - id: off\n    name: Off\n    url: ${server.url('/feed')}\n    enabled: false\n`);
    const t = workerRig(file, { SIGNAL_DESK_LOCK_MS: '1000', SIGNAL_DESK_STALLED_MS: '500' });
    cleanup.push(async () => {
      await t.close();
      await server.close();
    });
    t.spawn();
    await t.poll.add('poll', { sourceId: 'off', seq: 5 }, { jobId: pollJobId('off', 5) });
    await expect.poll(async () => (await t.poll.getJob(pollJobId('off', 5)))?.getState(), { timeout: 30_000, interval: 200 }).toBe('completed');
    const job = (await t.poll.getJob(pollJobId('off', 5)))!;
    expect(server.requests).toHaveLength(0);
    expect(job.returnvalue).toMatchObject({ code: 'disabled', items: 0 });
    expect(await t.poll.getJob(pollJobId('off', 6))).toBeUndefined();
  });
});
