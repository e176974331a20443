import { describe, expect, it } from 'vitest';
import { parseTaxonomy } from '../../src/categories/loadTaxonomy.ts';
import { parseSources } from '../../src/config/loadSources.ts';
import { ConfigError } from '../../src/errors.ts';
import { parseRules } from '../../src/rules/loadRules.ts';

/** The error's lines, as `sources validate` and friends print them. */
async function linesOf(parse: () => unknown): Promise<string[]> {
  try {
    await parse();
  } catch (err) {
    if (err instanceof ConfigError) return err.message.split('\n');
    throw err;
  }
  throw new Error('expected a ConfigError');
}

// Issue 11, item 12: the yaml library's "… at line 4, column 1:" tail left every YAML syntax error ending in a
// dangling colon (its code excerpt was cut off after it); the line is in file:line, the column at the end.
describe('YAML syntax errors end with what is wrong, not a dangling colon', () => {
  const broken = [
    { name: 'an unclosed flow sequence', text: 'sources:\n  - id: a\n    url: [x\n', line: 4, says: 'Flow sequence in block collection must be sufficiently indented and end with a ]' },
    { name: 'a nested compact mapping', text: 'sources:\n  - id: a: b\n', line: 2, says: 'Nested mappings are not allowed in compact mappings' },
    { name: 'a duplicate key', text: 'sources: []\nsources: []\n', line: 2, says: 'Map keys must be unique' },
    { name: 'a tab as indentation', text: 'sources:\n\t- id: a\n', line: 2, says: 'Tabs are not allowed as indentation' },
  ];
  const loaders = [
    { kind: 'sources', file: '/etc/signal-desk/sources.yaml', parse: (t: string, f: string) => parseSources(t, f) },
    { kind: 'rules', file: '/etc/signal-desk/rules.yaml', parse: (t: string, f: string) => parseRules(t.replace(/^sources:/gm, 'rules:'), f) },
    { kind: 'categories', file: '/etc/signal-desk/categories.yaml', parse: (t: string, f: string) => parseTaxonomy(t.replace(/^sources:/gm, 'categories:'), f) },
  ];
  for (const loader of loaders) {
    for (const b of broken) {
      it(`${loader.kind} file: ${b.name}`, async () => {
        const [first] = await linesOf(() => loader.parse(b.text, loader.file));
        expect(first).toMatch(new RegExp(`^${loader.file}:${b.line}: YAML syntax: `));
        expect(first).toContain(b.says);
        expect(first).toMatch(/ \(column \d+\)$/);
        expect(first).not.toMatch(/:\s*$/);
        expect(first).not.toContain(' at line ');
      });
    }
  }
});
