import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, openSync, closeSync, ftruncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// Attack 9 on `signal-desk extract --jsonl`, run as a process: the manifest names files that are not pages.

function cli(args: string[], stdin: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    // Killed after 30 s: on the code as found, the FIFO blocked the process for ever.
    const child = spawn(process.execPath, ['bin/signal-desk.js', ...args], { stdio: ['pipe', 'pipe', 'pipe'], timeout: 30_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => done({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

describe('signal-desk extract --jsonl: files that are not pages', { timeout: 60_000 }, () => {
  it('a FIFO and a file over the cap get an error line each, judged before reading; the lines after them are still read, in order', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sd-atk9-'));
    const fifo = join(dir, 'page.fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    // 1.5 GB, sparse (no disk): it was read whole into memory before the 50 MB cap refused it.
    const big = join(dir, 'big.html');
    const fd = openSync(big, 'w');
    ftruncateSync(fd, 1500 * 1024 * 1024);
    closeSync(fd);
    const ok = join(dir, 'ok.html');
    writeFileSync(ok, '<title>After them</title>');
    const manifest = [fifo, big, dir, ok].map((file) => JSON.stringify({ file, url: null })).join('\n') + '\n';
    const { stdout } = await cli(['extract', '--jsonl'], manifest);
    const lines = stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l.file)).toEqual([fifo, big, dir, ok]);
    expect(lines[0]!.error).toMatch(/not a regular file/);
    expect(lines[1]!.error).toMatch(/1572864000 bytes is over the 52428800-byte page cap/);
    expect(lines[2]!.error).toMatch(/EISDIR/);
    expect(lines[3]).toMatchObject({ title: 'After them' });
    expect(lines[3]!.error).toBeUndefined();
  });
});
