import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { commitDrafts } from '../../src/dedupe/seenStore.ts';
import { ageRank, reviewRank } from '../../src/drafts/score.ts';
import { toDraft } from '../../src/drafts/toDraft.ts';
import { createRedis } from '../../src/queue/connection.ts';
import { createKeys } from '../../src/queue/keys.ts';
import { dropPrefix, REDIS_URL, testPrefix } from '../helpers/redis.ts';

const run = promisify(execFile);
const cli = (args: string[], env: Record<string, string> = {}) =>
  run(process.execPath, ['bin/signal-desk.js', ...args], { env: { ...process.env, SIGNAL_DESK_LOG_LEVEL: 'silent', ...env } }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );

// Each test starts the CLI (a process with tsx): slow on a loaded machine.
describe('signal-desk rules validate', { timeout: 120_000 }, () => {
  it('says what is in force when the file is valid', async () => {
    const r = await cli(['rules', 'validate', 'fixtures/rules/desk.yaml']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('fixtures/rules/desk.yaml: 3 rules in force (1 boost, 1 tag, 1 route, 1 drop), no problems\n');
  });

  it('lists every problem with file, line, rule and field, catastrophic patterns included, and exits 1', async () => {
    const r = await cli(['rules', 'validate', 'fixtures/rules/catastrophic.yaml']);
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines[0]).toMatch(/^fixtures\/rules\/catastrophic\.yaml:5: rule "nested" field "when\.regex": pattern "\(\\\\w\+\\\\s\?\)\+\$" is refused: it repeats a repetition/);
    expect(lines[1]).toMatch(/^fixtures\/rules\/catastrophic\.yaml:9: rule "overlapping" field "when\.regex": pattern "\(a\|a\)\*b" is refused: it took over/);
    expect(lines[2]).toBe('2 problems: the file is refused until all are fixed (the workers keep the rules they had)');
  });

  it('reads SIGNAL_DESK_RULES without an argument, and says how to fix a missing file', async () => {
    const r = await cli(['rules', 'validate'], { SIGNAL_DESK_RULES: 'fixtures/rules/none.yaml' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('fixtures/rules/none.yaml: cannot read the rules file (ENOENT); set SIGNAL_DESK_RULES to its path');
  });
});

describe('signal-desk rules test', { timeout: 120_000 }, () => {
  it('shows which rules hit which items of a JSON-lines file and what they would do', async () => {
    const r = await cli(['rules', 'test', '--rules', 'fixtures/rules/desk.yaml', 'fixtures/rules/items.jsonl']);
    expect(r.code).toBe(0);
    const row = (id: string) => r.stdout.split('\n').find((l) => l.startsWith(`${id} `))!;
    expect(row('i1')).toMatch(/the-register\s+Samsung raises DRAM contract prices\s+memory-chips\s+\+15 points; tags memory$/);
    expect(row('i2')).toMatch(/sponsored\s+dropped by sponsored$/);
    expect(row('i3')).toMatch(/cloud-desk\s+view cloud$/);
    expect(row('i4')).toMatch(/A quiet day in Parliament\s*$/);
    expect(r.stdout).toContain('i2: sponsored (drop): pattern /^\\s*(sponsored|advertorial)\\b/ matched "Sponsored" in the headline: dropped (rejected, can be reopened)');
    expect(r.stdout).toContain('3 of 4 items hit a rule, 1 would be dropped');
  });

  it('--json prints one line per item with the rules outcome', async () => {
    const r = await cli(['rules', 'test', '--json', '--rules', 'fixtures/rules/desk.yaml', 'fixtures/rules/items.jsonl']);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.id, l.drop, l.boost, l.view])).toEqual([['i1', null, 15, null], ['i2', 'sponsored', 0, null], ['i3', null, 0, 'cloud'], ['i4', null, 0, null]]);
    expect(Object.keys(lines[0])).toEqual(['id', 'headline', 'source', 'hits', 'boost', 'tags', 'view', 'drop']);
  });

  it('reads a feed file as the source its items come from', async () => {
    const r = await cli(['rules', 'test', '--json', '--rules', 'fixtures/rules/desk.yaml', '--source', 'the-register', 'fixtures/demo/the-register.atom']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.every((l) => l.source === 'the-register')).toBe(true);
    // "cloud" in the VMware item's excerpt, "egress" in the other's headline; the feed's other items go to no view.
    expect(lines.filter((l) => l.view === 'cloud').map((l) => l.headline)).toEqual([expect.stringMatching(/VMware/), expect.stringMatching(/egress/i)]);
  });

  it('refuses to test with an invalid rules file', async () => {
    const r = await cli(['rules', 'test', '--rules', 'fixtures/rules/catastrophic.yaml', 'fixtures/rules/items.jsonl']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/catastrophic\.yaml:5: rule "nested"/);
  });

  it('tests a stored draft by id, and the drafts waiting for review without an argument', async () => {
    const prefix = testPrefix();
    const redis = createRedis(REDIS_URL);
    const keys = createKeys(prefix);
    try {
      const source = { id: 'reg', name: 'The Register', url: 'https://www.theregister.com/headlines.atom', weight: 0.7, category: 'Infrastructure Hardware', tags: [] };
      const now = Date.parse('2026-11-27T10:00:00Z');
      const drafts = [
        { title: 'Micron sells out of HBM for 2027', summary: 'Memory maker says capacity is booked.' },
        { title: 'Advertorial: why your business needs AI', summary: null },
        { title: 'Quiet news day', summary: null },
      ].map((it, n) => toDraft({ key: `k${n}`, guid: `g${n}`, url: `https://www.theregister.com/${n}`, author: null, publishedAt: new Date(now - n * 60_000).toISOString(), updatedAt: null, categories: [], ...it }, source, new Date(now).toISOString()));
      await commitDrafts(redis, keys, source.id, drafts.map((d, i) => ({ itemHash: `h${i}`, urlHash: undefined, draftId: d.id, rank: reviewRank(d.score, d.discoveredAt), age: ageRank(d.publishedAt, d.discoveredAt), json: JSON.stringify(d) })), now, 86_400_000);
      const env = { REDIS_URL, SIGNAL_DESK_PREFIX: prefix, SIGNAL_DESK_RULES: 'fixtures/rules/desk.yaml' };

      const one = await cli(['rules', 'test', '--json', drafts[0]!.id], env);
      expect(one.code).toBe(0);
      expect(JSON.parse(one.stdout)).toMatchObject({ id: drafts[0]!.id, boost: 15, tags: ['memory'], hits: [{ rule: 'memory-chips', action: 'boost', detail: 'keyword "HBM" in the headline: +15 points' }, { rule: 'memory-chips', action: 'tag' }] });

      const all = await cli(['rules', 'test'], env);
      expect(all.code).toBe(0);
      expect(all.stdout).toContain('2 of 3 items hit a rule, 1 would be dropped');

      const missing = await cli(['rules', 'test', 'd_AAAAAAAAAAAAAAAA'], env);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toContain('no draft d_AAAAAAAAAAAAAAAA (see signal-desk review list)');
    } finally {
      await redis.quit();
      await dropPrefix(prefix);
    }
  });
});
