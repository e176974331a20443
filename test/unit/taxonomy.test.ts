import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTaxonomy, parseTaxonomy } from '../../src/categories/loadTaxonomy.ts';
import { suggestCategory } from '../../src/categories/suggestCategory.ts';
import { ConfigError } from '../../src/errors.ts';

const FILE = 'categories.yaml';

function problems(text: string): string[] {
  try {
    parseTaxonomy(text, FILE);
  } catch (err) {
    if (err instanceof ConfigError) return err.message.split('\n');
    throw err;
  }
  throw new Error('the file was accepted');
}

describe('taxonomy file validation (located errors)', () => {
  const cases: { name: string; yaml: string; expected: string[] }[] = [
    {
      name: 'unknown field, with the line and the fields allowed',
      yaml: 'categories:\n  - name: Cloud\n    keywords: [aws]\n    keywrds: [azure]\n',
      expected: ['categories.yaml:4: field "categories[0].keywrds": category "Cloud": unknown field "keywrds"; supported fields are name, keywords, entities, default_for'],
    },
    {
      name: 'missing name',
      yaml: 'categories:\n  - keywords: [aws]\n',
      expected: ['categories.yaml:2: field "categories[0].name": category "#1": is required: the category as editors pick it (e.g. "Infrastructure Software")'],
    },
    {
      name: 'keywords not a list',
      yaml: 'categories:\n  - name: Cloud\n    keywords: aws\n',
      expected: ['categories.yaml:3: field "categories[0].keywords": category "Cloud": must be a list of keywords, e.g. [GPU, data center]'],
    },
    {
      name: 'an empty keyword',
      yaml: 'categories:\n  - name: Cloud\n    keywords: [aws, "  "]\n',
      expected: ['categories.yaml:3: field "categories[0].keywords[1]": category "Cloud": an empty keyword matches nothing; remove it'],
    },
    {
      name: 'a name longer than the desk\'s Category field',
      yaml: `categories:\n  - name: ${'x'.repeat(81)}\n`,
      expected: [`categories.yaml:2: field "categories[0].name": category "${'x'.repeat(81)}": is at most 80 characters (the desk's Category field)`],
    },
    {
      name: 'the same name twice, ignoring case',
      yaml: 'categories:\n  - name: Cloud\n  - name: cloud\n',
      expected: ['categories.yaml:3: field "categories[1].name": category "cloud" is listed twice (first at categories[0]); names must be unique, ignoring case'],
    },
    {
      name: 'every problem at once',
      yaml: 'categories:\n  - name: Cloud\n    entities: {a: 1}\n  - name: AI\n    default_for: [7]\n',
      expected: ['categories.yaml:3: field "categories[0].entities": category "Cloud": must be a list of entities, e.g. [Nvidia, AMD]', 'categories.yaml:5: field "categories[1].default_for[0]": category "AI": must be text (a source id)'],
    },
    {
      name: 'not a list of categories',
      yaml: 'categories: Cloud\n',
      expected: ['categories.yaml:1: field "categories": must be a list of categories (each with name, keywords, entities, default_for)'],
    },
    { name: 'YAML syntax', yaml: 'categories:\n  - name: [Cloud\n', expected: [expect.stringMatching(/^categories\.yaml:\d: YAML syntax: /) as unknown as string] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(problems(c.yaml)).toEqual(c.expected);
    });
  }

  it('an empty file, or "categories:" with nothing under it, has no categories', () => {
    expect(parseTaxonomy('', FILE)).toEqual({ categories: [] });
    expect(parseTaxonomy('# nothing yet\ncategories:\n', FILE)).toEqual({ categories: [] });
  });

  it('refuses an alias bomb', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]', ...'bcdefgh'.split('').map((l, i) => `${l}: &${l} [${Array(10).fill(`*${'abcdefg'[i]}`).join(', ')}]`), 'categories: []'].join('\n');
    expect(problems(bomb)[0]).toMatch(/YAML aliases are used too often|unknown field/);
  });

  it('an absent file is an empty taxonomy; the shipped file is valid and names Infrastructure Software', async () => {
    expect(await loadTaxonomy(join(tmpdir(), 'no-such-dir-sd', 'categories.yaml'))).toEqual({ categories: [] });
    const shipped = await loadTaxonomy('config/categories.yaml');
    expect(shipped.categories.map((c) => c.name)).toContain('Infrastructure Software');
    expect(shipped.categories.every((c) => c.keywords.length > 0)).toBe(true);
  });

  it('refuses a file over the size cap before reading it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sd-tax-'));
    const file = join(dir, 'categories.yaml');
    writeFileSync(file, `categories: []\n# ${'x'.repeat(2000)}\n`);
    await expect(loadTaxonomy(file, { maxBytes: 1000 })).rejects.toThrow(/over the 1000-byte limit on the categories file/);
  });
});

describe('a taxonomy with 10,000 categories', () => {
  const many = (n: number) => `categories:\n${Array.from({ length: n }, (_, i) => `  - name: Topic ${i}\n    keywords: [alpha${i}, common]\n    entities: [Org${i}]\n`).join('')}`;

  // The yaml library parses about 30,000 lines a second on an idle core: this takes seconds on a loaded machine.
  it('loads, and suggests the right one through its index (a keyword all of them share is no evidence)', { timeout: 120_000 }, () => {
    const taxonomy = parseTaxonomy(many(10_000), FILE);
    expect(taxonomy.categories).toHaveLength(10_000);
    const s = suggestCategory({ headline: 'Common news about alpha9876', excerpt: 'Also common', sourceId: 'x', entities: ['org9876'], keywords: [] }, taxonomy, null);
    expect(s).toMatchObject({ category: 'Topic 9876', from: 'taxonomy' });
    expect(s!.why).toBe('keyword alpha9876 in the headline; entity Org9876');
    expect(suggestCategory({ headline: 'Common words only', excerpt: null, sourceId: 'x', entities: [], keywords: [] }, taxonomy, null)).toBeNull();
  });

  it('refuses the 10,001st, saying why', { timeout: 120_000 }, () => {
    expect(problems(many(10_001))).toEqual(['categories.yaml:2: field "categories": at most 10000 categories: a taxonomy that large is most likely generated by mistake; keep the categories editors pick from']);
  });
});
