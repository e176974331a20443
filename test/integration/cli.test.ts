import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const cli = (args: string[], env: Record<string, string> = {}) =>
  run(process.execPath, ['bin/signal-desk.js', ...args], { env: { ...process.env, ...env } }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );

describe('docker-compose.yml', () => {
  const compose = parse(readFileSync('docker-compose.yml', 'utf8'));

  it('runs Redis durable and non-evicting, with a volume', () => {
    const redis = compose.services.redis;
    expect(redis.command.join(' ')).toContain('--appendfsync everysec');
    expect(redis.command.join(' ')).toContain('--maxmemory-policy noeviction');
    expect(redis.volumes[0]).toMatch(/^redis-data:/);
  });

  it('serves the desk on all interfaces of its container, on the published port, after one dependency install', () => {
    const web = compose.services.web;
    expect(web.command).toEqual(expect.arrayContaining(['serve', '--host', '0.0.0.0', '--port', '8080']));
    expect(web.ports).toContain('8080:8080');
    expect(compose.services.install.command).toEqual(['npm', 'ci', '--omit=dev']);
    for (const name of ['web', 'worker']) expect(compose.services[name].depends_on.install.condition).toBe('service_completed_successfully');
  });

  it('has app services whose commands the CLI really has', async () => {
    const apps = Object.entries(compose.services).filter(([, svc]) => (svc as { command: string[] }).command.join(' ').includes('signal-desk.js')) as [string, { command: string[] }][];
    expect(apps.map(([name]) => name).sort()).toEqual(['web', 'worker']);
    for (const [, svc] of apps) {
      const cmd = svc.command.join(' ');
      const args = /signal-desk\.js\s+(.+)$/.exec(cmd)![1]!.split(/\s+/);
      const help = await cli([...args, '--help']);
      expect(help.code, `${args.join(' ')} --help`).toBe(0);
      expect(help.stdout).toContain(`Usage: signal-desk ${args[0]}`);
    }
  });
});

describe('the CLI', () => {
  it.each([['run', ''], ['sources', 'validate'], ['sources', 'list'], ['sources', 'test'], ['parse', ''], ['review', 'list'], ['review', 'show'], ['review', 'approve'], ['review', 'reject'], ['review', 'split'], ['review', 'move'], ['serve', ''], ['users', 'add'], ['users', 'list'], ['users', 'revoke'], ['demo', ''], ['rules', 'validate'], ['rules', 'test'], ['sources', 'poll'], ['sources', 'pause'], ['sources', 'resume'], ['sources', 'disable'], ['sources', 'enable'], ['sources', 'remove'], ['sources', 'audit']])('%s %s has --help', async (...args) => {
    const r = await cli([...args.filter(Boolean), '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: signal-desk/);
  });

  it('parse --json prints the contract, one line per file, and exits 1 when a file is not a feed', async () => {
    const r = await cli(['parse', '--json', '--url', 'https://feeds.example/feed', 'fixtures/demo/the-register.atom', 'fixtures/parse/html-page-not-a-feed.html']);
    expect(r.code).toBe(1);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(2);
    expect(Object.keys(lines[0])).toEqual(['file', 'ok', 'format', 'feed', 'items', 'error']);
    expect(lines[0]).toMatchObject({ ok: true, format: 'atom', error: null, feed: { title: 'The Register (demo)', language: 'en' } });
    expect(Object.keys(lines[0].items[0])).toEqual(['key', 'guid', 'url', 'title', 'author', 'publishedAt', 'updatedAt', 'categories', 'summary']);
    expect(lines[0].items.map((i: { url: string }) => i.url)).toContain('https://www.theregister.com/2026/11/26/cloud_egress_fees/');
    expect(lines[1]).toMatchObject({ ok: false, format: null, items: [], error: { code: 'not_a_feed' } });
  });

  it('sources validate prints every problem and exits 1', async () => {
    const r = await cli(['sources', 'validate', 'fixtures/config/invalid.sources.yaml']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('fixtures/config/invalid.sources.yaml:3: source "verge" field "url": must use http or https, got "ftp"');
    expect(r.stderr).toContain('source "verge" field "weight": must be from 0 to 1');
    expect(r.stderr).toContain('3 problems');
  });

  it('sources validate accepts the bundled files (the demo\'s with loopback allowed, as the demo runs)', async () => {
    expect((await cli(['sources', 'validate', 'config/sources.yaml'])).code).toBe(0);
    expect((await cli(['sources', 'validate', 'config/demo.sources.yaml'], { SIGNAL_DESK_ALLOW_PRIVATE: '127.0.0.1/32' })).code).toBe(0);
    const refused = await cli(['sources', 'validate', 'config/demo.sources.yaml'], { SIGNAL_DESK_ALLOW_PRIVATE: '' });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('points at 127.0.0.1 (loopback range), which is not a public address');
  });

  it('says how to get Redis when none answers', async () => {
    const r = await cli(['review', 'list'], { REDIS_URL: 'redis://127.0.0.1:1' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('docker compose up -d redis');
    expect(r.stderr).toContain('apt-get install redis-server');
  });
});
