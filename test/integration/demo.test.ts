import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { dropPrefix, REDIS_URL, testPrefix } from '../helpers/redis.ts';

const run = promisify(execFile);
const prefix = testPrefix();
afterAll(() => dropPrefix(prefix));

const demo = () =>
  run(process.execPath, ['bin/signal-desk.js', 'demo'], { env: { ...process.env, REDIS_URL, SIGNAL_DESK_PREFIX: prefix, SIGNAL_DESK_DEMO_PORT: '0' } });

describe('npm run demo', () => {
  it('fills the review queue from the bundled feeds, and a second run adds no draft', { timeout: 60_000 }, async () => {
    const first = await demo();
    expect(first.stdout).toMatch(/6 sources, 25 new drafts, 0 failed/);
    expect(first.stdout).toContain('Review queue:');
    expect(first.stdout).toContain('Arm server chip with 192 cores');
    const second = await demo();
    expect(second.stdout).toMatch(/6 sources, 0 new drafts, 0 failed/);
    expect(second.stdout).toContain('20 of 25 pending drafts');
  });
});
