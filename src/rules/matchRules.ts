import type { RuleHit } from '../drafts/schema.ts';
import { PATTERN_TEXT_MAX } from './checkPattern.ts';
import { findWord, foldText, patternText } from './foldText.ts';
import type { Condition, Rule, RuleField, RuleInput, RuleOutcome, RuleSet } from './types.ts';

/** Sum of boosts, as the draft's annotation holds it. */
const BOOST_LIMIT = 100;
const DETAIL_MAX = 300;

/**
 * Which rules match a draft, in file order, and what they add up to: boosts summed (within ±100), tags in
 * order without repeats, the last matching route's view, the first matching drop rule. A rule matches when
 * every condition of its `when` holds and its `unless` does not. Each field's text is read up to
 * PATTERN_TEXT_MAX characters (patterns were probed at that length). Pure.
 */
export function matchRules(input: RuleInput, rules: RuleSet): RuleOutcome {
  const text = readText(input);
  const hits: RuleHit[] = [];
  const tags: string[] = [];
  let boost = 0;
  let view: string | null = null;
  let drop: string | null = null;
  for (const rule of rules.rules) {
    const why = explainMatch(rule.when, input, text);
    if (why === null || (rule.unless && explainMatch(rule.unless, input, text) !== null)) continue;
    for (const [action, detail] of describeActions(rule)) hits.push({ rule: rule.name, action, detail: clip(`${why}: ${detail}`) });
    boost += rule.boost;
    for (const tag of rule.tags) if (!tags.includes(tag)) tags.push(tag);
    if (rule.route) view = rule.route;
    if (rule.drop && drop === null) drop = rule.name;
  }
  return { hits: hits.slice(0, 50), boost: Math.max(-BOOST_LIMIT, Math.min(BOOST_LIMIT, boost)), tags, view, drop };
}

interface Text {
  raw: Record<RuleField, string>;
  folded: Record<RuleField, string>;
}

function readText(input: RuleInput): Text {
  // Cut before normalising too (a field is bounded upstream, but the cost here should not depend on that).
  const read = (t: string) => patternText(t.slice(0, 2 * PATTERN_TEXT_MAX)).slice(0, PATTERN_TEXT_MAX);
  const raw = { headline: read(input.headline), excerpt: read(input.excerpt ?? '') };
  return { raw, folded: { headline: foldText(raw.headline), excerpt: foldText(raw.excerpt) } };
}

const FIELD_NAMES: Record<RuleField, string> = { headline: 'the headline', excerpt: 'the excerpt' };

/** Null when the condition does not hold; otherwise what matched, in an editor's words. */
function explainMatch(c: Condition, input: RuleInput, text: Text): string | null {
  const parts: string[] = [];
  if (c.keywords.length > 0) {
    const found = findKeyword(c, text);
    if (!found) return null;
    parts.push(`keyword "${found.keyword}" in ${FIELD_NAMES[found.field]}`);
  }
  if (c.patterns.length > 0) {
    const found = findPattern(c, text);
    if (!found) return null;
    parts.push(`pattern /${found.pattern}/ matched "${clip(found.match, 40)}" in ${FIELD_NAMES[found.field]}`);
  }
  if (c.entities.length > 0) {
    const entity = c.entities.find((e) => input.entities.includes(e));
    if (entity === undefined) return null;
    parts.push(`entity ${entity}`);
  }
  if (c.sources.length > 0) {
    if (!c.sources.includes(input.sourceId)) return null;
    parts.push(`source ${input.sourceId}`);
  }
  if (c.categories.length > 0) {
    if (input.category === null || !c.categories.includes(input.category.toLowerCase())) return null;
    parts.push(`Category ${input.category}`);
  }
  if (c.languages.length > 0) {
    const lang = input.lang?.toLowerCase();
    if (!lang || !c.languages.some((l) => lang === l || lang.startsWith(`${l}-`))) return null;
    parts.push(`language ${input.lang}`);
  }
  return parts.join(', ');
}

function findKeyword(c: Condition, text: Text): { keyword: string; field: RuleField } | undefined {
  for (const field of c.fields) {
    const keyword = c.keywords.find((k) => findWord(text.folded[field], k.folded, k.inWord) !== -1);
    if (keyword) return { keyword: keyword.text, field };
  }
  return undefined;
}

function findPattern(c: Condition, text: Text): { pattern: string; match: string; field: RuleField } | undefined {
  for (const field of c.fields) {
    for (const re of c.patterns) {
      const m = re.exec(text.raw[field]);
      if (m) return { pattern: re.source, match: m[0], field };
    }
  }
  return undefined;
}

function describeActions(rule: Rule): [RuleHit['action'], string][] {
  const out: [RuleHit['action'], string][] = [];
  if (rule.drop) out.push(['drop', 'dropped (rejected, can be reopened)']);
  if (rule.boost !== 0) out.push(['boost', `${rule.boost > 0 ? '+' : ''}${rule.boost} points`]);
  if (rule.tags.length > 0) out.push(['tag', `tagged ${rule.tags.map((t) => `"${t}"`).join(', ')}`]);
  if (rule.route) out.push(['route', `sent to the "${rule.route}" desk view`]);
  return out;
}

function clip(s: string, max = DETAIL_MAX): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}
