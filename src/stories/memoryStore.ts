import type { StorySignature, StoryStore } from './types.ts';

/**
 * The story store in memory, for `signal-desk cluster --jsonl`, tests and the bench: the same contract as the
 * Redis store (posting lists scored by last addition and trimmed to the window, signatures that expire with
 * the window, document frequencies). Not shared between processes.
 */
export function memoryStore(opts: { windowMs: number; postingMax?: number }): StoryStore & { size(): { stories: number; terms: number } } {
  const postingMax = opts.postingMax ?? 1000;
  // Per term: additions in order (story id, time) and each story's latest addition; a read walks back from the end.
  const postings = new Map<string, { log: { id: string; at: number }[]; latest: Map<string, number> }>();
  // Signatures are kept as written (the clusterer never changes one in place: a join writes a new object).
  const signatures = new Map<string, { signature: StorySignature; expiresAt: number }>();
  const df = new Map<string, number>();
  let docs = 0;

  return {
    async docFrequencies(terms) {
      const out = new Map<string, number>();
      for (const t of terms) {
        const n = df.get(t);
        if (n) out.set(t, n);
      }
      return { docs, df: out };
    },
    async postings(terms, since, perTerm) {
      const out = new Map<string, string[]>();
      for (const t of new Set(terms)) {
        const list = postings.get(t);
        if (!list) continue;
        const ids: string[] = [];
        for (let i = list.log.length - 1; i >= 0 && ids.length < perTerm; i--) {
          const e = list.log[i]!;
          if (e.at < since) break;
          if (list.latest.get(e.id) === e.at && !ids.includes(e.id)) ids.push(e.id);
        }
        if (ids.length) out.set(t, ids);
      }
      return out;
    },
    async signatures(ids) {
      const out: StorySignature[] = [];
      for (const id of ids) {
        const s = signatures.get(id);
        if (s) out.push(s.signature);
      }
      return out;
    },
    async commit({ signature, indexTerms, observedTerms }, now) {
      signatures.set(signature.id, { signature, expiresAt: now + opts.windowMs });
      for (const t of new Set(indexTerms)) {
        let list = postings.get(t);
        if (!list) postings.set(t, (list = { log: [], latest: new Map() }));
        const at = Math.max(now, list.log.at(-1)?.at ?? now);
        list.log.push({ id: signature.id, at });
        list.latest.set(signature.id, at);
        // Trim like the Redis store's sorted sets: out of the window, then the oldest beyond the cap.
        if (list.log.length > 2 * postingMax) {
          const keep = list.log.filter((e) => list.latest.get(e.id) === e.at && e.at >= now - opts.windowMs).slice(-postingMax);
          list.log = keep;
          list.latest = new Map(keep.map((e) => [e.id, e.at]));
        }
      }
      for (const t of new Set(observedTerms)) df.set(t, (df.get(t) ?? 0) + 1);
      docs += 1;
      expire(now);
    },
    size: () => ({ stories: signatures.size, terms: postings.size }),
  };

  function expire(now: number): void {
    if (signatures.size % 256 !== 0) return;
    for (const [id, s] of signatures) if (s.expiresAt < now) signatures.delete(id);
  }
}
