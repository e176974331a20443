import { execFile, spawn } from 'node:child_process';
import { mkdtemp, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { runReview } from '../helpers/cliInProcess.ts';
import { withDesk, type DeskHarness } from '../helpers/desk.ts';
import { REDIS_URL } from '../helpers/redis.ts';

const BIN = resolve(import.meta.dirname, '../../bin/signal-desk.js');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** The real CLI as a process; `feed` writes its stdin (and may go on writing until the process exits). */
function cli(h: DeskHarness, args: string[], feed?: (stdin: NodeJS.WritableStream, done: () => boolean) => void): Promise<Run> {
  const started = Date.now();
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, REDIS_URL, SIGNAL_DESK_PREFIX: h.keys.prefix, SIGNAL_DESK_LOG_LEVEL: 'silent' }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let exited = false;
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  child.stdin.on('error', () => undefined);
  if (feed) feed(child.stdin, () => exited);
  else child.stdin.end();
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  return new Promise((done) =>
    child.on('close', (code) => {
      exited = true;
      clearTimeout(timer);
      done({ code, stdout, stderr, ms: Date.now() - started });
    }),
  );
}

describe('review edit --from, input 10× (and 10,000×) larger than a draft (issue 11)', () => {
  it('stdin that never ends (`yes | … --from -`) is refused once past the limit, exit 1, without reading it all; so is a huge file, by its size', { timeout: 90_000 }, async () => {
    await withDesk(async (h) => {
      const [id] = await h.seed([{}]);
      // Found: stdin was read whole into one string: after ~512 MB "unexpected error: RangeError: Invalid string
      // length" with a stack trace, exit 70 (a bug), and the memory of it all on the way.
      const line = Buffer.from(`{"whyNow": "${'x'.repeat(1000)}"}\n`.repeat(64));
      const endless = await cli(h, ['review', 'edit', id!, '--from', '-'], (stdin, exited) => {
        const pump = () => {
          while (!exited() && stdin.write(line));
          if (!exited()) stdin.once('drain', pump);
        };
        pump();
      });
      expect(endless.stderr).not.toContain('unexpected error');
      expect(endless.stderr).toMatch(/^signal-desk: stdin holds more than 262144 bytes: a --from file holds one draft's fields, at most 262144 bytes/);
      expect(endless.code).toBe(1);

      // A 700 MB file (a wrong path to an image, a log): refused by its size before a byte is read (it was read
      // whole, then "Invalid string length").
      const dir = await mkdtemp(join(tmpdir(), 'sd-editfrom-'));
      const big = join(dir, 'big.json');
      await writeFile(big, '');
      await truncate(big, 700 * 1024 * 1024);
      const huge = await cli(h, ['review', 'edit', id!, '--from', big]);
      expect([huge.code, huge.stderr]).toEqual([1, `signal-desk: ${big} holds ${700 * 1024 * 1024} bytes: a --from file holds one draft's fields, at most 262144 bytes (as the API takes)\n`]);
      expect(huge.ms).toBeLessThan(15_000);
      expect((await h.api('GET', `/api/drafts/${id}`, { token: h.tokens.viewer })).body).toMatchObject({ version: 1, whyNow: '' });
    });
  });

  it('a pipe (`--from <(jq …)`, a FIFO) is read to its end, and a file saved with a byte order mark is JSON like any other', { timeout: 60_000 }, async () => {
    await withDesk(async (h) => {
      const [id] = await h.seed([{}]);
      const dir = await mkdtemp(join(tmpdir(), 'sd-editfrom-'));
      // Found: a UTF-8 file with a BOM (Notepad's default) was "not JSON (Unexpected token U+FEFF …)".
      const bom = join(dir, 'bom.json');
      await writeFile(bom, `\uFEFF${JSON.stringify({ 'Why now': 'Contract prices reset this quarter' })}`);
      const viaBom = await cli(h, ['review', 'edit', id!, '--from', bom]);
      expect([viaBom.code, viaBom.stderr]).toEqual([0, '']);
      expect(viaBom.stdout).toContain('Edited');

      // A FIFO has stat size 0: the capped read goes on to its end (a reader that trusted the size read 1 byte).
      const fifo = join(dir, 'edit.fifo');
      await promisify(execFile)('mkfifo', [fifo]);
      const text = JSON.stringify({ whyImportant: `Buyers ${'renegotiate '.repeat(80)}`.slice(0, 900) });
      const [viaFifo] = await Promise.all([cli(h, ['review', 'edit', id!, '--from', fifo]), writeFile(fifo, text)]);
      expect([viaFifo.code, viaFifo.stderr]).toEqual([0, '']);
      const d = (await h.api('GET', `/api/drafts/${id}`, { token: h.tokens.viewer })).body;
      expect([d.whyNow, d.whyImportant.length]).toEqual(['Contract prices reset this quarter', 900]);

      // stdin within the limit still works, in several chunks.
      const viaStdin = await cli(h, ['review', 'edit', id!, '--from', '-'], (stdin) => {
        stdin.write('{"whatChanges": "Long-term');
        setTimeout(() => stdin.end(' contracts"}'), 50);
      });
      expect([viaStdin.code, viaStdin.stderr]).toEqual([0, '']);
      expect((await h.api('GET', `/api/drafts/${id}`, { token: h.tokens.viewer })).body.whatChanges).toBe('Long-term contracts');
    });
  });

  it('a file naming one field twice (by name and by label) is refused, never one value silently dropped (found: the last one won)', async () => {
    await withDesk(async (h) => {
      const [id] = await h.seed([{}]);
      const r = await runReview(h.settings, ['edit', id!, '--from', '-'], JSON.stringify({ whyNow: 'the reviewed text', 'Why now': 'a stale paste' }));
      expect([r.code, r.stderr]).toEqual([1, 'signal-desk: Why now: given twice in stdin, as "whyNow" and "Why now": give it once\n']);
      expect((await h.api('GET', `/api/drafts/${id}`, { token: h.tokens.viewer })).body).toMatchObject({ version: 1, whyNow: '' });
      // Distinct fields, and the parts of the second-order effects, still go together.
      const ok = await runReview(h.settings, ['edit', id!, '--from', '-'], JSON.stringify({ whyNow: 'a', 'Why it’s important': 'b', 'secondOrderEffects.direct': 'c' }));
      expect([ok.code, ok.stderr]).toEqual([0, '']);
    });
  });
});
