import { describe, expect, it } from 'vitest';
import { parseTaxonomy } from '../../src/categories/loadTaxonomy.ts';
import { ConfigError } from '../../src/errors.ts';
import { parseRules } from '../../src/rules/loadRules.ts';

async function rulesProblems(text: string): Promise<string[]> {
  try {
    await parseRules(text, 'rules.yaml');
    return [];
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return err.issues.map((i) => `${i.line}: ${i.field}: ${i.message}`);
  }
}

function taxonomyProblems(text: string): string[] {
  try {
    parseTaxonomy(text, 'categories.yaml');
    return [];
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return err.issues.map((i) => `${i.line}: ${i.message}`);
  }
}

describe('a value of the wrong type is told as such, not as missing', () => {
  // zod leaves the input out of its issues unless asked, so every wrong type read "is required":
  // `boost: "10"` (quoted) told the operator to add the boost they had written.
  it('rules', async () => {
    const problems = await rulesProblems('rules:\n  - name: 12\n    when: {keyword: x}\n    boost: "10"\n  - name: ok\n    when: {keyword: x}\n    tag: t\n    enabled: "false"\n  - name: nowhen\n    tag: t\n');
    expect(problems).toEqual([
      '2: name: is the number 12, but should be text (put it in quotes)',
      '4: boost: is the text "10", but should be a number (write it without quotes)',
      '8: enabled: is the text "false", but should be true or false (write it without quotes)',
      '9: when: is required',
    ]);
  });

  it('categories', () => {
    expect(taxonomyProblems('categories:\n  - name: 123\n  - keywords: [x]\n')).toEqual([
      '2: category "#1": must be text (put it in quotes), not the number 123',
      '3: category "#2": is required: the category as editors pick it (e.g. "Infrastructure Software")',
    ]);
  });
});

describe('category names that look like another or like nothing', () => {
  it('an invisible name is empty, and look-alikes of a name are the same name', () => {
    const problems = taxonomyProblems('categories:\n  - name: "\\u200b\\u2060"\n  - name: Chips\n  - name: "ＣＨＩＰＳ"\n  - name: "Ch\\u00adips"\n  - name: "\\u0421hips"\n  - name: Cloud\n');
    expect(problems).toHaveLength(4);
    expect(problems[0]).toMatch(/^2: .*is required/);
    for (const p of problems.slice(1)) expect(p).toMatch(/is listed twice \(first at categories\[1\]\)/);
  });

  it('names are kept as NFKC without invisible characters', () => {
    expect(parseTaxonomy('categories:\n  - name: "Ｃｌｏｕｄ\\u00ad"\n', 'c.yaml').categories[0]!.name).toBe('Cloud');
  });
});

describe('a drop rule that would drop everything', () => {
  it('is refused when its only condition is a pattern any text matches', async () => {
    for (const pattern of ['.', '^', '(?:)', 'x*', '[\\s\\S]', '|sponsored']) {
      const problems = await rulesProblems(`rules:\n  - name: all\n    when: {regex: ${JSON.stringify(pattern)}}\n    drop: true\n`);
      expect(problems, pattern).toEqual([expect.stringMatching(/matches any text, so this drop rule would reject every draft/)]);
    }
  });

  it('is kept when something narrows it, or when it only tags', async () => {
    const set = await parseRules("rules:\n  - name: spam-source\n    when: {regex: '.', source: spam}\n    drop: true\n  - name: all-but\n    when: {regex: '.'}\n    unless: {keyword: chips}\n    drop: true\n  - name: tag-all\n    when: {regex: '.'}\n    tag: seen\n  - name: sponsored\n    when: {regex: '^\\s*sponsored'}\n    drop: true\n", 'rules.yaml');
    expect(set.rules.map((r) => r.name)).toEqual(['spam-source', 'all-but', 'tag-all', 'sponsored']);
  });
});
