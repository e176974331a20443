// The floor for a 304 poll: a bare undici client against the same farm, no parsing, no Redis. It learns each
// feed's ETag with one GET, then times one conditional GET per feed at the given concurrency. bench/pipeline.ts
// prints our 304 rate as a share of this one, measured in the same run.
import { Agent, request } from 'undici';

export async function measureRaw304(urls: string[], concurrency: number): Promise<{ pollsPerSecond: number; notModified: number }> {
  const dispatcher = new Agent({ connections: concurrency, pipelining: 1 });
  const etags = new Array<string>(urls.length);
  const each = async (fn: (i: number) => Promise<void>) => {
    let next = 0;
    await Promise.all(Array.from({ length: Math.min(concurrency, urls.length) }, async () => {
      while (next < urls.length) await fn(next++);
    }));
  };
  try {
    await each(async (i) => {
      const res = await request(urls[i]!, { dispatcher });
      etags[i] = String(res.headers.etag ?? '');
      await res.body.dump();
    });
    let notModified = 0;
    const t = process.hrtime.bigint();
    await each(async (i) => {
      const res = await request(urls[i]!, { dispatcher, headers: { 'if-none-match': etags[i]! } });
      if (res.statusCode === 304) notModified++;
      await res.body.dump();
    });
    const s = Number(process.hrtime.bigint() - t) / 1e9;
    return { pollsPerSecond: urls.length / s, notModified };
  } finally {
    await dispatcher.close();
  }
}
