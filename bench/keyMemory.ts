// Pure: Redis keys grouped into kinds (ids replaced by a placeholder) and their MEMORY USAGE summed per kind,
// for bench/scale.ts's "biggest key kinds". No I/O.

/** BullMQ's queues (their job keys are `<prefix>:<queue>:<job id>[:logs…]`). */
const QUEUES = new Set(['poll', 'ingest', 'enrich', 'annotate', 'stories', 'webhook']);

/**
 * The kind of a key: `{p}:source:<id>`, `{p}:poll:<job>`, `semaphore:{p}:host-slots:<id>`. Under our own names
 * everything after the name is the id (`story-terms:<term>`); under a queue, a segment with a digit is a job
 * id (BullMQ's own keys, `wait`, `meta`, `delayed`, have none); `lead` keys (`semaphore:`, `mutex:`) keep their lead.
 */
export function keyKind(key: string, prefix: string): string {
  const at = key.indexOf(prefix);
  if (at < 0) return key;
  const lead = key.slice(0, at);
  const parts = key.slice(at + prefix.length).split(':').slice(1);
  const name = parts[0] ?? '';
  if (parts.length <= 1) return `${lead}{p}${name ? `:${name}` : ''}`;
  if (!QUEUES.has(name)) return `${lead}{p}:${name}:<id>`;
  const rest = parts.slice(1);
  const job = rest.findIndex((s) => /\d/.test(s));
  const shape = job < 0 ? rest : [...rest.slice(0, job), '<job>', ...rest.slice(job + 1).filter((s) => !/\d/.test(s))];
  return `${lead}{p}:${name}:${shape.join(':')}`;
}

export interface KindMemory {
  kind: string;
  keys: number;
  bytes: number;
}

/** MEMORY USAGE figures summed per kind, biggest first (ties by name). */
export function sumByKind(usage: Iterable<readonly [key: string, bytes: number]>, prefix: string): KindMemory[] {
  const kinds = new Map<string, KindMemory>();
  for (const [key, bytes] of usage) {
    const kind = keyKind(key, prefix);
    const k = kinds.get(kind) ?? { kind, keys: 0, bytes: 0 };
    k.keys++;
    k.bytes += bytes;
    kinds.set(kind, k);
  }
  return [...kinds.values()].sort((a, b) => b.bytes - a.bytes || a.kind.localeCompare(b.kind));
}
