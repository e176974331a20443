import { readCappedText } from '../config/readCappedText.ts';
import { LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { lineOfPath, yamlIssue } from '../config/loadSources.ts';
import { ConfigError, type ConfigIssue } from '../errors.ts';
import { entityKey } from '../entities/extractEntities.ts';
import { compilePattern, probePatterns } from './checkPattern.ts';
import { foldText, writtenWithoutSpaces } from './foldText.ts';
import { CONDITION_KEYS, RULE_KEYS, RuleSchema, RulesFileSchema, type ConditionSpec } from './ruleSchema.ts';
import { RULE_FIELDS, type Condition, type Rule, type RuleSet } from './types.ts';

/** Texts as unlike each other as headlines get: a pattern matching all of them matches any headline. */
const ANY_TEXT = ['a', 'Z', '7', '中', 'я', ' ', '!', 'Nvidia beats estimates'];

/** Cap on the rules file, checked before it is read. */
export const RULES_MAX_BYTES = 1024 * 1024;
/** A rules file needs few YAML aliases; more is refused (an "alias bomb" expands to exhaust memory). */
const MAX_ALIAS_COUNT = 100;

export interface LoadRulesOptions {
  /** An absent file is no rules (the workers); `rules validate` wants it to exist. */
  optional?: boolean;
}

/**
 * Reads and validates a rules file (config/rules.yaml). Refused whole when anything is wrong; the error lists
 * every problem with its file, line, rule and field, so one `signal-desk rules validate` shows all to fix.
 */
export async function loadRules(file: string, options: LoadRulesOptions = {}): Promise<RuleSet> {
  let text: string;
  try {
    text = await readCappedText(file, RULES_MAX_BYTES, (size) => new ConfigError([{ file, message: `the file is ${size > RULES_MAX_BYTES + 1 ? `${size} bytes` : 'larger than the limit'}, over the ${RULES_MAX_BYTES}-byte limit on a rules file; check the path` }]));
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && options.optional) return { rules: [], file };
    throw new ConfigError([{ file, message: `cannot read the rules file (${code ?? err}); set SIGNAL_DESK_RULES to its path` }], { cause: err });
  }
  return parseRules(text, file);
}

/** loadRules without the file: YAML text in, checked rules out (patterns probed on a thread of their own). */
export async function parseRules(text: string, file: string): Promise<RuleSet> {
  const { rules, patterns, issues } = readRules(text, file);
  // Probed even when other problems were found, so one `rules validate` lists them all.
  const slow = await probePatterns(patterns.map((p) => p.source));
  for (const p of patterns) if (slow.has(p.source)) issues.push({ file, line: p.line, rule: p.rule, field: p.field, message: `pattern ${JSON.stringify(p.source)} ${slow.get(p.source)}` });
  if (issues.length > 0) throw new ConfigError(issues.sort((a, b) => (a.line ?? 0) - (b.line ?? 0)));
  return { rules, file };
}

interface PatternSite {
  source: string;
  rule: string;
  field: string;
  line: number | undefined;
}

/**
 * The synchronous, pure part of parseRules: every check but the timing probe. Throws for a file that is not
 * a rules file at all (YAML syntax, the top level); returns the problems of its rules with the patterns to probe.
 */
export function readRules(text: string, file: string): { rules: Rule[]; patterns: PatternSite[]; issues: ConfigIssue[] } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    // The first few: after one YAML syntax error the parser's later complaints are mostly its echoes.
    const shown: ConfigIssue[] = doc.errors.slice(0, 3).map((e) => yamlIssue(file, e));
    if (doc.errors.length > 3) shown.push({ file, message: `and ${doc.errors.length - 3} more YAML syntax errors after these (fix the first ones, then validate again)` });
    throw new ConfigError(shown);
  }
  const lineOf = (path: (string | number)[]) => lineOfPath(doc, lines, path);
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) ?? {};
  } catch (err) {
    throw new ConfigError([{ file, message: `YAML aliases are used too often (more than ${MAX_ALIAS_COUNT} resolutions): write the rules out instead of sharing them with *aliases` }], { cause: err });
  }
  // reportInput: a field given with the wrong type is told apart from one left out (toIssue).
  const top = RulesFileSchema.safeParse(data, { reportInput: true });
  if (!top.success) {
    throw new ConfigError(top.error.issues.map((i) => toIssue(file, i, [], undefined, lineOf)));
  }
  const issues: ConfigIssue[] = [];
  const rules: Rule[] = [];
  const patterns: PatternSite[] = [];
  const seen = new Map<string, number>();
  top.data.rules.forEach((raw, index) => {
    const rawName = raw && typeof raw === 'object' && 'name' in raw && typeof raw.name === 'string' ? raw.name : `#${index + 1}`;
    const base = ['rules', index];
    const parsed = RuleSchema.safeParse(raw, { reportInput: true });
    if (!parsed.success) {
      for (const i of parsed.error.issues) issues.push(toIssue(file, i, base, rawName, lineOf));
      return;
    }
    const spec = parsed.data;
    const at = (field: string, message: string, path: (string | number)[] = field.split('.')) => issues.push({ file, line: lineOf([...base, ...path]), rule: spec.name, field: field || undefined, message });
    const first = seen.get(spec.name);
    if (first !== undefined) return at('name', `is used twice (first at rules[${first}]); names must be unique because drops are counted and shown by rule name`);
    seen.set(spec.name, index);
    const actions = [spec.boost !== undefined && 'boost', spec.tag && 'tag', spec.route && 'route'].filter(Boolean);
    if (spec.drop && actions.length > 0) return at('drop', `drops the draft, so its ${actions.join(' and ')} would never show; keep drop alone, or make a second rule`);
    if (!spec.drop && actions.length === 0) return at('', 'does nothing: give it an action (boost: points, tag: a tag, route: a desk view, or drop: true)', []);
    const before = issues.length;
    const condition = (key: 'when' | 'unless', c: ConditionSpec): Condition => {
      const compiled: RegExp[] = [];
      (c.regex ?? []).forEach((source, j) => {
        const path = Array.isArray((raw as Record<string, Record<string, unknown>>)[key]?.regex) ? [key, 'regex', j] : [key, 'regex'];
        const result = compilePattern(source);
        if ('problem' in result) at(`${key}.regex`, `pattern ${JSON.stringify(source)} ${result.problem}`, path);
        else {
          compiled.push(result.regex);
          patterns.push({ source, rule: spec.name, field: `${key}.regex`, line: lineOf([...base, ...path]) });
        }
      });
      return {
        keywords: (c.keyword ?? []).map((k) => ({ text: k, folded: foldText(k), inWord: writtenWithoutSpaces(k) })),
        patterns: compiled,
        entities: (c.entity ?? []).map(entityKey),
        sources: c.source ?? [],
        categories: (c.category ?? []).map((v) => v.toLowerCase()),
        languages: (c.language ?? []).map((v) => v.toLowerCase()),
        fields: c.in ?? [...RULE_FIELDS],
      };
    };
    const when = condition('when', spec.when);
    const unless = spec.unless ? condition('unless', spec.unless) : null;
    // A drop rule whose only condition is a pattern that any text matches ('.', '^', 'x*') would reject every draft.
    const narrowed = spec.when.keyword || spec.when.entity || spec.when.source || spec.when.category || spec.when.language || spec.unless;
    if (spec.drop && !narrowed) {
      const all = when.patterns.find((re) => ANY_TEXT.every((t) => re.test(t)));
      if (all) at('when.regex', `pattern ${JSON.stringify(all.source)} matches any text, so this drop rule would reject every draft; make the pattern say what to drop, or add a condition (source:, keyword:…) or an unless:`, ['when', 'regex']);
    }
    if (issues.length > before || !spec.enabled) return;
    rules.push({ name: spec.name, line: lineOf(base) ?? null, when, unless, boost: spec.boost ?? 0, tags: [...new Set(spec.tag ?? [])], route: spec.route ?? null, drop: spec.drop ?? false });
  });
  return { rules, patterns, issues };
}

function toIssue(file: string, issue: z.core.$ZodIssue, base: (string | number)[], rule: string | undefined, lineOf: (p: (string | number)[]) => number | undefined): ConfigIssue {
  const path = [...base, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))];
  const field = issue.path.map(String).join('.') || undefined;
  if (issue.code === 'unrecognized_keys') {
    const inCondition = issue.path.length > 0 && (issue.path[0] === 'when' || issue.path[0] === 'unless');
    const allowed = base.length === 0 ? ['rules'] : inCondition ? CONDITION_KEYS : RULE_KEYS;
    const message = `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}; supported fields are ${allowed.join(', ')}`;
    return { file, line: lineOf([...path, issue.keys[0]!]), rule, field: field ? `${field}.${issue.keys[0]}` : issue.keys[0], message };
  }
  let message = issue.message;
  if (issue.code === 'invalid_type' && issue.input === undefined) message = 'is required';
  else if (issue.code === 'invalid_type') message = `is ${describeValue(issue.input)}, but should be ${EXPECTED[issue.expected] ?? issue.expected}${typeof issue.input === 'string' ? ' (write it without quotes)' : issue.expected === 'string' ? ' (put it in quotes)' : ''}`;
  else if (issue.code === 'invalid_union') message = `${describeUnion(issue)}`;
  return { file, line: lineOf(path), rule, field, message };
}

const EXPECTED: Record<string, string> = { string: 'text', number: 'a number', int: 'a whole number', boolean: 'true or false', object: 'a mapping (field: value)', array: 'a list' };

function describeValue(v: unknown): string {
  if (v === null) return 'empty (null)';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return `the text ${JSON.stringify(v.slice(0, 40))}`;
  return `the ${typeof v} ${String(v)}`;
}

/** zod's message for "one value or a list": the most useful of its branches' messages. */
function describeUnion(issue: z.core.$ZodIssueInvalidUnion): string {
  // The branch that took the input's type (the other one says "expected string" or "expected array").
  const branch = issue.errors.find((list) => list.length > 0 && list.every((i) => i.code !== 'invalid_type'));
  return branch?.[0]?.message ?? 'is one value or a list of values';
}

