import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseFile } from '../../src/cli/commands/parse.ts';

// fixtures/parse/<case>.{xml,json} beside <case>.expected.json; each case is named after the quirk it covers.
const DIR = 'fixtures/parse';
const cases = readdirSync(DIR).filter((f) => !f.endsWith('.expected.json'));

describe('golden parse fixtures (the `signal-desk parse --json` contract)', () => {
  it.each(cases)('%s', async (file) => {
    const { file: _file, ...line } = await parseFile(`${DIR}/${file}`, 'https://feeds.example/feed');
    const expected = JSON.parse(readFileSync(`${DIR}/${file.replace(/\.[a-z]+$/, '.expected.json')}`, 'utf8'));
    expect(line).toEqual(expected);
  });
});
