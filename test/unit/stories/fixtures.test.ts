import { readFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { clusterJsonl } from '../../../src/cli/commands/cluster.ts';

const FILE = 'fixtures/stories/distractors.jsonl';
const WINDOW = 72 * 3_600_000;

interface Row { id: string; title: string; source: string; gold: string }

async function cluster(lines: string[]): Promise<{ out: Array<{ id: string | null; story: string | null; error?: string }>; code: number }> {
  const input = new PassThrough();
  const output = new PassThrough();
  const chunks: string[] = [];
  output.on('data', (c) => chunks.push(String(c)));
  input.end(lines.map((l) => `${l}\n`).join(''));
  const code = await clusterJsonl(input, output, { windowMs: WINDOW });
  return { out: chunks.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l)), code };
}

/** B-cubed precision and recall of predicted stories against the fixture's gold labels. */
function bcubed(gold: Map<string, string>, pred: Map<string, string>): { P: number; R: number } {
  let P = 0;
  let R = 0;
  for (const [id, g] of gold) {
    const p = pred.get(id);
    const samePred = [...gold.keys()].filter((j) => pred.get(j) === p);
    const sameGold = [...gold.keys()].filter((j) => gold.get(j) === g);
    const both = samePred.filter((j) => gold.get(j) === g).length;
    P += both / samePred.length;
    R += both / sameGold.length;
  }
  return { P: P / gold.size, R: R / gold.size };
}

describe('stories fixtures: our own labelled items (same entity other event, same event other words)', () => {
  const raw = readFileSync(FILE, 'utf8').split('\n').filter(Boolean);
  const rows = raw.map((l) => JSON.parse(l) as Row);
  const gold = new Map(rows.map((r) => [r.id, r.gold]));

  it('never puts two events about the same company or kind of event together, and groups most coverage of one event', async () => {
    const { out, code } = await cluster(raw.map((l) => { const { gold: _g, ...item } = JSON.parse(l) as Row; return JSON.stringify(item); }));
    expect(code).toBe(0);
    expect(out.map((o) => o.id)).toEqual(rows.map((r) => r.id));
    const pred = new Map(out.map((o) => [o.id!, o.story!]));
    const together = (a: string, b: string) => rows.some((x) => x.gold === a && rows.some((y) => y.gold === b && pred.get(x.id) === pred.get(y.id)));
    for (const [a, b] of [['apple-earnings', 'apple-eu-fine'], ['apple-earnings', 'single-apple-vision'], ['tesla-recall', 'tesla-ceo-pay'], ['quake-turkey', 'quake-japan'], ['fed-rates', 'ecb-rates'], ['boeing-door', 'boeing-strike']]) {
      expect(together(a!, b!), `${a} and ${b}`).toBe(false);
    }
    const { P, R } = bcubed(gold, pred);
    expect(P).toBe(1);
    // Most coverage of one event together (not all: a German report of an English-covered quake has no words in common).
    expect(R).toBeGreaterThanOrEqual(0.75);
    // Same event in other words: the Fed decision and the Tesla recall from three publishers each, a storm, a Chinese pair.
    for (const g of ['fed-rates', 'tesla-recall', 'storm-uk', 'china-rrr']) expect(new Set(rows.filter((r) => r.gold === g).map((r) => pred.get(r.id))).size, g).toBe(1);
  });

  it('a bad line gets its own error line (with its id when readable), in order, and exit code 1; good lines still placed', async () => {
    const { out, code } = await cluster([
      JSON.stringify({ id: 'ok1', title: 'Storm closes schools across the region', source: 'A', publishedAt: '2026-02-01T10:00:00Z' }),
      '{not json',
      JSON.stringify({ title: 'no id here' }),
      JSON.stringify({ id: 'x'.repeat(300), title: 'id too long' }),
      JSON.stringify([1, 2]),
      JSON.stringify({ id: 7, title: 'Storm shuts schools across region', source: 'B', publishedAt: 'yesterday' }),
    ]);
    expect(code).toBe(1);
    expect(out).toHaveLength(6);
    expect(out[0]).toMatchObject({ id: 'ok1', story: 's_ok1' });
    expect(out[1]).toMatchObject({ id: null, story: null, error: expect.stringMatching(/^line is not JSON/) });
    expect(out[2]).toMatchObject({ id: null, story: null, error: 'line has no "id" (a string or number)' });
    expect(out[3]!.error).toMatch(/"id" is over 200 characters/);
    expect(out[4]!.error).toMatch(/not a JSON object/);
    // An unreadable date takes the previous line's time: the same story, an hour's difference or not.
    expect(out[5]).toMatchObject({ id: '7', story: 's_ok1' });
  });
});
