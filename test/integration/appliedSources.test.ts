import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { applySources, digestSources, readAppliedSources, SourcesFollower } from '../../src/config/appliedSources.ts';
import { ConfigError } from '../../src/errors.ts';
import { createLogger } from '../../src/log.ts';
import { createKeys } from '../../src/queue/keys.ts';
import { writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { PassThrough } from 'node:stream';
import { publishSources, reloadSources } from '../../src/cli/commands/run.ts';
import { statusCommand } from '../../src/cli/commands/sources.ts';
import { readSourcesInForce } from '../../src/config/readSourcesInForce.ts';
import { startRuntime } from '../../workers/runtime.ts';
import { source } from '../helpers/pipeline.ts';
import { dropPrefix, REDIS_URL, testPrefix, testSettings } from '../helpers/redis.ts';
import { writeSourcesFile } from '../helpers/workerProcess.ts';

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.reverse()) await fn().catch(() => {});
  cleanup = [];
});

function rig() {
  const prefix = testPrefix();
  const redis = new Redis(REDIS_URL);
  cleanup.push(async () => {
    await redis.quit();
    await dropPrefix(prefix);
  });
  return { redis, keys: createKeys(prefix) };
}

const fileA = [source('x', 'https://x.example/rss'), source('y', 'https://y.example/rss')];
const fileB = [source('x', 'https://x.example/rss')];

describe('the applied sources configuration: compare-and-set on the version', () => {
  it('a start applies; the same sources again change nothing; a reload on top of the version held applies', async () => {
    const { redis, keys } = rig();
    const first = await applySources(redis, keys, fileA, { mode: 'start', held: 0, now: 1000, by: 'a:1' });
    expect(first).toMatchObject({ outcome: 'applied', version: 1, otherHash: '' });
    expect(await applySources(redis, keys, fileA, { mode: 'reload', held: 0, now: 2000, by: 'b:2' })).toMatchObject({ outcome: 'same', version: 1 });
    const second = await applySources(redis, keys, fileB, { mode: 'reload', held: 1, now: 3000, by: 'a:1' });
    expect(second).toMatchObject({ outcome: 'applied', version: 2, otherHash: first.hash, otherBy: 'a:1' });
    const stored = await redis.hgetall(keys.configSources);
    expect(stored).toMatchObject({ version: '2', hash: digestSources(fileB).hash, appliedAt: '3000', appliedBy: 'a:1' });
  });

  it('an older scheduler cannot overwrite a newer version: its reload is refused and nothing is written', async () => {
    const { redis, keys } = rig();
    await applySources(redis, keys, fileA, { mode: 'start', held: 0, now: 1000, by: 'old:1' });
    const newer = await applySources(redis, keys, fileB, { mode: 'start', held: 0, now: 2000, by: 'new:2' });
    expect(newer.version).toBe(2);
    // The old scheduler holds version 1 and reloads its (different) file.
    const stale = await applySources(redis, keys, [...fileA, source('z', 'https://z.example/rss')], { mode: 'reload', held: 1, now: 3000, by: 'old:1' });
    expect(stale).toMatchObject({ outcome: 'stale', version: 2, otherHash: newer.hash, otherBy: 'new:2' });
    expect(await redis.hget(keys.configSources, 'hash')).toBe(newer.hash);
    expect(await redis.hget(keys.configSources, 'version')).toBe('2');
  });

  it('a Redis that lost the key does not restart the versions below the one held', async () => {
    const { redis, keys } = rig();
    await applySources(redis, keys, fileA, { mode: 'start', held: 0, now: 1000, by: 'a:1' });
    await redis.del(keys.configSources);
    expect(await applySources(redis, keys, fileA, { mode: 'reload', held: 5, now: 2000, by: 'a:1' })).toMatchObject({ outcome: 'applied', version: 6 });
  });

  it('an invalid or corrupted stored configuration is refused, and a follower keeps the last good one', async () => {
    const { redis, keys } = rig();
    await applySources(redis, keys, fileA, { mode: 'start', held: 0, now: 1000, by: 'a:1' });
    const seen: number[] = [];
    const follower = new SourcesFollower({ redis, keys, options: {}, logger: createLogger('silent'), onVersion: (a) => seen.push(a.version) });
    await follower.refresh();
    expect(follower.version).toBe(1);
    // Valid JSON with a matching hash, but a source the schema refuses.
    const bad = JSON.stringify({ sources: [{ id: 'x', name: 'X', url: 'ftp://x.example/' }] });
    await redis.hset(keys.configSources, { version: '2', json: bad, hash: createHash('sha256').update(bad).digest('hex') });
    await expect(readAppliedSources(redis, keys)).rejects.toBeInstanceOf(ConfigError);
    await follower.refresh();
    expect(follower.version).toBe(1);
    // Edited by hand: the hash no longer matches.
    const { json } = digestSources(fileB);
    await redis.hset(keys.configSources, { version: '3', json, hash: 'f'.repeat(64) });
    await expect(readAppliedSources(redis, keys)).rejects.toThrow(/do not match their hash/);
    await follower.refresh();
    expect(follower.version).toBe(1);
    expect(seen).toEqual([1]);
    // A good version after them is followed.
    await applySources(redis, keys, fileB, { mode: 'reload', held: 3, now: 4000, by: 'a:1' });
    await follower.refresh();
    expect(follower.version).toBe(4);
    expect(seen).toEqual([1, 4]);
  });
});

describe('a scheduler whose reload meets a newer version in Redis', () => {
  it('follows the newer version, does not re-apply its unchanged file, and applies it once the file changes', { timeout: 30_000 }, async () => {
    const prefix = testPrefix();
    const file = writeSourcesFile([{ id: 'x', url: 'https://x.example/rss' }, { id: 'y', url: 'https://y.example/rss' }]);
    const settings = testSettings(prefix, { SIGNAL_DESK_SOURCES: file });
    const runtime = await startRuntime(settings, fileA, { follow: 'apply', workers: false });
    cleanup.push(async () => {
      await runtime.stop();
      await dropPrefix(prefix);
    });
    const { redis, keys } = runtime.ctx;
    const follower = runtime.ctx.appliedSources!;
    const me = `${hostname()}:${process.pid}`;
    expect(await publishSources(runtime, fileA, 'start')).toBe(true);
    expect(follower.version).toBe(1);
    // Another scheduler wrote version 2 (x only), and its notice has not reached this process yet: the notices
    // are turned off here (the subscription closed, then one read to settle any notice handled before).
    await follower.stop();
    await follower.refresh();
    expect(follower.version).toBe(1);
    const { json, hash } = digestSources(fileB);
    await redis.hset(keys.configSources, { version: '2', json, hash, appliedAt: '5000', appliedBy: 'other:9' });
    // This one's file changes: the reload meets the newer version, writes nothing, and follows it.
    writeFileSync(file, `sources:\n  - id: x\n    name: x\n    url: https://x.example/rss\n  - id: w\n    name: w\n    url: https://w.example/rss\n`);
    expect(await reloadSources(runtime, settings, 'file changed', true)).toBe(true);
    expect(await redis.hmget(keys.configSources, 'version', 'hash')).toEqual(['2', hash]);
    expect(follower.version).toBe(2);
    expect([...runtime.ctx.sources.keys()]).toEqual(['x']);
    // SIGHUP with that same file: still not applied.
    await reloadSources(runtime, settings, 'SIGHUP', true);
    expect(await redis.hget(keys.configSources, 'version')).toBe('2');
    expect([...runtime.ctx.sources.keys()]).toEqual(['x']);
    // Redis loses the key: the state check writes back the configuration in force (the other one, version 3), and
    // that does not make it this process's file: a SIGHUP with the same file still applies nothing.
    await redis.del(keys.configSources);
    expect(await publishSources(runtime, [...runtime.ctx.sources.values()], 'reload', 'in-force')).toBe(true);
    expect(await redis.hmget(keys.configSources, 'version', 'hash')).toEqual(['3', hash]);
    await reloadSources(runtime, settings, 'SIGHUP', true);
    expect(await redis.hmget(keys.configSources, 'version', 'hash')).toEqual(['3', hash]);
    // The file changes again: applied on top of version 3.
    writeFileSync(file, `sources:\n  - id: z\n    name: z\n    url: https://z.example/rss\n`);
    await reloadSources(runtime, settings, 'file changed', true);
    expect(await redis.hmget(keys.configSources, 'version', 'appliedBy')).toEqual(['4', me]);
    expect([...runtime.ctx.sources.keys()]).toEqual(['z']);
  });
});

describe('sources status', () => {
  it('names the applied version under its table, and whether this file is the one applied', { timeout: 30_000 }, async () => {
    const prefix = testPrefix();
    cleanup.push(() => dropPrefix(prefix));
    const settings = testSettings(prefix);
    const status = async (sources: typeof fileA) => {
      const out = new PassThrough();
      let text = '';
      out.on('data', (d) => (text += d));
      await statusCommand(settings, sources, {}, out, 10_000);
      return text;
    };
    expect(await status(fileA)).not.toMatch(/applied configuration/);
    const redis = new Redis(REDIS_URL);
    cleanup.push(async () => void (await redis.quit()));
    const applied = await applySources(redis, createKeys(prefix), fileA, { mode: 'start', held: 0, now: Date.UTC(2026, 11, 2, 9, 30), by: 'sched:42' });
    expect(await status(fileA)).toMatch(`applied configuration: version 1 (${applied.hash.slice(0, 12)}), by sched:42 at 2026-12-02 09:30 UTC; this file is the one applied`);
    expect(await status(fileB)).toMatch(`this file (${digestSources(fileB).hash.slice(0, 12)}) differs: the workers poll from the applied one`);
  });
});

describe('readSourcesInForce (the desk\'s health pages and gauges)', () => {
  it('reads the applied configuration when Redis holds one, else the sources file', async () => {
    const { redis, keys } = rig();
    const file = writeSourcesFile([{ id: 'from-file', url: 'https://f.example/rss' }]);
    expect((await readSourcesInForce(redis, keys, { sourcesFile: file })).map((s) => s.id)).toEqual(['from-file']);
    await applySources(redis, keys, fileA, { mode: 'start', held: 0, now: 1000, by: 'a:1' });
    expect((await readSourcesInForce(redis, keys, { sourcesFile: '/nonexistent/sources.yaml' })).map((s) => s.id)).toEqual(['x', 'y']);
    // A refused stored configuration: the file, as before.
    await redis.hset(keys.configSources, 'hash', 'f'.repeat(64));
    expect((await readSourcesInForce(redis, keys, { sourcesFile: file })).map((s) => s.id)).toEqual(['from-file']);
  });
});
