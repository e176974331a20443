import { freePort } from '../helpers/httpServer.ts';
import { describe, expect, it } from 'vitest';
import { addUser } from '../../src/auth/userStore.ts';
import { createRedis } from '../../src/queue/connection.ts';
import { createKeys } from '../../src/queue/keys.ts';
import { dropPrefix, REDIS_URL, testPrefix } from '../helpers/redis.ts';
import { spawnWorker, writeSourcesFile } from '../helpers/workerProcess.ts';


async function waitForHealth(url: string, output: () => string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const ok = await fetch(`${url}/healthz`).then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`server did not come up:\n${output()}`);
}

describe('run --web', () => {
  it('serves the desk beside the workers, and SIGTERM stops both even with an event stream open', async () => {
    const prefix = testPrefix();
    const redis = createRedis(REDIS_URL);
    try {
      const { token } = await addUser(redis, createKeys(prefix), 'ed', 'editor', new Date());
      const port = await freePort();
      const proc = spawnWorker(prefix, writeSourcesFile([]), {}, ['--web', '--port', String(port)]);
      const url = `http://127.0.0.1:${port}`;
      await waitForHealth(url, proc.output);
      expect((await (await fetch(`${url}/api/me`, { headers: { authorization: `Bearer ${token}` } })).json())).toEqual({ name: 'ed', role: 'editor', via: 'token' });
      const docs = await (await fetch(`${url}/docs/json`)).json();
      expect(Object.keys(docs.paths)).toEqual(expect.arrayContaining(['/api/drafts', '/api/drafts/{id}', '/api/drafts/{id}/claim', '/api/drafts/{id}/approve', '/api/drafts/{id}/merge', '/api/signals', '/signals.json', '/signals.atom']));
      expect(docs.paths['/api/drafts/{id}'].patch.requestBody.content['application/json'].schema.required).toEqual(['version']);

      const events = new AbortController();
      const stream = await fetch(`${url}/events`, { headers: { authorization: `Bearer ${token}` }, signal: events.signal });
      expect(stream.status).toBe(200);
      proc.child.kill('SIGTERM');
      const { code } = await proc.exited;
      events.abort();
      expect(code, proc.output()).toBe(0);
      expect(proc.output()).toContain('stopping');
    } finally {
      await redis.quit();
      await dropPrefix(prefix);
    }
  });
});

describe('run --metrics-port', () => {
  it('a worker process without the desk serves its Prometheus metrics', async () => {
    const prefix = testPrefix();
    const port = await freePort();
    const proc = spawnWorker(prefix, writeSourcesFile([]), {}, ['--metrics-port', String(port)]);
    try {
      const url = `http://127.0.0.1:${port}/metrics`;
      const deadline = Date.now() + 15_000;
      let text = '';
      while (Date.now() < deadline) {
        text = await fetch(url).then((r) => (r.ok ? r.text() : ''), () => '');
        if (text) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(text, proc.output()).toContain('# HELP signal_desk_polls_total');
      expect(text).toContain('signal_desk_queue_jobs{queue="poll",state="waiting"}');
      expect((await fetch(`http://127.0.0.1:${port}/other`)).status).toBe(404);
    } finally {
      proc.child.kill('SIGTERM');
      await proc.exited;
      await dropPrefix(prefix);
    }
  });
});
