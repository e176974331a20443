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
    return reply.type(type).send(render(signals, baseUrlOf(settings, req)));
  };
  app.get('/signals.json', { schema: { tags: ['signals'], summary: 'Published signals as JSON Feed 1.1 (public)', security: [] } }, (req, reply) =>
    serve(req, reply, 'application/feed+json; charset=utf-8', (s, baseUrl) => JSON.stringify(toJsonFeed(s.map((x) => x.signal), { title: 'Signal Desk: published signals', baseUrl }))),
  );
  app.get('/signals.atom', { schema: { tags: ['signals'], summary: 'Published signals as Atom (public)', security: [] } }, (req, reply) =>
    serve(req, reply, 'application/atom+xml; charset=utf-8', (s, baseUrl) => toAtomFeed(s.map((x) => x.signal), { title: 'Signal Desk: published signals', baseUrl }, new Date(clock.now()))),
  );
}

/** The base URL feeds and links use: configured, or this server's own address (Host is checked by the caller's proxy). */
export function baseUrlOf(settings: Settings, req: { protocol: string; host: string }): string {
  return settings.publicUrl ?? `${req.protocol}://${req.host}`;
}
