import { z } from 'zod';
import { RULE_FIELDS } from './types.ts';

/** Limits that keep a rules file cheap to check and to apply to every draft. */
export const RULES_MAX = 1000;
export const VALUES_MAX = 200;
export const KEYWORD_MAX = 100;
export const PATTERN_MAX = 300;
export const BOOST_MAX = 50;

const NAME = /^[a-z0-9][a-z0-9._-]*$/;
const name = (what: string) =>
  z.string().min(1).max(100).regex(NAME, `${what} is lower case letters, digits, ".", "_" and "-", starting with a letter or digit (for example "memory-chips")`);

/** One value or a list of them (`keyword: DRAM` or `keyword: [DRAM, HBM]`). */
const oneOrMany = <T extends z.ZodType>(item: T) =>
  z.union([item, z.array(item).min(1, 'lists at least one value').max(VALUES_MAX, `lists at most ${VALUES_MAX} values`)]).transform((v): z.output<T>[] => (Array.isArray(v) ? v : [v as z.output<T>]));

const text = (max: number) => z.string().trim().min(1, 'is empty').max(max, `is longer than ${max} characters`);

export const ConditionSchema = z
  .strictObject({
    keyword: oneOrMany(text(KEYWORD_MAX)).optional(),
    regex: oneOrMany(z.string().min(1, 'is empty').max(PATTERN_MAX, `is longer than ${PATTERN_MAX} characters`)).optional(),
    entity: oneOrMany(text(120)).optional(),
    source: oneOrMany(text(100)).optional(),
    category: oneOrMany(text(100)).optional(),
    language: oneOrMany(z.string().regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/, 'is a language tag such as "en" or "pt-BR"')).optional(),
    in: oneOrMany(z.enum(RULE_FIELDS, `is one of: ${RULE_FIELDS.join(', ')}`)).optional(),
  })
  .refine((c) => c.keyword || c.regex || c.entity || c.source || c.category || c.language, {
    message: 'needs at least one of keyword, regex, entity, source, category, language',
  });
export type ConditionSpec = z.infer<typeof ConditionSchema>;

export const RuleSchema = z.strictObject({
  name: name('a rule name'),
  description: z.string().max(500).optional(),
  enabled: z.boolean().default(true),
  when: ConditionSchema,
  unless: ConditionSchema.optional(),
  boost: z.number().int('is a whole number of points').min(-BOOST_MAX, `is at least -${BOOST_MAX}`).max(BOOST_MAX, `is at most ${BOOST_MAX}`).refine((n) => n !== 0, 'is 0, which does nothing').optional(),
  tag: oneOrMany(text(50)).optional(),
  route: name('a desk view name').optional(),
  drop: z.literal(true, 'is true (leave it out to keep the draft)').optional(),
});
export type RuleSpec = z.infer<typeof RuleSchema>;

export const RULE_KEYS = Object.keys(RuleSchema.shape);
export const CONDITION_KEYS = ['keyword', 'regex', 'entity', 'source', 'category', 'language', 'in'];

export const RulesFileSchema = z.strictObject({
  rules: z.array(z.unknown()).max(RULES_MAX, `lists more than ${RULES_MAX} rules`).nullable().default([]).transform((r) => r ?? []),
});
