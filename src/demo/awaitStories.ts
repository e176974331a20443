import type { Queue } from 'bullmq';
import type { Clock } from '../clock.ts';

const PENDING = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children'] as const;

/**
 * Waits until the given queues (the annotate and story stages, and enrichment that feeds them) have no job
 * waiting, running or delayed, seen twice in a row (a finishing annotate job queues a story job), or
 * `deadlineMs` passes. Queues that are not there (a runtime without those stages) are left out. Returns whether
 * they settled.
 */
export async function awaitQueues(queues: (Queue | undefined)[], clock: Clock, deadlineMs: number, pauseMs = 150): Promise<boolean> {
  const present = queues.filter((q): q is Queue => q !== undefined);
  const until = clock.now() + deadlineMs;
  let quiet = 0;
  for (;;) {
    let busy = 0;
    for (const q of present) {
      const counts = await q.getJobCounts(...PENDING);
      busy += Object.values(counts).reduce((a, b) => a + b, 0);
    }
    quiet = busy ? 0 : quiet + 1;
    if (quiet >= 2) return true;
    if (clock.now() >= until) return false;
    await new Promise((r) => setTimeout(r, pauseMs));
  }
}
