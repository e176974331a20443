import { execFile, spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ROLES } from '../../src/auth/roles.ts';
import { oneOf } from '../../src/cli/options.ts';
import { reportError } from '../../src/cli/reportError.ts';
import { usersAddCommand, usersListCommand, usersRevokeCommand } from '../../src/cli/commands/users.ts';
import { runReview } from '../helpers/cliInProcess.ts';
import { EDITORIAL, withDesk } from '../helpers/desk.ts';
import { REDIS_URL } from '../helpers/redis.ts';

// Starting the CLI costs seconds of tsx start-up on a loaded machine: each test starts at most one process (for
// what only a process shows: stdout against stderr, stdin, the exit code) and runs the rest of its commands
// in-process through the same command definitions and error report (test/helpers/cliInProcess.ts).
const env = (prefix: string) => ({ ...process.env, REDIS_URL, SIGNAL_DESK_PREFIX: prefix, SIGNAL_DESK_LOG_LEVEL: 'silent' });
const run = promisify(execFile);
const cli = (prefix: string, args: string[]) =>
  run(process.execPath, ['bin/signal-desk.js', ...args], { env: env(prefix) }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
/** The CLI as a process, with `input` on its stdin. */
const cliWithStdin = (prefix: string, args: string[], input: string) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/signal-desk.js', ...args], { env: env(prefix) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(input);
  });

/** A command function run in-process: its output, and what the CLI prints and exits with when it throws. */
async function inProcess(fn: (out: NodeJS.WritableStream, err: NodeJS.WritableStream) => Promise<number>) {
  let stdout = '';
  let stderr = '';
  const sink = (add: (s: string) => void) => new Writable({ write: (c, _e, done) => (add(String(c)), done()) });
  const out = sink((s) => (stdout += s));
  const err = sink((s) => (stderr += s));
  const code = await fn(out, err).catch((e: unknown) => reportError(e, err));
  return { code, stdout, stderr };
}

describe('CLI: users', () => {
  it('add prints a working token once (stdout alone), list never shows tokens, revoke stops the token', async () => {
    await withDesk(async (h) => {
      const added = await cli(h.keys.prefix, ['users', 'add', 'dana', '--role', 'editor']);
      expect(added.code).toBe(0);
      const token = added.stdout.trim();
      expect(token).toMatch(/^sdk_[A-Za-z0-9_-]{43}$/);
      expect(added.stderr).toContain('shown only this once');
      expect((await h.api('GET', '/api/me', { token })).body).toMatchObject({ name: 'dana', role: 'editor' });

      const again = await inProcess((out, err) => usersAddCommand(h.settings, 'dana', 'viewer', out, err));
      expect(again.code).toBe(1);
      expect(again.stderr).toContain('user "dana" exists already; revoke it first');
      expect(() => oneOf(ROLES)('admin')).toThrow('must be one of: viewer, editor, operator');

      const list = await inProcess((out) => usersListCommand(h.settings, { json: true }, out));
      expect(JSON.parse(list.stdout).map((u: { name: string }) => u.name)).toContain('dana');
      expect(list.stdout).not.toContain(token);
      expect(list.stdout).not.toContain('tokenHash');

      // The one readable time form of every message (formatUtc), not ISO 8601 with milliseconds.
      expect((await inProcess((out) => usersRevokeCommand(h.settings, 'dana', out))).stdout).toMatch(/^User "dana" revoked at \d{4}-\d\d-\d\d \d\d:\d\d UTC: /);
      expect((await inProcess((out) => usersListCommand(h.settings, {}, out))).stdout).toMatch(/dana .*\d{4}-\d\d-\d\d \d\d:\d\d UTC/);
      expect((await h.api('GET', '/api/me', { token })).status).toBe(401);
      expect((await inProcess((out) => usersRevokeCommand(h.settings, 'nobody', out))).stderr).toContain('no user "nobody"');
    });
  });
});

describe('CLI: review', () => {
  it('list, show, approve and reject through the same rules as the API', async () => {
    await withDesk(async (h) => {
      const review = (args: string[]) => runReview(h.settings, args);
      const [a, b] = await h.seed([{ title: 'Approve me', summary: 'An excerpt for editors only.' }, { title: 'Reject me' }]);
      const list = await review(['list']);
      expect(list.stdout).toContain('Approve me');
      expect(list.stdout).toContain('2 of 2 pending drafts');

      const show = await review(['show', a!]);
      expect(show.stdout).toContain('An excerpt for editors only.  [editor only]');
      expect(show.stdout).toContain('discovered');

      // The same 422 as the API: required fields are named as the desk labels them.
      const early = await review(['approve', a!]);
      expect(early.code).toBe(1);
      expect(early.stderr).toContain("signal-desk: cannot approve yet: Horizon, Why now, Why it's important, Editorial confidence, Structural impact must be filled in");

      await h.api('PATCH', `/api/drafts/${a}`, { token: h.tokens.editor, body: { version: 1, ...EDITORIAL } });
      // A claim held by an editor in the browser blocks the CLI too (the CLI runs on the real clock).
      h.clock.set(Date.now());
      await h.api('POST', `/api/drafts/${a}/claim`, { token: h.tokens.editor2, body: {} });
      expect((await review(['approve', a!, '--as', 'editor'])).stderr).toContain('is claimed by editor2');
      await h.api('POST', `/api/drafts/${a}/release`, { token: h.tokens.editor2, body: {} });

      const approved = await review(['approve', a!, '--as', 'editor']);
      expect(approved.code).toBe(0);
      expect(approved.stdout).toMatch(/^Approved d_\S+: published as s_\S+ \(stream entry \d+-\d+\)\.$/m);
      expect(await h.redis.xlen(h.keys.signals)).toBe(1);
      expect((await review(['approve', a!])).stderr).toMatch(/is approved by editor at \d{4}-\d\d-\d\d \d\d:\d\d UTC; only pending drafts/);

      const noReason = await review(['reject', b!]);
      expect(noReason.code).toBe(1);
      expect(noReason.stderr).toContain("required option '--reason <text>'");
      const rejected = await review(['reject', b!, '--reason', 'Duplicate of wire copy']);
      expect(rejected.stdout).toContain('Rejected');
      const shown = JSON.parse((await review(['show', b!, '--json'])).stdout);
      expect(shown.status).toBe('rejected');
      expect(shown.history.at(-1)).toMatchObject({ action: 'reject', reason: 'Duplicate of wire copy', actor: expect.stringMatching(/^cli:/) });
      expect((await review(['list', '--status', 'approved'])).stdout).toContain('Approve me');
      const missing = await review(['show', 'd_0000000000000000']);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toContain('no draft d_0000000000000000');
    });
  });

  it('edit sets fields by their desk labels, lists and numbers included, with the API\'s 422 and 409 answers', async () => {
    await withDesk(async (h) => {
      const review = (args: string[], stdin?: string) => runReview(h.settings, args, stdin);
      const [id] = await h.seed([{ title: 'Edit me', author: 'Anton Shilov' }]);

      // An empty draft: the author is shown, each editorial field once with "—", no "confidence / impact   / ".
      const empty = (await review(['show', id!])).stdout;
      expect(empty).toMatch(/^author {15}Anton Shilov$/m);
      expect(empty).toMatch(/^why now {14}—$/m);
      expect(empty).toMatch(/^excerpt {14}none {2}\[editor only\]$/m);
      expect(empty).toMatch(/^editorial confidence —$/m);
      expect(empty).toMatch(/^structural impact {4}—$/m);
      expect(empty).not.toMatch(/ \/ *$/m);

      const edited = await review(['edit', id!, '--set', 'Why now=Renewals start in January.', '--set', 'winners=Fork maintainers, Cloud hosts', '--set', 'winners=Integrators', '--set', 'editorial-confidence=70', '--set', 'Horizon=Short term', '--set', 'Direct effect=Budgets move']);
      expect(edited.code).toBe(0);
      expect(edited.stdout).toBe(`Edited ${id}: Horizon, Why now, Winners, Second-order effects, Editorial confidence (now version 2).\nStill needed to approve: Why it's important, Structural impact.\n`);
      const after = (await h.api('GET', `/api/drafts/${id}`, { token: h.tokens.viewer })).body;
      expect(after).toMatchObject({ whyNow: 'Renewals start in January.', winners: ['Fork maintainers', 'Cloud hosts', 'Integrators'], editorialConfidence: 70, horizon: 'Short term', secondOrderEffects: { direct: 'Budgets move', second: '', third: '' } });
      expect(after.history.at(-1)).toMatchObject({ action: 'edit', version: 2, actor: expect.stringMatching(/^cli:/) });

      // An empty value clears: null for a category, [] for a list.
      await review(['edit', id!, '--set', 'category=Chips']);
      expect((await review(['edit', id!, '--set', 'category=', '--set', 'Winners='])).stdout).toContain('Category, Winners (now version 4)');
      expect((await h.api('GET', `/api/drafts/${id}`, { token: h.tokens.viewer })).body).toMatchObject({ category: null, winners: [] });
      expect((await review(['edit', id!, '--set', 'category='])).stdout).toBe(`No change to ${id}: it says that already (version 4).\nStill needed to approve: Category, Why it's important, Structural impact.\n`);

      // The service's 422, with the field named as the desk labels it.
      const long = await review(['edit', id!, '--set', `whyNow=${'x'.repeat(1001)}`]);
      expect(long.code).toBe(1);
      expect(long.stderr).toBe('signal-desk: invalid fields: Why now: at most 1000 characters\n');
      expect((await review(['edit', id!, '--set', 'score=high'])).stderr).toContain('Signal score: a whole number from 0 to 100');
      expect((await review(['edit', id!, '--set', 'excerpt=mine'])).stderr).toContain('Excerpt: cannot be edited; editable fields are: Headline, Category');
      expect((await review(['edit', id!, '--set', 'nonsense=1'])).stderr).toContain('unknown field "nonsense" (--set nonsense): editable fields are: Headline, Category');
      expect((await review(['edit', id!, '--set', 'whyNow'])).stderr).toContain('write FIELD=VALUE');
      expect((await review(['edit', id!, '--set', 'whyNow=a', '--set', 'Why now=b'])).stderr).toContain('Why now: set twice');
      expect((await review(['edit', id!])).stderr).toContain('nothing to edit');

      // A stale --version gets the API's 409; without --version the current version is read just before.
      const stale = await review(['edit', id!, '--version', '1', '--set', 'whyNow=Late']);
      expect(stale.code).toBe(1);
      expect(stale.stderr).toContain(`draft ${id} changed since you read it (you sent version 1, it is now at 4)`);
      expect((await h.api('GET', `/api/drafts/${id}`, { token: h.tokens.viewer })).body.whyNow).toBe('Renewals start in January.');

      // --from a file (labels or names; `version` in it is the version read) and from stdin, --set on top.
      const dir = await mkdtemp(join(tmpdir(), 'sd-edit-'));
      const file = join(dir, 'fields.json');
      await writeFile(file, JSON.stringify({ "Why it's important": 'Fleets pay more.', structuralImpact: 80, tags: ['licensing', 'cloud'], version: 4 }));
      expect((await review(['edit', id!, '--from', file, '--set', 'category=Infrastructure Software'])).stdout).toBe(`Edited ${id}: Category, Why it's important, Structural impact, Tags (now version 5).\nReady to approve: signal-desk review approve ${id}\n`);
      expect((await review(['edit', id!, '--from', '-'], '{"whatChanges": "Procurement reopens."}')).stdout).toContain('What changes (now version 6)');
      expect((await review(['edit', id!, '--from', '-'], '[1, 2]')).stderr).toContain('stdin holds a list, not an object of fields');
      expect((await review(['edit', id!, '--from', join(dir, 'none.json')])).stderr).toContain(`cannot read ${join(dir, 'none.json')}: no such file`);

      const help = await review(['edit', '--help']);
      expect(help.stdout.replace(/\s+/g, ' ')).toContain('default: the current version, read just before the change');
    });
  });

  it('claim, release (--force for operators), merge --into and reopen, with the desk\'s 409 in readable UTC', async () => {
    await withDesk(async (h) => {
      const review = (args: string[]) => runReview(h.settings, args);
      const [a, b] = await h.seed([{ title: 'Merge me' }, { title: 'Keep me' }]);
      h.clock.set(Date.now());
      const claimed = await review(['claim', a!, '--as', 'editor']);
      expect(claimed.stdout).toMatch(new RegExp(`^Claimed ${a} until \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC\\.\\n$`));
      const claim = (await h.api('GET', `/api/drafts/${a}`, { token: h.tokens.viewer })).body.claim;
      expect(claim.user).toBe('editor');
      expect(claim.expiresAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect((await review(['claim', a!, '--as', 'editor'])).stdout).toContain(`Renewed your claim on ${a}`);

      // Another editor: who holds it until when, and to wait or ask (an operator can take it over).
      const until = `${claim.expiresAt.slice(0, 16).replace('T', ' ')} UTC`;
      const refused = await review(['claim', a!, '--as', 'editor2']);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toBe(`signal-desk: draft ${a} is claimed by editor until ${until}: wait until then or ask editor to release it (an operator can take it over)\n`);
      expect((await review(['release', a!, '--force', '--as', 'editor2'])).stderr).toContain("editor2 (role editor) cannot force another editor's claim");
      // The CLI's own user is an operator: told how to take over, and it can.
      expect((await review(['edit', a!, '--set', 'whyNow=x'])).stderr).toContain(`or take it over: Force claim on the draft's page, or signal-desk review claim ${a} --force`);
      expect((await review(['claim', a!, '--force'])).stdout).toMatch(new RegExp(`^Took over ${a} from editor: yours until `));
      expect((await review(['release', a!])).stdout).toBe(`Released ${a}.\n`);
      expect((await review(['release', a!])).stdout).toBe(`${a} was not claimed: nothing to release.\n`);

      const merged = await review(['merge', a!, '--into', b!]);
      expect(merged.stdout).toBe(`Merged ${a} into ${b}: listed there as related coverage (undo: signal-desk review reopen ${a}).\n`);
      expect((await h.api('GET', `/api/drafts/${b}`, { token: h.tokens.viewer })).body.related.map((r: { draftId: string }) => r.draftId)).toEqual([a]);
      expect((await review(['merge', b!, '--into', b!])).stderr).toContain('a draft cannot be merged into itself');
      expect((await review(['merge', b!, '--into', 'nope'])).stderr).toContain('Merge into: must be a draft id (d_…)');
      expect((await review(['merge', b!])).stderr).toContain("required option '--into <id>'");
      const reopened = await review(['reopen', a!]);
      expect(reopened.stdout).toBe(`Reopened ${a}: pending again, back in the queue (version 3).\n`);
      expect((await h.api('GET', `/api/drafts/${b}`, { token: h.tokens.viewer })).body.related).toEqual([]);
      expect((await review(['reopen', a!])).stderr).toContain(`draft ${a} is pending`);
    });
  });

  it('the installed CLI reads --from - on stdin and exits 1 with the labelled 422; --version after the command is the draft version', async () => {
    await withDesk(async (h) => {
      const [id] = await h.seed([{}]);
      const r = await cliWithStdin(h.keys.prefix, ['review', 'edit', id!, '--from', '-', '--version', '1'], JSON.stringify({ whyNow: 'y'.repeat(5000), winners: 'Fork maintainers' }));
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe('signal-desk: invalid fields: Why now: at most 1000 characters; Winners: a list of entries\n');
      expect((await h.api('GET', `/api/drafts/${id}`, { token: h.tokens.viewer })).body.version).toBe(1);
    });
  });
});
