import { Job } from 'bullmq';
import { fixedClock } from '../../src/clock.ts';
import type { Source } from '../../src/config/sourceSchema.ts';
import type { SourceState } from '../../src/fetch/sourceState.ts';
import { createKeys } from '../../src/queue/keys.ts';
import { syncSources } from '../../src/schedule/chain.ts';
import { readHealth } from '../../src/schedule/healthStore.ts';
import type { SourceHealth } from '../../src/schedule/health.ts';
import { startRuntime, type Runtime } from '../../workers/runtime.ts';
import { dropPrefix, testPrefix, testSettings } from './redis.ts';

export interface ChainHarness {
  runtime: Runtime;
  clock: ReturnType<typeof fixedClock>;
  sources: Source[];
  /** Starts the chains (syncSources at the test clock's now). */
  sync(sources?: Source[]): ReturnType<typeof syncSources>;
  /** Runs a source's next poll now: moves the clock to its planned time and promotes the delayed job. */
  step(sourceId: string): Promise<SourceState>;
  state(sourceId: string): Promise<SourceState>;
  health(): Promise<SourceHealth[]>;
}

export const T0 = Date.parse('2026-11-27T06:00:00Z');

/** Real workers on real Redis whose clock the test moves; randomness fixed at 0.5 (no jitter). */
export async function withChain(sources: Source[], fn: (h: ChainHarness) => Promise<void>, env: Record<string, string> = {}): Promise<void> {
  const prefix = testPrefix();
  const settings = testSettings(prefix, env);
  const clock = fixedClock(T0);
  const runtime = await startRuntime(settings, sources, { clock, random: () => 0.5 });
  const { redis, queues } = runtime.ctx;
  const keys = createKeys(prefix);
  const state = async (id: string) => (await redis.hgetall(keys.sourceState(id))) as SourceState;
  try {
    await fn({
      runtime,
      clock,
      sources,
      sync: (list = sources) => syncSources({ redis, keys, queue: queues.poll, settings, now: clock.now(), random: () => 0.5 }, list),
      state,
      health: () => readHealth(redis, keys, [...runtime.ctx.sources.values()], clock.now()),
      step: async (id) => {
        const before = await state(id);
        const job = await Job.fromId(queues.poll, before.nextJobId!);
        if (!job) throw new Error(`no pending poll for ${id} (state: ${JSON.stringify(before)})`);
        clock.set(Math.max(clock.now(), Number(before.nextPollAt)));
        if (await job.isDelayed()) await job.promote();
        const deadline = Date.now() + 10_000;
        for (;;) {
          const st = await job.getState();
          if (st === 'completed' || st === 'failed') break;
          if (Date.now() > deadline) throw new Error(`poll ${job.id} of ${id} did not finish (state ${st})`);
          await new Promise((r) => setTimeout(r, 20));
        }
        return state(id);
      },
    });
  } finally {
    await runtime.stop();
    await dropPrefix(prefix);
  }
}
