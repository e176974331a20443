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

  it('serves the desk on all interfaces of its container, on the published port', () => {
    const web = compose.services.web;
    expect(web.command).toEqual(expect.arrayContaining(['serve', '--host', '0.0.0.0', '--port', '8080']));
    expect(web.ports).toContain('8080:8080');
  });

  // Issue 11, item 11 (this replaces "after one dependency install": an `install` service ran `npm ci` into the
  // bind-mounted checkout, and every `docker compose run … users add` ran it again, as a dependency).
  it('installs the dependencies in an image build, never into the checkout, and no service re-runs an install', () => {
    const services = Object.entries(compose.services) as [string, { image?: string; build?: unknown; command?: string[]; volumes?: string[]; depends_on?: Record<string, unknown> }][];
    expect(services.map(([name]) => name).sort()).toEqual(['redis', 'web', 'worker']);
    for (const [name, svc] of services) {
      expect((svc.command ?? []).join(' '), name).not.toMatch(/\bnpm\b|\byarn\b|\bpnpm\b/);
      // Nothing mounts the checkout itself (only config/, so the sources file is edited in place).
      for (const v of svc.volumes ?? []) expect(v.split(':')[0], `${name}: ${v}`).not.toMatch(/^\.\/?$/);
      // Depending only on long-running services: `docker compose run` starts no one-shot job first.
      expect(Object.keys(svc.depends_on ?? {}).every((d) => d === 'redis'), name).toBe(true);
    }
    for (const name of ['web', 'worker']) {
      expect(compose.services[name].build, name).toBe('.');
      expect(compose.services[name].image, name).toBe('signal-desk:local');
      expect(compose.services[name].volumes, name).toEqual(['./config:/app/config']);
    }
    const dockerfile = readFileSync('Dockerfile', 'utf8');
    const steps = dockerfile.split('\n').filter((l) => /^[A-Z]+ /.test(l));
    expect(steps[0]).toMatch(/^FROM node:20-/);
    // The lock file is copied and installed before the sources, so a code change does not reinstall.
    const install = steps.findIndex((l) => l.startsWith('RUN npm ci --omit=dev'));
    expect(install).toBeGreaterThan(steps.indexOf('COPY package.json package-lock.json ./'));
    expect(install).toBeLessThan(steps.indexOf('COPY . .'));
    // The host's own node_modules (another platform's binaries) never lands in the image.
    expect(readFileSync('.dockerignore', 'utf8').split('\n')).toEqual(expect.arrayContaining(['node_modules', '.env']));
  });

  it('sets no placeholder contact URL: the User-Agent warning shows until the operator sets one', () => {
    for (const name of ['web', 'worker']) {
      const value = String(compose.services[name].environment.SIGNAL_DESK_CONTACT_URL);
      expect(value, name).toBe('${SIGNAL_DESK_CONTACT_URL:-}');
    }
  });

  it("its comment's `users add` line is a command the CLI has", async () => {
    const line = /docker compose run --rm (\w+) node bin\/signal-desk\.js (users add) NAME (--role editor)/.exec(readFileSync('docker-compose.yml', 'utf8'));
    expect(line).not.toBeNull();
    expect(Object.keys(compose.services)).toContain(line![1]);
    const help = await cli(['users', 'add', '--help']);
    expect(help.stdout).toContain('--role <role>');
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
    expect(Object.keys(lines[0])).toEqual(['file', 'ok', 'format', 'feed', 'items', 'skipped', 'recovered', 'error']);
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
