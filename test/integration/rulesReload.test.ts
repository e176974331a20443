import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { matchRules } from '../../src/rules/matchRules.ts';
import { watchRules } from '../../src/rules/watchRules.ts';
import { startRuntime } from '../../workers/runtime.ts';
import { createLogger } from '../../src/log.ts';
import { dropPrefix, testPrefix, testSettings } from '../helpers/redis.ts';

const rule = (name: string, keyword: string, extra = 'tag: t') => `  - name: ${name}\n    when: {keyword: ${keyword}}\n    ${extra}\n`;
const input = { headline: 'Samsung raises DRAM prices; Sponsored by nobody', excerpt: null, sourceId: 's', category: null, lang: null, entities: [], tags: [] };

function logSink() {
  const lines: { level: string; msg: string }[] = [];
  return {
    lines,
    logger: { info: (_o: object, msg: string) => void lines.push({ level: 'info', msg }), error: (_o: object, msg: string) => void lines.push({ level: 'error', msg }) },
  };
}

describe('rules reloaded live', () => {
  it('applies a changed file at once, refuses an invalid one whole (the rules in force stay), and an absent file is no rules', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sd-rules-'));
    const file = join(dir, 'rules.yaml');
    const { lines, logger } = logSink();
    writeFileSync(file, `rules:\n${rule('memory', 'DRAM')}`);
    const rules = await watchRules(file, logger, 20);
    try {
      expect(rules.current().rules.map((r) => r.name)).toEqual(['memory']);
      // Replaced by rename, as editors and config tools do.
      writeFileSync(join(dir, 'next.tmp'), `rules:\n${rule('memory', 'DRAM')}${rule('sponsored', 'sponsored', 'drop: true')}`);
      renameSync(join(dir, 'next.tmp'), file);
      await vi.waitFor(() => expect(rules.current().rules.map((r) => r.name)).toEqual(['memory', 'sponsored']), { timeout: 10_000, interval: 20 });
      expect(matchRules(input, rules.current()).drop).toBe('sponsored');

      writeFileSync(join(dir, 'next.tmp'), `rules:\n${rule('memory', 'DRAM')}  - name: broken\n    when: {regex: '(a|a)*b'}\n    tag: x\n`);
      renameSync(join(dir, 'next.tmp'), file);
      await vi.waitFor(() => expect(lines.some((l) => l.level === 'error')).toBe(true), { timeout: 10_000, interval: 20 });
      const refusal = lines.find((l) => l.level === 'error')!.msg;
      expect(refusal).toMatch(/rules file refused; the 2 rules in force stay/);
      expect(refusal).toMatch(/rules\.yaml:6: rule "broken" field "when\.regex": pattern "\(a\|a\)\*b" is refused/);
      expect(rules.current().rules.map((r) => r.name)).toEqual(['memory', 'sponsored']);

      rmSync(file);
      await vi.waitFor(() => expect(rules.current().rules).toEqual([]), { timeout: 10_000, interval: 20 });
    } finally {
      rules.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the workers read SIGNAL_DESK_RULES: the runtime has its rules, and refuses to start on an invalid file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sd-rules-'));
    const file = join(dir, 'rules.yaml');
    const prefix = testPrefix();
    try {
      writeFileSync(file, `rules:\n${rule('memory', 'DRAM', 'boost: 10')}`);
      const runtime = await startRuntime(testSettings(prefix, { SIGNAL_DESK_RULES: file }), [], { workers: false, logger: createLogger('silent') });
      try {
        expect(matchRules(input, runtime.ctx.rules.current())).toMatchObject({ boost: 10, hits: [{ rule: 'memory', action: 'boost' }] });
      } finally {
        await runtime.stop();
      }
      writeFileSync(file, `rules:\n  - name: x\n    when: {keyword: DRAM}\n`);
      await expect(startRuntime(testSettings(prefix, { SIGNAL_DESK_RULES: file }), [], { workers: false, logger: createLogger('silent') })).rejects.toThrow(/rules\.yaml:2: rule "x": does nothing/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await dropPrefix(prefix);
    }
  });
});
