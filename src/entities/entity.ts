import { INVISIBLE, unmixLookAlikes } from './lookAlikes.ts';
import { z } from 'zod';

export const ENTITY_KINDS = ['person', 'organization', 'place', 'product'] as const;
export type EntityKind = (typeof ENTITY_KINDS)[number];

/** Where an entity was found: the headline weighs more than the excerpt or the page's own metadata. */
export const ENTITY_ORIGINS = ['headline', 'excerpt', 'page'] as const;

export const Entity = z.object({
  /** As written in the text (trimmed of punctuation), at most 120 characters. */
  name: z.string().min(1).max(120),
  kind: z.enum(ENTITY_KINDS),
  /** The first field it was found in (headline before excerpt before page). */
  from: z.enum(ENTITY_ORIGINS),
  /** How many times it occurs over all the fields read. */
  count: z.number().int().min(1),
});
export type Entity = z.infer<typeof Entity>;

/** The key an entity is matched on (clustering, filters, rules): NFKC, invisible characters dropped, look-alike letters inside a Latin word as Latin ("Nvіdia" is "nvidia"), lower case, inner spaces single. */
export function entityKey(name: string): string {
  return unmixLookAlikes(name.normalize('NFKC').replace(INVISIBLE, '')).toLowerCase().replace(/\s+/gu, ' ').trim();
}
