import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.ts';

// Issue 11, item 9: every process's logs (run, serve, the workers: all through createLogger) carry ISO 8601 times.
describe('createLogger', () => {
  it('writes JSON lines with ISO 8601 times to its file, at once', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'sd-log-')), 'x.log');
    const logger = createLogger('info', { file });
    logger.info({ source_id: 'wire' }, 'polled');
    logger.debug('below the level');
    // Written synchronously: in the file as soon as the call returns.
    const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 30, service: 'signal-desk', source_id: 'wire', msg: 'polled' });
    expect(lines[0]!.time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });

  it('with neither a file nor stderr, logs nothing (run --once without --verbose)', () => {
    expect(createLogger('info', { stderr: false }).level).toBe('silent');
  });
});
