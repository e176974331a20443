import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { toAtomFeed, toJsonFeed } from '../publish/feeds.ts';
import { readSignals } from '../publish/signalStore.ts';
import type { Settings } from '../config/settings.ts';
import type { ServerDeps } from './deps.ts';

const FEED_SIZE = 50;

/**
 * Public feeds of published signals. Feed readers poll, so each answer carries an ETag (the newest stream
 * entry) and a conditional GET with it gets 304 Not Modified (RFC 9110 §13.1.2).
 */
export function registerFeedRoutes(app: FastifyInstance, { redis, keys, clock, settings }: ServerDeps): void {
  const serve = async (req: FastifyRequest, reply: FastifyReply, type: string, render: (signals: Awaited<ReturnType<typeof readSignals>>, base: string) => string) => {
    const signals = await readSignals(redis, keys, FEED_SIZE);
    const etag = `"${signals[0]?.streamId ?? 'empty'}"`;
    reply.header('etag', etag).header('cache-control', 'public, max-age=60');
    if (req.headers['if-none-match']?.split(',').some((t) => t.trim() === etag)) return reply.status(304).send();
    return reply.type(type).send(render(signals, baseUrlOf(settings, req.socket)));
  };
  app.get('/signals.json', { schema: { tags: ['signals'], summary: 'Published signals as JSON Feed 1.1 (public)', security: [] } }, (req, reply) =>
    serve(req, reply, 'application/feed+json; charset=utf-8', (s, baseUrl) => JSON.stringify(toJsonFeed(s.map((x) => x.signal), { title: 'Signal Desk: published signals', baseUrl }))),
  );
  app.get('/signals.atom', { schema: { tags: ['signals'], summary: 'Published signals as Atom (public)', security: [] } }, (req, reply) =>
    serve(req, reply, 'application/atom+xml; charset=utf-8', (s, baseUrl) => toAtomFeed(s.map((x) => x.signal), { title: 'Signal Desk: published signals', baseUrl }, new Date(clock.now()))),
  );
}

/**
 * The base URL feeds and links use: SIGNAL_DESK_PUBLIC_URL, else the local address the connection reached
 * (the server's own bound address). Never the request's Host or X-Forwarded-* headers: a feed is cached
 * publicly, so one request must not choose the links every reader gets.
 */
export function baseUrlOf(settings: Settings, socket: { localAddress?: string | undefined; localPort?: number | undefined }): string {
  if (settings.publicUrl) return settings.publicUrl;
  const address = (socket.localAddress ?? '127.0.0.1').replace(/^::ffff:(?=\d+\.)/, '');
  return `http://${address.includes(':') ? `[${address}]` : address}:${socket.localPort ?? 80}`;
}
