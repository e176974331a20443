import { readFileSync } from 'node:fs';
import lockfile from 'proper-lockfile';
import { describe, expect, it } from 'vitest';
import { setSourceEnabled } from '../../src/config/editSources.ts';
import { writeSourcesFile } from '../helpers/workerProcess.ts';

describe('edits of the sources file take its lock (proper-lockfile)', () => {
  it('an edit while another holds the lock waits, then says which file and what to do, and writes nothing; once free it applies', { timeout: 30_000 }, async () => {
    const file = writeSourcesFile([{ id: 'alpha', url: 'https://alpha.example/feed' }]);
    const before = readFileSync(file, 'utf8');
    // Another process's edit in progress: it holds the lock and keeps it fresh.
    const release = await lockfile.lock(file, { realpath: false });
    try {
      const err = await setSourceEnabled(file, 'alpha', false).then(() => undefined, (e: unknown) => e as { code?: string; message: string });
      expect(err?.code).toBe('sources_locked');
      expect(err?.message).toContain(`another edit of ${file} holds its lock`);
      expect(err?.message).toContain('try again');
      expect(readFileSync(file, 'utf8')).toBe(before);
    } finally {
      await release();
    }
    const done = await setSourceEnabled(file, 'alpha', false);
    expect(done.changed).toBe(true);
    expect(readFileSync(file, 'utf8')).toContain('enabled: false');
  });
});
