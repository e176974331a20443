import { createHash } from 'node:crypto';
import { FlowProducer, type Queue } from 'bullmq';
import type { IngestJobData } from './jobs.ts';

/** Items per ingest job: a poll with more new items queues one parent job and one child job per chunk. */
export const INGEST_CHUNK = 1000;
/** The parent job of a chunked poll: runs once every chunk has committed, and reports the poll's drafts. */
export const INGEST_POLL_JOB = 'ingest-poll';

export interface IngestPlan {
  /** The id a poll reports and remembers: the single job, or the parent of the chunks. */
  id: string;
  chunks: { id: string; data: IngestJobData }[];
}

const hash = (parts: string[]) => createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 24);
const digestOf = (item: IngestJobData['items'][number]) => `${item.itemHash}/${item.urlHash ?? ''}`;

/**
 * The ingest jobs of one poll, with ids derived from what they carry: the poll job's id and the sorted
 * digests of its new items (each chunk: the parent's id and the chunk's own digests). A poll that runs
 * twice (a stalled job picked up again) with the same new items names the same jobs, which BullMQ adds once;
 * with other items (the feed changed meanwhile) it names other jobs, so an existing job can never stand for
 * items it does not hold. Pure.
 */
export function planIngest(pollJobId: string, data: IngestJobData, chunkSize = INGEST_CHUNK): IngestPlan {
  const id = `ingest-${hash([pollJobId, ...data.items.map(digestOf).sort()])}`;
  if (data.items.length <= chunkSize) return { id, chunks: [{ id, data }] };
  // Chunks are cut from the items in digest order, so one parent id always stands for the same chunks, even
  // if the feed listed the same items in another order on the re-run.
  const sorted = data.items.map((item) => ({ item, digest: digestOf(item) })).sort((a, b) => (a.digest < b.digest ? -1 : a.digest > b.digest ? 1 : 0));
  const chunks: IngestPlan['chunks'] = [];
  for (let i = 0; i < sorted.length; i += chunkSize) {
    const part = sorted.slice(i, i + chunkSize);
    chunks.push({ id: `ingest-${hash([id, ...part.map((p) => p.digest)])}`, data: { ...data, items: part.map((p) => p.item) } });
  }
  return { id, chunks };
}

/**
 * Queues a plan: one job, or a BullMQ flow (the chunks as children of one parent, added in one transaction,
 * so a crash queues all of them or none). A chunk that fails for good fails the parent, so whoever waits for
 * the poll's ingest (run --once) hears of it. Returns the plan's id.
 */
export async function queueIngest(queue: Queue, plan: IngestPlan): Promise<string> {
  const opts = queue.defaultJobOptions;
  if (plan.chunks.length === 1 && plan.chunks[0]!.id === plan.id) {
    await queue.add('ingest', plan.chunks[0]!.data, { jobId: plan.id });
    return plan.id;
  }
  const first = plan.chunks[0]!.data;
  const flow = new FlowProducer({ connection: queue.opts.connection, prefix: queue.opts.prefix });
  try {
    await flow.add({
      name: INGEST_POLL_JOB,
      queueName: queue.name,
      data: { sourceId: first.source.id, discoveredAt: first.discoveredAt, chunks: plan.chunks.length },
      opts: { ...opts, jobId: plan.id },
      children: plan.chunks.map((c) => ({ name: 'ingest', queueName: queue.name, data: c.data, opts: { ...opts, jobId: c.id, failParentOnFailure: true } })),
    });
  } finally {
    // The connection is the caller's (shared): closing the producer leaves it open.
    await flow.close();
  }
  return plan.id;
}
