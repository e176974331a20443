import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, type ConfigIssue } from '../../src/errors.ts';
import { loadRules, parseRules } from '../../src/rules/loadRules.ts';
import { matchRules } from '../../src/rules/matchRules.ts';
import type { RuleInput } from '../../src/rules/types.ts';

const draft = (over: Partial<RuleInput> = {}): RuleInput => ({
  headline: 'Samsung raises DRAM contract prices again',
  excerpt: 'Memory makers say HBM demand from AI servers keeps supply tight.',
  sourceId: 'the-register',
  category: 'Infrastructure Hardware',
  lang: 'en-GB',
  entities: ['samsung'],
  tags: [],
  ...over,
});

const rules = (yaml: string) => parseRules(yaml, 'rules.yaml');
const issuesOf = async (yaml: string): Promise<ConfigIssue[]> => {
  try {
    await rules(yaml);
  } catch (err) {
    if (err instanceof ConfigError) return err.issues;
    throw err;
  }
  throw new Error('the file was accepted');
};

describe('rules validation: every problem with its line, rule and field', () => {
  const cases: [string, string, Omit<Partial<ConfigIssue>, 'message'> & { message: RegExp }][] = [
    ['YAML syntax', 'rules:\n  - name: a\n    when: {keyword: [x}\n', { line: 3, message: /YAML syntax/ }],
    ['top-level key misspelt', 'rule:\n  - name: a\n', { message: /unknown field "rule"; supported fields are rules/ }],
    ['missing name', 'rules:\n  - when: {keyword: x}\n    boost: 5\n', { line: 2, field: 'name', rule: '#1', message: /is required/ }],
    ['bad name', 'rules:\n  - name: Memory Chips\n    when: {keyword: x}\n    boost: 5\n', { line: 2, field: 'name', message: /lower case letters, digits/ }],
    ['no action', 'rules:\n  - name: idle\n    when: {keyword: x}\n', { line: 2, rule: 'idle', message: /does nothing: give it an action/ }],
    ['drop with another action', 'rules:\n  - name: d\n    when: {keyword: x}\n    drop: true\n    boost: 5\n', { line: 4, field: 'drop', rule: 'd', message: /would never show/ }],
    ['empty when', 'rules:\n  - name: e\n    when: {}\n    boost: 5\n', { line: 3, field: 'when', message: /needs at least one of keyword, regex/ }],
    ['misspelt condition', 'rules:\n  - name: m\n    when:\n      keywords: [x]\n    boost: 5\n', { line: 4, field: 'when.keywords', message: /unknown field "keywords"; supported fields are keyword, regex/ }],
    ['misspelt action', 'rules:\n  - name: m\n    when: {keyword: x}\n    boots: 5\n', { line: 4, field: 'boots', message: /unknown field "boots"; supported fields are name, description/ }],
    ['boost out of range', 'rules:\n  - name: b\n    when: {keyword: x}\n    boost: 500\n', { line: 4, field: 'boost', message: /at most 50/ }],
    ['boost of zero', 'rules:\n  - name: b\n    when: {keyword: x}\n    boost: 0\n', { line: 4, field: 'boost', message: /does nothing/ }],
    ['drop: false', 'rules:\n  - name: b\n    when: {keyword: x}\n    drop: false\n', { line: 4, field: 'drop', message: /is true/ }],
    ['bad language', 'rules:\n  - name: l\n    when: {language: english}\n    tag: x\n', { line: 3, field: 'when.language', message: /language tag such as "en"/ }],
    ['bad field for in', 'rules:\n  - name: l\n    when: {keyword: x, in: body}\n    tag: x\n', { line: 3, field: 'when.in', message: /headline, excerpt/ }],
    ['empty keyword', 'rules:\n  - name: k\n    when: {keyword: ["  "]}\n    tag: x\n', { line: 3, field: 'when.keyword.0', message: /is empty/ }],
    ['duplicate name', 'rules:\n  - name: a\n    when: {keyword: x}\n    tag: x\n  - name: a\n    when: {keyword: y}\n    tag: y\n', { line: 5, field: 'name', rule: 'a', message: /used twice \(first at rules\[0\]\)/ }],
    ['invalid pattern', "rules:\n  - name: r\n    when:\n      regex: 'foo('\n    tag: x\n", { line: 4, field: 'when.regex', rule: 'r', message: /"foo\(" is not a valid regular expression/ }],
    ['nested repetition (safe-regex2)', "rules:\n  - name: r\n    when:\n      regex: ['ok', '(a+)+$']\n    tag: x\n", { line: 4, field: 'when.regex', message: /"\(a\+\)\+\$" is refused: it repeats a repetition/ }],
  ];
  it.each(cases)('%s', async (_name, yaml, expected) => {
    const issues = await issuesOf(yaml);
    expect(issues[0]).toMatchObject({ file: 'rules.yaml', ...expected, message: expect.stringMatching(expected.message) });
  });

  it('lists every problem of the file at once, and formats each with where it is', async () => {
    const yaml = 'rules:\n  - name: a\n    when: {keyword: x}\n  - name: B\n    when: {keyword: y}\n    tag: y\n  - name: c\n    when: {source: s}\n    boost: 99\n';
    let message = '';
    await rules(yaml).catch((e: Error) => (message = e.message));
    expect(message.split('\n')).toEqual([
      expect.stringMatching(/^rules\.yaml:2: rule "a": does nothing/),
      expect.stringMatching(/^rules\.yaml:4: rule "B" field "name": a rule name is lower case/),
      expect.stringMatching(/^rules\.yaml:9: rule "c" field "boost": is at most 50/),
    ]);
  });

  it('refuses catastrophic patterns that safe-regex2 lets through, after trying them on a test text on a thread of its own', async () => {
    const issues = await issuesOf("rules:\n  - name: overlap\n    when:\n      regex: '(a|a)*b'\n    tag: x\n  - name: stacked\n    when:\n      regex: 'x*x*x*x*y'\n    tag: y\n  - name: fine\n    when:\n      regex: '\\bQ[1-4] (results|earnings)\\b'\n    tag: z\n");
    expect(issues.map((i) => [i.rule, i.line, i.field])).toEqual([['overlap', 4, 'when.regex'], ['stacked', 8, 'when.regex']]);
    expect(issues[0]!.message).toMatch(/took over \d+ ms on test texts of 1000 characters/);
  });

  it.each([
    ['an optional group', '\\$\\d+(\\.\\d+)?\\s*(bn|billion|m|million)'],
    ['a lookbehind', '(?<!pre)orders?\\b'],
    ['alternatives then anything', '\\b(apple|google)\\b.*\\b(antitrust|lawsuit)\\b'],
    ['bounded counts', 'CVE-\\d{4}-\\d{4,7}'],
    ['Unicode classes', '^\\p{Lu}{2,5}:'],
  ])('accepts a common safe pattern: %s', async (_name, pattern) => {
    expect((await rules(`rules:\n  - name: ok\n    when:\n      regex: '${pattern}'\n    tag: t\n`)).rules).toHaveLength(1);
  });

  it('still refuses a nested repetition inside an optional group', async () => {
    expect((await issuesOf("rules:\n  - name: n\n    when: {regex: '((a+)?b)+$'}\n    tag: t\n"))[0]!.message).toMatch(/repeats a repetition/);
  });

  it('an empty file, a file with only comments and "rules:" with nothing under it are no rules', async () => {
    for (const yaml of ['', '# nothing yet\n', 'rules:\n']) expect((await rules(yaml)).rules).toEqual([]);
  });

  it('an absent file is no rules for the workers, and an error for `rules validate`', async () => {
    expect((await loadRules('/nonexistent/rules.yaml', { optional: true })).rules).toEqual([]);
    await expect(loadRules('/nonexistent/rules.yaml')).rejects.toThrow(/cannot read the rules file \(ENOENT\); set SIGNAL_DESK_RULES/);
  });

  it('a disabled rule is checked but not applied', async () => {
    await expect(rules('rules:\n  - name: off\n    enabled: false\n    when: {regex: "(a+)+"}\n    tag: x\n')).rejects.toThrow(/repeats a repetition/);
    expect((await rules('rules:\n  - name: off\n    enabled: false\n    when: {keyword: DRAM}\n    tag: x\n')).rules).toEqual([]);
  });

  it('the shipped config/rules.yaml is valid, and so are its commented examples once switched on', async () => {
    const text = readFileSync('config/rules.yaml', 'utf8');
    expect((await parseRules(text, 'config/rules.yaml')).rules).toEqual([]);
    const [head, body] = text.split(/^rules:$/m);
    const on = await parseRules(`${head}rules:${body!.replace(/^#(?= {2})/gm, '')}`, 'config/rules.yaml');
    expect(on.rules.map((r) => r.name)).toEqual(['memory-chips', 'sponsored', 'nvidia-to-chips-desk', 'translate-first', 'slashdot-low']);
  });
});

describe('matchRules: conditions', () => {
  const hit = async (when: string, input: Partial<RuleInput> = {}) => matchRules(draft(input), await rules(`rules:\n  - name: r\n    when: ${when}\n    tag: t\n`)).hits.length === 1;

  it.each([
    ['keyword, any case', '{keyword: dram}', {}, true],
    ['keyword, accents and case folded both ways', '{keyword: zurich}', { headline: 'Bank of ZÜRICH cuts rates' }, true],
    ['keyword with accents in the rule', '{keyword: Zürich}', { headline: 'zurich datacentre opens' }, true],
    ['keyword is a whole word, not a part of one', '{keyword: ram}', {}, false],
    ['keyword phrase across white space', '{keyword: "contract prices"}', { headline: 'DRAM contract\n  prices rise' }, true],
    ['keyword ending in a symbol needs no boundary after it', '{keyword: "C++"}', { headline: 'C++26 is out', excerpt: null }, true],
    ['keyword ending in a symbol still starts a word', '{keyword: "C++"}', { headline: 'The ABC++ toolkit', excerpt: null }, false],
    ['keyword ending in a symbol, found', '{keyword: "C++"}', { headline: 'What C++ gets right', excerpt: null }, true],
    ['keyword in a script without spaces', '{keyword: 半導体}', { headline: '日本の半導体工場が稼働', excerpt: null }, true],
    ['keyword found in the excerpt', '{keyword: hbm}', {}, true],
    ['keyword only looked for in the headline', '{keyword: hbm, in: headline}', {}, false],
    ['full-width letters are ASCII', '{keyword: nvidia}', { headline: 'ＮＶＩＤＩＡ earnings' }, true],
    ['regex, case-insensitive', "{regex: '\\bdram\\b.*prices'}", {}, true],
    ['regex not matching', "{regex: '^Intel'}", {}, false],
    ['entity, by its key', '{entity: Samsung}', {}, true],
    ['entity absent', '{entity: Nvidia}', {}, false],
    ['source', '{source: [slashdot, the-register]}', {}, true],
    ['source other', '{source: slashdot}', {}, false],
    ['category, any case', '{category: infrastructure hardware}', {}, true],
    ['category when the draft has none', '{category: Chips}', { category: null }, false],
    ['language prefix', '{language: en}', {}, true],
    ['language exact region only', '{language: en-US}', {}, false],
    ['language unknown', '{language: en}', { lang: null }, false],
    ['every condition must hold', '{keyword: dram, source: slashdot}', {}, false],
    ['every condition holds', '{keyword: dram, source: the-register, language: en}', {}, true],
  ] as [string, string, Partial<RuleInput>, boolean][])('%s', async (_name, when, input, expected) => {
    expect(await hit(when, input)).toBe(expected);
  });

  it('unless: a rule does not apply when its exception holds', async () => {
    const set = await rules('rules:\n  - name: chips\n    when: {entity: samsung}\n    unless: {keyword: [phone, galaxy]}\n    route: chips\n');
    expect(matchRules(draft(), set).view).toBe('chips');
    expect(matchRules(draft({ headline: 'Samsung Galaxy S27 review' }), set)).toMatchObject({ view: null, hits: [] });
  });

  it('reads at most 1,000 characters of a field, so a 5,000-character headline is bounded', async () => {
    const set = await rules("rules:\n  - name: tail\n    when: {keyword: needle}\n    tag: t\n  - name: head\n    when: {regex: '^x+$'}\n    tag: h\n");
    const out = matchRules(draft({ headline: `${'x'.repeat(4990)} needle`, excerpt: null }), set);
    expect(out.tags).toEqual(['h']);
  });
});

describe('matchRules: actions', () => {
  const yaml = `rules:
  - name: memory
    when: {keyword: [DRAM, HBM]}
    boost: 15
    tag: [memory, supply]
  - name: samsung-desk
    when: {entity: samsung}
    route: korea
  - name: hardware-desk
    when: {category: Infrastructure Hardware}
    route: hardware
    tag: memory
  - name: register-down
    when: {source: the-register}
    boost: -5
  - name: sponsored
    when: {regex: '^sponsored:', in: headline}
    drop: true
  - name: sponsored-too
    when: {keyword: sponsored}
    drop: true
`;

  it('boost sums the points, tag adds each tag once, route takes the last matching view, each hit says why', async () => {
    const out = matchRules(draft(), await rules(yaml));
    expect(out).toMatchObject({ boost: 10, tags: ['memory', 'supply'], view: 'hardware', drop: null });
    expect(out.hits).toEqual([
      { rule: 'memory', action: 'boost', detail: 'keyword "DRAM" in the headline: +15 points' },
      { rule: 'memory', action: 'tag', detail: 'keyword "DRAM" in the headline: tagged "memory", "supply"' },
      { rule: 'samsung-desk', action: 'route', detail: 'entity samsung: sent to the "korea" desk view' },
      { rule: 'hardware-desk', action: 'tag', detail: 'Category Infrastructure Hardware: tagged "memory"' },
      { rule: 'hardware-desk', action: 'route', detail: 'Category Infrastructure Hardware: sent to the "hardware" desk view' },
      { rule: 'register-down', action: 'boost', detail: 'source the-register: -5 points' },
    ]);
  });

  it('drop names the first matching drop rule, and the pattern and text that matched', async () => {
    const out = matchRules(draft({ headline: 'Sponsored: the best DRAM deals' }), await rules(yaml));
    expect(out.drop).toBe('sponsored');
    expect(out.hits.filter((h) => h.action === 'drop')).toEqual([
      { rule: 'sponsored', action: 'drop', detail: 'pattern /^sponsored:/ matched "Sponsored:" in the headline: dropped (rejected, can be reopened)' },
      { rule: 'sponsored-too', action: 'drop', detail: 'keyword "sponsored" in the headline: dropped (rejected, can be reopened)' },
    ]);
  });

  it('no rules, no hits', () => {
    expect(matchRules(draft(), { rules: [] })).toEqual({ hits: [], boost: 0, tags: [], view: null, drop: null });
  });

  it('boosts add up to at most ±100 however many rules match', async () => {
    const many = Array.from({ length: 5 }, (_, i) => `  - name: b${i}\n    when: {keyword: dram}\n    boost: 50\n`).join('');
    expect(matchRules(draft(), await rules(`rules:\n${many}`)).boost).toBe(100);
  });

  it('text from the feed in a hit is clipped, so a hit always fits the draft schema', async () => {
    const out = matchRules(draft({ headline: `sponsored ${'y'.repeat(900)}` }), await rules("rules:\n  - name: s\n    when: {regex: 'sponsored y+'}\n    tag: t\n"));
    expect(out.hits[0]!.detail.length).toBeLessThanOrEqual(300);
    expect(out.hits[0]!.detail).toMatch(/matched "sponsored y+…" in the headline/);
  });
});

describe('rules files that try to exhaust the checker', () => {
  it('refuses a file of more than 1,000 rules with one message, not one per rule', async () => {
    const many = Array.from({ length: 10_000 }, (_, i) => `  - name: r${i}\n    when: {keyword: k${i}}\n    tag: t\n`).join('');
    const issues = await issuesOf(`rules:\n${many}`);
    expect(issues).toEqual([expect.objectContaining({ line: 2, field: 'rules', message: 'lists more than 1000 rules' })]);
  });

  it('refuses an alias bomb', async () => {
    const bomb = 'a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nrules: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n';
    expect((await issuesOf(bomb))[0]!.message).toMatch(/YAML aliases are used too often/);
  });

  it('refuses a pattern longer than 300 characters and a list of more than 200 keywords', async () => {
    const long = `rules:\n  - name: p\n    when: {regex: '${'a'.repeat(301)}'}\n    tag: t\n  - name: k\n    when:\n      keyword: [${Array.from({ length: 201 }, (_, i) => `w${i}`).join(', ')}]\n    tag: t\n`;
    const issues = await issuesOf(long);
    expect(issues.map((i) => [i.rule, i.field, i.message])).toEqual([
      ['p', 'when.regex', 'is longer than 300 characters'],
      ['k', 'when.keyword', 'lists at most 200 values'],
    ]);
  });

  it('a file over 1 MiB is refused before it is read', async () => {
    const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'sd-rules-'));
    try {
      writeFileSync(join(dir, 'big.yaml'), `# ${'x'.repeat(1024 * 1024)}\n`);
      await expect(loadRules(join(dir, 'big.yaml'))).rejects.toThrow(/over the 1048576-byte limit on a rules file/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
