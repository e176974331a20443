import type { StorySignature, StoryStore } from './types.ts';

/**
 * The story store in memory, for `signal-desk cluster --jsonl`, tests and the bench: the same contract as the
 * Redis store (posting lists scored by last addition and trimmed to the window, signatures that expire with
 * the window, document frequencies). Not shared between processes.
 */
export function memoryStore(opts: { windowMs: number; postingMax?: number }): StoryStore & { size(): { stories: number; terms: number } } {
  const postingMax = opts.postingMax ?? 1000;
  const postings = new Map<string, Map<string, number>>();
  const signatures = new Map<string, { json: string; expiresAt: number }>();
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
        const ids = [...list].filter(([, at]) => at >= since).sort((a, b) => b[1] - a[1]).slice(0, perTerm).map(([id]) => id);
        if (ids.length) out.set(t, ids);
      }
      return out;
    },
    async signatures(ids) {
      const out: StorySignature[] = [];
      for (const id of ids) {
        const s = signatures.get(id);
        if (s) out.push(JSON.parse(s.json) as StorySignature);
      }
      return out;
    },
    async commit({ signature, indexTerms, observedTerms }, now) {
      signatures.set(signature.id, { json: JSON.stringify(signature), expiresAt: now + opts.windowMs });
      for (const t of new Set(indexTerms)) {
        let list = postings.get(t);
        if (!list) postings.set(t, (list = new Map()));
        list.delete(signature.id);
        list.set(signature.id, now);
        // Trim like the Redis store's sorted sets: out of the window, then the oldest beyond the cap.
        if (list.size > postingMax) {
          for (const [id, at] of list) {
            if (list.size <= postingMax && at >= now - opts.windowMs) break;
            list.delete(id);
          }
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
