import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { extname, join } from 'node:path';
import { gzipSync } from 'node:zlib';

const TYPES: Record<string, string> = {
  '.xml': 'application/rss+xml; charset=utf-8',
  '.atom': 'application/atom+xml; charset=utf-8',
  '.rdf': 'application/rdf+xml; charset=utf-8',
  '.json': 'application/feed+json; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
};

/** Written in the bundled feeds and article pages where the server's own origin goes (its port is known once it listens). */
export const ORIGIN_PLACEHOLDER = '{{DEMO_ORIGIN}}';

/**
 * Serves the files of a folder as feeds under /feeds/NAME, and the article pages of their items (the
 * folder's `articles/`) under /articles/NAME, the way a well-behaved publisher does: strong ETags and
 * Last-Modified, 304 on a match (RFC 9110 §13.1.2: If-None-Match wins over If-Modified-Since), gzip when
 * asked for. `{{DEMO_ORIGIN}}` in a file becomes this server's origin, so item links point at these pages.
 */
export async function startFeedServer(dir: string, port = 0): Promise<{ server: Server; origin: string; close(): Promise<void> }> {
  const files = new Map<string, { body: Buffer; etag: string; type: string }>();
  const lastModified = new Date(Math.floor(Date.now() / 86_400_000) * 86_400_000).toUTCString();
  const server = createServer((req, res) => {
    const file = files.get((req.url ?? '').split('?')[0]!);
    if (!file) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    const headers = { etag: file.etag, 'last-modified': lastModified, 'content-type': file.type, 'cache-control': 'max-age=300' };
    const inm = req.headers['if-none-match'];
    if (inm ? inm === file.etag : req.headers['if-modified-since'] === lastModified) {
      res.writeHead(304, headers).end();
      return;
    }
    const gzip = /\bgzip\b/.test(req.headers['accept-encoding'] ?? '');
    res.writeHead(200, { ...headers, ...(gzip ? { 'content-encoding': 'gzip' } : {}) }).end(gzip ? gzipSync(file.body) : file.body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.address() as { port: number };
  const origin = `http://127.0.0.1:${address.port}`;
  const load = async (folder: string, route: string) => {
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      if (!entry.isFile()) continue;
      const body = Buffer.from((await readFile(join(folder, entry.name), 'latin1')).replaceAll(ORIGIN_PLACEHOLDER, origin), 'latin1');
      files.set(`${route}${entry.name}`, { body, etag: `"${createHash('sha1').update(body).digest('hex').slice(0, 16)}"`, type: TYPES[extname(entry.name)] ?? 'application/octet-stream' });
    }
  };
  await load(dir, '/feeds/');
  await load(join(dir, 'articles'), '/articles/').catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') throw err;
  });
  return {
    server,
    origin,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
