import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const run = (args: string[], input: string) =>
  spawnSync(process.execPath, ['bin/signal-desk.js', 'cluster', ...args], { input, encoding: 'utf8', timeout: 60_000 });

describe('signal-desk cluster --jsonl (the process the scorer runs)', () => {
  it('prints one {"id","story"} line per item in order; two wordings of one event share a story, another event does not', () => {
    const lines = [
      { id: 'a', title: 'Magnitude 7.1 earthquake strikes northern Japan, tsunami warning issued', source: 'NHK', publishedAt: '2026-02-01T02:00:00Z', url: 'https://nhk.example/quake' },
      { id: 'b', title: 'Strong earthquake hits northern Japan; tsunami warning for coast', source: 'Kyodo', publishedAt: '2026-02-01T02:30:00Z' },
      { id: 'c', title: 'Chess champion wins ninth title in Oslo', source: 'Chess.com', publishedAt: '2026-02-01T03:00:00Z' },
      { id: 'd', title: 'Tsunami alert lifted', source: 'Other', publishedAt: '2026-02-01T04:00:00Z', url: 'https://nhk.example/quake?utm_source=x' },
    ];
    const r = run(['--jsonl'], lines.map((l) => JSON.stringify(l)).join('\n'));
    expect(r.status).toBe(0);
    const out = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: string; story: string; why: string[] });
    expect(out.map((o) => o.id)).toEqual(['a', 'b', 'c', 'd']);
    expect(out[1]!.story).toBe(out[0]!.story);
    expect(out[2]!.story).not.toBe(out[0]!.story);
    // The same link once tracking parameters are gone: the same story for certain.
    expect(out[3]).toMatchObject({ story: out[0]!.story, why: ['same link'] });
  }, 60_000);

  it('--rules refuses a name that is not a weight, saying which are', () => {
    const r = run(['--jsonl', '--rules', '{"treshold":0.4}'], '');
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/--rules: "treshold" is not a weight \(known: .*joinAt/);
  }, 60_000);
});
