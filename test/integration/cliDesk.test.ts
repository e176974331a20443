import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { EDITORIAL, withDesk } from '../helpers/desk.ts';
import { REDIS_URL } from '../helpers/redis.ts';

const run = promisify(execFile);
const cli = (prefix: string, args: string[]) =>
  run(process.execPath, ['bin/signal-desk.js', ...args], { env: { ...process.env, REDIS_URL, SIGNAL_DESK_PREFIX: prefix, SIGNAL_DESK_LOG_LEVEL: 'silent' } }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );

describe('CLI: users', () => {
  it('add prints a working token once (stdout alone), list never shows tokens, revoke stops the token', async () => {
    await withDesk(async (h) => {
      const added = await cli(h.keys.prefix, ['users', 'add', 'dana', '--role', 'editor']);
      expect(added.code).toBe(0);
      const token = added.stdout.trim();
      expect(token).toMatch(/^sdk_[A-Za-z0-9_-]{43}$/);
      expect(added.stderr).toContain('shown only this once');
      expect((await h.api('GET', '/api/me', { token })).body).toMatchObject({ name: 'dana', role: 'editor' });

      const again = await cli(h.keys.prefix, ['users', 'add', 'dana', '--role', 'viewer']);
      expect(again.code).toBe(1);
      expect(again.stderr).toContain('user "dana" exists already; revoke it first');
      expect((await cli(h.keys.prefix, ['users', 'add', 'x', '--role', 'admin'])).stderr).toContain('must be one of: viewer, editor, operator');

      const list = await cli(h.keys.prefix, ['users', 'list', '--json']);
      expect(JSON.parse(list.stdout).map((u: { name: string }) => u.name)).toContain('dana');
      expect(list.stdout).not.toContain(token);
      expect(list.stdout).not.toContain('tokenHash');

      expect((await cli(h.keys.prefix, ['users', 'revoke', 'dana'])).stdout).toContain('revoked');
      expect((await h.api('GET', '/api/me', { token })).status).toBe(401);
      expect((await cli(h.keys.prefix, ['users', 'revoke', 'nobody'])).stderr).toContain('no user "nobody"');
    });
  });
});

describe('CLI: review', () => {
  // Eleven CLI processes, each starting tsx: give a loaded 2-core machine room.
  it('list, show, approve and reject through the same rules as the API', { timeout: 90_000 }, async () => {
    await withDesk(async (h) => {
      const [a, b] = await h.seed([{ title: 'Approve me', summary: 'An excerpt for editors only.' }, { title: 'Reject me' }]);
      const list = await cli(h.keys.prefix, ['review', 'list']);
      expect(list.stdout).toContain('Approve me');
      expect(list.stdout).toContain('2 of 2 pending drafts');

      const show = await cli(h.keys.prefix, ['review', 'show', a!]);
      expect(show.stdout).toContain('An excerpt for editors only.  [editor only]');
      expect(show.stdout).toContain('discovered');

      // The same 422 as the API: required fields are named.
      const early = await cli(h.keys.prefix, ['review', 'approve', a!]);
      expect(early.code).toBe(1);
      expect(early.stderr).toContain('cannot approve yet: horizon, whyNow, whyImportant, editorialConfidence, structuralImpact must be filled in');

      await h.api('PATCH', `/api/drafts/${a}`, { token: h.tokens.editor, body: { version: 1, ...EDITORIAL } });
      // A claim held by an editor in the browser blocks the CLI too (the CLI runs on the real clock).
      h.clock.set(Date.now());
      await h.api('POST', `/api/drafts/${a}/claim`, { token: h.tokens.editor2, body: {} });
      expect((await cli(h.keys.prefix, ['review', 'approve', a!, '--as', 'editor'])).stderr).toContain('is claimed by editor2');
      await h.api('POST', `/api/drafts/${a}/release`, { token: h.tokens.editor2, body: {} });

      const approved = await cli(h.keys.prefix, ['review', 'approve', a!, '--as', 'editor']);
      expect(approved.code).toBe(0);
      expect(approved.stdout).toMatch(/^Approved d_\S+: published as s_\S+ \(stream entry \d+-\d+\)\.$/m);
      expect(await h.redis.xlen(h.keys.signals)).toBe(1);
      expect((await cli(h.keys.prefix, ['review', 'approve', a!])).stderr).toContain('is approved by editor');

      expect((await cli(h.keys.prefix, ['review', 'reject', b!])).stderr).toContain("required option '--reason <text>'");
      const rejected = await cli(h.keys.prefix, ['review', 'reject', b!, '--reason', 'Duplicate of wire copy']);
      expect(rejected.stdout).toContain('Rejected');
      const shown = JSON.parse((await cli(h.keys.prefix, ['review', 'show', b!, '--json'])).stdout);
      expect(shown.status).toBe('rejected');
      expect(shown.history.at(-1)).toMatchObject({ action: 'reject', reason: 'Duplicate of wire copy', actor: expect.stringMatching(/^cli:/) });
      expect((await cli(h.keys.prefix, ['review', 'list', '--status', 'approved'])).stdout).toContain('Approve me');
      expect((await cli(h.keys.prefix, ['review', 'show', 'd_0000000000000000'])).stderr).toContain('no draft d_0000000000000000');
    });
  });
});
