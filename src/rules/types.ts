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

/** The text fields a keyword or pattern looks in. */
export const RULE_FIELDS = ['headline', 'excerpt'] as const;
export type RuleField = (typeof RULE_FIELDS)[number];

/** A keyword as written in the rules file, and folded for matching (rules/foldText.ts). */
export interface Keyword {
  text: string;
  folded: string;
  /** Written in a script without spaces between words (Chinese, Japanese, Thai…): matched inside words. */
  inWord: boolean;
}

/** The conditions of one `when:` (or `unless:`): every condition given must hold; within one, any value does. */
export interface Condition {
  keywords: Keyword[];
  patterns: RegExp[];
  /** Entity keys. */
  entities: string[];
  sources: string[];
  /** Lower case. */
  categories: string[];
  /** Lower case language tags; "en" also matches "en-GB". */
  languages: string[];
  /** Where keywords and patterns look (default both). */
  fields: RuleField[];
}

/** One validated rule of config/rules.yaml, ready to match (patterns compiled and checked). */
export interface Rule {
  name: string;
  /** The line of the rule in its file, for messages. */
  line: number | null;
  when: Condition;
  unless: Condition | null;
  boost: number;
  tags: string[];
  /** The named desk view this rule sends matching drafts to. */
  route: string | null;
  drop: boolean;
}

/** A validated rules file (config/rules.yaml). */
export interface RuleSet {
  rules: readonly Rule[];
  /** The file it was read from, when read from one. */
  file?: string;
}

/** The rules in force, reloaded live when the file changes (rules/watchRules.ts). */
export interface RulesSource {
  current(): RuleSet;
  /** Re-reads the file now (SIGHUP); false when it was refused and the rules in force stay. */
  reload?(why?: string): Promise<boolean>;
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
