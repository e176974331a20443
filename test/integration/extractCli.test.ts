import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// `signal-desk extract`: the measurement contract ../shared/tools/metadata_check.py scores, run as a user would.
const CONTRACT_KEYS = ['file', 'url', 'title', 'description', 'author', 'publishedAt', 'siteName', 'lang', 'canonicalUrl', 'image'];

function cli(args: string[], stdin = ''): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ['bin/signal-desk.js', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => done({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

const fixture = (name: string) => resolve(`fixtures/article/${name}.html`);

describe('signal-desk extract', { timeout: 60_000 }, () => {
  it('--jsonl: one line per manifest line, in order, with exactly the contract keys; a bad line gets an error, not a gap', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sd-extract-'));
    const latin = join(dir, 'latin.html');
    writeFileSync(latin, Buffer.concat([Buffer.from('<html lang="fr"><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1"><title>'), Buffer.from([0xc9, 0x74, 0xe9]), Buffer.from('</title>')]));
    const manifest = [
      { file: fixture('jsonld-graph'), url: 'https://news.example/2024/rates.html' },
      { file: join(dir, 'missing.html'), url: null },
      { file: fixture('byline-split'), url: null },
      { file: latin, url: 'https://fr.example/p' },
    ].map((l) => JSON.stringify(l)).join('\n') + '\nnot json\n';
    const { code, stdout } = await cli(['extract', '--jsonl'], manifest);
    const lines = stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(5);
    for (const l of lines) expect(Object.keys(l).filter((k) => !['error', '_ms'].includes(k))).toEqual(CONTRACT_KEYS);
    expect(lines[0]).toMatchObject({ title: 'Central bank holds rates', author: 'Ana Ruiz', siteName: 'Daily Ledger', lang: 'en', canonicalUrl: 'https://news.example/2024/rates.html', image: 'https://news.example/img/rates.jpg' });
    expect(lines[1]).toMatchObject({ file: join(dir, 'missing.html'), title: null, error: expect.stringContaining('cannot read the page') });
    expect(lines[2]).toMatchObject({ author: 'Priya Shah; Tom Boyd', url: null, canonicalUrl: null }); // no URL given: no made-up canonical
    expect(lines[3]).toMatchObject({ title: 'Été', lang: 'fr' });
    expect(lines[4].error).toMatch(/not JSON/);
    expect(code).toBe(1); // some lines failed
  });

  it('FILE: each field with its value and the rule that gave it', async () => {
    const { code, stdout } = await cli(['extract', fixture('opengraph-only'), '--url', 'https://news.example/a']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/title\s+Port strike ends after 3 days\s+\[meta:og:title\]/);
    expect(stdout).toMatch(/site\s+Harbour Times\s+\[meta:og:site_name\]/);
    expect(stdout).toMatch(/authors\s+—/); // a Facebook URL in article:author is not an author
  });

  it('FILE --json: the full metadata with provenance, robots and refusals', async () => {
    const { stdout } = await cli(['extract', fixture('canonical-other-site'), '--json', '--url', 'https://news.example/2024/story.html']);
    const m = JSON.parse(stdout);
    expect(m.canonicalUrl).toEqual({ value: 'https://www.news.example/2024/story.html', rule: 'meta:og:url' });
    expect(m.ignored).toEqual(['canonical https://other.example/x (link rel=canonical) points at another site']);
  });

  it('a missing file is an error that says which file, exit 1', async () => {
    const { code, stderr } = await cli(['extract', 'no/such/page.html']);
    expect(code).toBe(1);
    expect(stderr).toContain('no/such/page.html: cannot read the page (ENOENT)');
  });
});
