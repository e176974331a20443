import type { Queue } from 'bullmq';
import type { RedisClient } from '../redisClient.ts';
import { RECONCILE_SCHEDULER } from './scheduler.ts';

/**
 * Noticing that Redis lost our state. Everything that keeps polling going lives in Redis: the chains' delayed
 * jobs, the cron sources' job schedulers and the minute-by-minute reconcile that restarts broken chains. A
 * Redis that restarts empty (no persistence) or is flushed takes all of them, and the workers, still connected,
 * wait for jobs that never come. So a scheduling `run` writes a marker key at start and checks it, with the
 * reconcile scheduler, after every reconnect and on a timer of its own; when either is missing it rebuilds
 * (BullMQ still does all the scheduling: this only notices the loss and upserts again).
 */
export type RebuildTrigger = 'reconnect' | 'timer';

/** What is missing of the state a scheduling `run` keeps in Redis; empty when it is intact. */
export async function findLostState(redis: RedisClient, markerKey: string, queue: Queue): Promise<string[]> {
  const lost: string[] = [];
  if (!(await redis.exists(markerKey))) lost.push(`marker key ${markerKey}`);
  if (!(await queue.getJobScheduler(RECONCILE_SCHEDULER))) lost.push(`job scheduler ${RECONCILE_SCHEDULER}`);
  return lost;
}

export async function writeStateMarker(redis: RedisClient, markerKey: string, at: number, by: string): Promise<void> {
  await redis.set(markerKey, JSON.stringify({ writtenAt: new Date(at).toISOString(), by }));
}

/** A repeating timer, injected so tests can fire it; returns its cancel function. */
export interface Timer {
  every(ms: number, fn: () => void): () => void;
}

export const intervalTimer: Timer = {
  every(ms, fn) {
    const t = setInterval(fn, ms);
    t.unref();
    return () => clearInterval(t);
  },
};

export interface StateWatchOptions {
  redis: RedisClient;
  markerKey: string;
  queue: Queue;
  intervalMs: number;
  timer?: Timer;
  /** Re-creates the job schedulers and chains and writes the marker again; called with what was found missing. */
  rebuild(trigger: RebuildTrigger, lost: string[]): Promise<void>;
  /** A check or rebuild that failed (Redis still down, say); the next reconnect or tick tries again. */
  onError(err: unknown, trigger: RebuildTrigger): void;
}

export interface StateWatch {
  /** Checks now (joining a check in flight) and rebuilds if needed; resolves with what was lost. */
  check(trigger: RebuildTrigger): Promise<string[]>;
  stop(): void;
}

export function watchRedisState(options: StateWatchOptions): StateWatch {
  const { redis } = options;
  let running: Promise<string[]> | undefined;
  let again: RebuildTrigger | undefined;
  let stopped = false;
  let disconnected = false;

  const check = (trigger: RebuildTrigger): Promise<string[]> => {
    if (running) {
      // A check in flight may have read the old server before the reconnect: look once more after it.
      if (trigger === 'reconnect') again = trigger;
      return running;
    }
    running = (async () => {
      try {
        const lost = await findLostState(redis, options.markerKey, options.queue);
        if (lost.length > 0 && !stopped) await options.rebuild(trigger, lost);
        return lost;
      } finally {
        running = undefined;
        if (again && !stopped) {
          const next = again;
          again = undefined;
          fire(next);
        }
      }
    })();
    return running;
  };
  const fire = (trigger: RebuildTrigger) => {
    if (stopped) return;
    check(trigger).catch((err: unknown) => {
      if (!stopped) options.onError(err, trigger);
    });
  };
  const onClose = () => {
    disconnected = true;
  };
  const onReady = () => {
    if (!disconnected) return;
    disconnected = false;
    fire('reconnect');
  };
  redis.on('close', onClose);
  redis.on('ready', onReady);
  const cancel = (options.timer ?? intervalTimer).every(options.intervalMs, () => fire('timer'));
  return {
    check,
    stop() {
      stopped = true;
      cancel();
      redis.off('close', onClose);
      redis.off('ready', onReady);
    },
  };
}
