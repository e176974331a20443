import { describe, expect, it } from 'vitest';
import { applySets, parseEditJson, splitList } from '../../src/cli/editArgs.ts';

describe('review edit arguments', () => {
  it('names fields by label or API name, nests second-order effects, appends lists and parses numbers', () => {
    expect(applySets({}, ['Why now=Soon', 'direct effect=Costs', 'Third-order effect=Standards', 'tags=a, b', 'Tags=c', 'score=71', 'structural-impact=High', 'horizon='])).toEqual({
      whyNow: 'Soon',
      secondOrderEffects: { direct: 'Costs', third: 'Standards' },
      tags: ['a', 'b', 'c'],
      score: 71,
      // Words go to the service as typed (it reads Low/Medium/High of before issue 10).
      structuralImpact: 'High',
      horizon: null,
    });
    // A value keeps its own "=" signs; only the first one splits.
    expect(applySets({}, ['summary=a=b'])).toEqual({ summary: 'a=b' });
  });

  it('splits a list at line breaks when it has any (commas then stay), else at commas', () => {
    expect(splitList('Nvidia, AMD and Intel\nArm')).toEqual(['Nvidia, AMD and Intel', 'Arm']);
    expect(splitList(' a ,, b ')).toEqual(['a', 'b']);
    expect(splitList('')).toEqual([]);
  });

  it('--set applies on top of --from; the file may name fields by label; version is kept apart', () => {
    const base = parseEditJson('{"Why now": "From file", "winners": ["W"], "Direct effect": "D", "version": 3}', '/tmp/f.json');
    expect(base).toEqual({ whyNow: 'From file', winners: ['W'], secondOrderEffects: { direct: 'D' }, version: 3 });
    expect(applySets(base, ['whyNow=From --set', 'winners=X'])).toEqual({ whyNow: 'From --set', winners: ['X'], secondOrderEffects: { direct: 'D' }, version: 3 });
  });

  it('refuses what is no field, version, a whole second-order effects, a field set twice and a missing "="', () => {
    expect(() => applySets({}, ['colour=red'])).toThrow('unknown field "colour" (--set colour): editable fields are: Headline, Category, Signal score');
    expect(() => applySets({}, ['version=3'])).toThrow('Version: give the version with --version N');
    expect(() => applySets({}, ['secondOrderEffects=x'])).toThrow('Second-order effects: set its parts one by one: Direct effect, Second-order effect, Third-order effect');
    expect(() => applySets({}, ['headline=a', 'Headline=b'])).toThrow('Headline: set twice');
    expect(() => applySets({}, ['=x'])).toThrow('write FIELD=VALUE');
    expect(() => parseEditJson('{"whyNow": ', 'stdin')).toThrow(/^stdin is not JSON/);
    expect(() => parseEditJson('"text"', 'stdin')).toThrow('stdin holds string, not an object of fields');
  });
});
