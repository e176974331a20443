import { EventEmitter } from 'node:events';
import { QueueEvents } from 'bullmq';
import type { RedisClient } from '../redisClient.ts';
import type { Logger } from '../log.ts';
import { INGEST_QUEUE } from '../queue/jobs.ts';
import type { Keys } from '../queue/keys.ts';

/**
 * `desk` carries every desk event as published, editors' actions and the pipeline's own: the enrich stage
 * publishes `enriched` (actor "enrichment") when a draft's article page was read, and open pages refresh
 * that row or that draft's "Article page" section.
 */
export type LiveEvent = { type: 'drafts'; created: number } | { type: 'desk'; draftId: string; action: string; actor: string; storyId?: string };

/**
 * What open desk pages hear about, from any process: new drafts (BullMQ's event stream of the ingest
 * queue: a completed job carries the ids it created) and desk changes (a Redis pub/sub channel every
 * desk process publishes to). One subscription per web process, fanned out to its browsers.
 */
export class LiveEvents {
  private readonly emitter = new EventEmitter().setMaxListeners(0);
  private readonly subscriber: RedisClient;
  private readonly queueEvents: QueueEvents;
  private readonly eventsConnection: RedisClient;

  constructor(redis: RedisClient, keys: Keys, logger: Logger) {
    this.subscriber = redis.duplicate() as RedisClient;
    this.subscriber.on('error', (err) => logger.warn({ err }, 'live events subscriber error'));
    void this.subscriber.subscribe(keys.deskEvents);
    this.subscriber.on('message', (_channel: string, message: string) => {
      try {
        const e = JSON.parse(message) as { type: string; draftId: string; actor?: string; storyId?: unknown };
        // The story stage's events name the story too: a draft page of another member refreshes its story.
        const storyId = typeof e.storyId === 'string' ? e.storyId : undefined;
        this.emitter.emit('event', { type: 'desk', draftId: e.draftId, action: e.type, actor: e.actor ?? '', ...(storyId ? { storyId } : {}) } satisfies LiveEvent);
      } catch {
        /* a message we did not write: ignore */
      }
    });
    this.eventsConnection = redis.duplicate() as RedisClient;
    this.queueEvents = new QueueEvents(INGEST_QUEUE, { connection: this.eventsConnection, prefix: keys.prefix });
    this.queueEvents.on('error', (err) => logger.warn({ err }, 'live events queue listener error'));
    this.queueEvents.on('completed', ({ returnvalue }) => {
      const created = (returnvalue as unknown as { created?: unknown[] } | undefined)?.created?.length ?? 0;
      if (created > 0) this.emitter.emit('event', { type: 'drafts', created } satisfies LiveEvent);
    });
  }

  subscribe(listener: (e: LiveEvent) => void): () => void {
    this.emitter.on('event', listener);
    return () => this.emitter.off('event', listener);
  }

  async close(): Promise<void> {
    await this.queueEvents.close();
    this.eventsConnection.disconnect();
    this.subscriber.disconnect();
  }
}
