import { createInterface } from 'node:readline';
import { memoryStore } from '../../stories/memoryStore.ts';
import { placeItem } from '../../stories/placeItem.ts';
import { itemFromLine } from '../../stories/itemFromLine.ts';
import type { StoryConfig } from '../../stories/types.ts';
import { STORY_RULES, type StoryRules } from '../../stories/assignStory.ts';
import type { Settings } from '../../config/settings.ts';
import { SignalDeskError } from '../../errors.ts';

/** Characters of an input line read: a longer line is refused (its id, when readable, gets the error). */
const LINE_MAX = 1_000_000;

/**
 * `cluster --jsonl`: items oldest first on stdin, one JSON line each, and one `{"id","story"}` line out per item,
 * in order, placed by the workers' own clusterer (`placeItem`) on a memory store. The clock is the items' own
 * time (the latest seen so far), so the window works as it would have live. A bad line gets
 * `{"id","story":null,"error"}` (id null when unreadable), never a missing line; the exit code is then 1.
 */
export async function clusterJsonl(input: NodeJS.ReadableStream, output: NodeJS.WritableStream, config: StoryConfig): Promise<number> {
  const store = memoryStore({ windowMs: config.windowMs });
  let now = 0;
  let failed = 0;
  // Ids placed so far and their story: an id given twice is refused (placed again, it would start a story under
  // the id its first placement named, `s_<id>`, and overwrite that story with everything that joined it since).
  const placed = new Map<string, string>();
  for await (const raw of createInterface({ input, crlfDelay: Infinity })) {
    if (!raw.trim()) continue;
    let line: { id: string | null; story: string | null; error?: string; why?: string[] };
    let id: string | null = null;
    try {
      if (raw.length > LINE_MAX) throw new Error(`line is over ${LINE_MAX} characters`);
      const parsed: unknown = JSON.parse(raw);
      const rawId = (parsed as { id?: unknown } | null)?.id;
      id = typeof rawId === 'string' || typeof rawId === 'number' ? String(rawId) : null;
      const item = itemFromLine(parsed, now);
      const earlier = placed.get(item.id);
      if (earlier !== undefined) throw new Error(`"id" ${JSON.stringify(item.id.slice(0, 80))} was given before (placed in ${earlier}): ids must be unique`);
      now = Math.max(now, item.at);
      const decision = await placeItem(store, item, now, config);
      placed.set(item.id, decision.storyId);
      line = { id: item.id, story: decision.storyId, why: decision.reasons };
    } catch (err) {
      failed++;
      line = { id, story: null, error: err instanceof SyntaxError ? `line is not JSON: ${err.message}` : (err as Error).message };
    }
    if (!output.write(`${JSON.stringify(line)}\n`)) await new Promise((r) => output.once('drain', r));
  }
  return failed > 0 ? 1 : 0;
}

export async function clusterCommand(settings: Pick<Settings, 'storyWindowMs'>, opts: { rules?: string }): Promise<number> {
  return clusterJsonl(process.stdin, process.stdout, { windowMs: settings.storyWindowMs, rules: parseRules(opts.rules) });
}

/** `--rules '{"joinAt":0.35}'`: numbers for names of `STORY_RULES` only. */
function parseRules(json: string | undefined): Partial<StoryRules> | undefined {
  if (json === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new SignalDeskError('cluster_bad_rules', `--rules: not JSON; give an object like '{"joinAt":0.35}'`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new SignalDeskError('cluster_bad_rules', '--rules: give a JSON object of weights');
  const out: Partial<Record<keyof StoryRules, number>> = {};
  for (const [k, v] of Object.entries(parsed)) {
    if (!(k in STORY_RULES)) throw new SignalDeskError('cluster_bad_rules', `--rules: "${k}" is not a weight (known: ${Object.keys(STORY_RULES).join(', ')})`);
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new SignalDeskError('cluster_bad_rules', `--rules: "${k}" must be a number`);
    out[k as keyof StoryRules] = v;
  }
  return out;
}
