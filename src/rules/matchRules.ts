import type { RuleInput, RuleOutcome, RuleSet } from './types.ts';

/** Placeholder of the contract commit: no rule matches. The rules helper replaces it. Pure. */
export function matchRules(input: RuleInput, rules: RuleSet): RuleOutcome {
  void input;
  void rules;
  return { hits: [], boost: 0, tags: [], view: null, drop: null };
}
