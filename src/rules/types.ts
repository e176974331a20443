import type { RuleHit } from '../drafts/schema.ts';

/** What a rule matches against: a draft's fields as the annotate stage has them. */
export interface RuleInput {
  headline: string;
  excerpt: string | null;
  sourceId: string;
  category: string | null;
  /** Article page language (enrichment), when known. */
  lang: string | null;
  /** Entity keys (entities/extractEntities.ts `entityKey`). */
  entities: string[];
  tags: string[];
}

/** A validated rules file (config/rules.yaml). The rules helper defines `Rule`; callers treat it as opaque. */
export interface RuleSet {
  rules: readonly unknown[];
}

/** The rules in force, reloaded live when the file changes (rules/watchRules.ts). */
export interface RulesSource {
  current(): RuleSet;
}

/** What the matched rules add up to. */
export interface RuleOutcome {
  hits: RuleHit[];
  boost: number;
  tags: string[];
  view: string | null;
  /** The name of the first matching drop rule, if any: the draft leaves the queue (rejected, audited). */
  drop: string | null;
}
